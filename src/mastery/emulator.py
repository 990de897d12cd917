"""The embedded local AWS: a moto server that also answers LocalStack's health probe.

Run as a process (``python -m mastery.emulator --port 4566``); ``mastery.backend``
starts and stops it. It differs from plain ``moto_server`` in three ways the course needs:

* ``GET /_localstack/health`` answers like LocalStack, so tools that probe for LocalStack
  (and ``mastery status``) work against either backend;
* Step Functions executions really run (moto's ``execute_state_machine`` switch), and
  ``MOTO_PORT`` is the port we serve on, because service integrations call back to it;
* every account is ``000000000000``, LocalStack's default, so ARNs look the same on both.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys

HEALTH_PATH = "/_localstack/health"
ACCOUNT_ID = "000000000000"
# The services the course uses; the health answer lists them as LocalStack does.
SERVICES = (
    "budgets ce cloudformation cloudwatch dynamodb events iam kinesis kms lambda logs "
    "resourcegroupstaggingapi s3 secretsmanager sns sqs ssm stepfunctions sts"
).split()


def _configure_environment(port: int) -> None:
    # Must be set before moto is imported: moto reads these at import time.
    os.environ["MOTO_PORT"] = str(port)
    os.environ["MOTO_ACCOUNT_ID"] = ACCOUNT_ID
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def build_app():
    """The WSGI application: moto's dispatcher behind a small health/identity shim."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    dispatcher = DomainDispatcherApplication(create_backend_app)
    health = json.dumps(
        {
            "services": {name: "available" for name in SERVICES},
            "edition": "embedded-moto",
            "version": _moto_version(),
            "pid": os.getpid(),  # tells a restart (state gone) from the same emulator
        }
    ).encode()

    def app(environ, start_response):
        if environ.get("PATH_INFO", "").rstrip("/") == HEALTH_PATH:
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(health)))]
            )
            return [health]
        return dispatcher(environ, start_response)

    return app


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


def _enable_step_functions_execution() -> None:
    # Same effect as POST /moto-api/config {"stepfunctions": {"execute_state_machine": true}}
    from moto.core.config import default_user_config

    default_user_config["stepfunctions"] = {"execute_state_machine": True}


def serve(host: str, port: int) -> None:
    _configure_environment(port)
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    _enable_step_functions_execution()
    server = make_server(host, port, build_app(), threaded=True, request_handler=MotoRequestHandler)

    def _stop(signum, frame):  # pragma: no cover - exercised through mastery down
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    print(f"mastery embedded emulator (moto {_moto_version()}) on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    args = parser.parse_args(argv)
    try:
        serve(args.host, args.port)
    except OSError as exc:  # port taken between the check and the bind
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        raise SystemExit(98) from exc


if __name__ == "__main__":
    main()
