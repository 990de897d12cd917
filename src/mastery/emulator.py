"""The embedded local AWS: a moto server that also answers LocalStack's health probe.

Run as a process (``python -m mastery.emulator --port 4566``); ``mastery.backend``
starts and stops it. It differs from plain ``moto_server`` in three ways the course needs:

* ``GET /_localstack/health`` answers like LocalStack, so tools that probe for LocalStack
  (and ``mastery status``) work against either backend;
* Step Functions executions really run (moto's ``execute_state_machine`` switch), and
  ``MOTO_PORT`` is the port we serve on, because service integrations call back to it;
* every account is ``000000000000``, LocalStack's default, so ARNs look the same on both;
* ``StartExecution`` without a name gets a UUID, as on AWS (moto named every one ``None``);
* ``CreateStateMachine`` with a name that exists and a different definition or role raises
  ``StateMachineAlreadyExists``, as AWS does (moto returns the old machine and ignores the new
  definition, so a create-or-update written for AWS would silently never update);
* graders can make DynamoDB fail on purpose (:data:`FAULTS_PATH`): the next *n* calls whose
  request names a table (and, optionally, contains a string) answer with an AWS error such as
  ``ThrottlingException``. Step Functions' DynamoDB integration calls back to this server, so
  a saga's Task sees a real throttle; ``retry_delay_scale`` shortens Retry waits meanwhile;
* ``POST /_mastery/reset`` empties it between graded learners (every moto backend and the
  fault switch) so a grading worker keeps one emulator; it refuses (409) while a Step Functions
  execution still runs, because its thread would write into the emptied state: the grader then
  starts a fresh emulator instead.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import uuid

HEALTH_PATH = "/_localstack/health"
FAULTS_PATH = "/_mastery/faults"
RESET_PATH = "/_mastery/reset"
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
        path = environ.get("PATH_INFO", "").rstrip("/")
        if path == HEALTH_PATH:
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(health)))]
            )
            return [health]
        if path == FAULTS_PATH:
            return _faults.handle(environ, start_response)
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            return _reset(start_response)
        if _faults.rules and environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            failed = _faults.intercept(environ, start_response)
            if failed is not None:
                return failed
        return dispatcher(environ, start_response)

    return app


class _Faults:
    """Injected DynamoDB failures (see the module doc). A rule is a dict: ``table`` (required),
    ``operation`` (``UpdateItem``, ...; empty: any), ``contains`` (a string the request body must
    contain), ``error`` (an AWS error code,
    ``ThrottlingException`` by default), ``status`` (HTTP status, 400) and ``times`` (how many
    matching calls fail; then the rule is spent). POST ``{"rules": [...], "retry_delay_scale": s}``
    adds rules, GET lists them with their ``failed`` counts, DELETE clears everything."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.rules: list[dict] = []
        self.retry_delay_scale = 1.0

    def handle(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        with self.lock:
            if method == "POST":
                body = json.loads(_read_body(environ) or b"{}")
                for rule in body.get("rules", []):
                    if not isinstance(rule.get("table"), str):
                        return _json(start_response, "400 Bad Request", {"error": "a rule needs a table"})
                    self.rules.append({"contains": "", "operation": "", "error": "ThrottlingException",
                                       "status": 400, "times": 1, **rule, "failed": 0})
                if "retry_delay_scale" in body:
                    self.retry_delay_scale = float(body["retry_delay_scale"])
            elif method == "DELETE":
                self.rules.clear()
                self.retry_delay_scale = 1.0
            return _json(start_response, "200 OK", {"rules": self.rules,
                                                    "retry_delay_scale": self.retry_delay_scale})

    def intercept(self, environ, start_response):
        body = _read_body(environ)
        try:
            tables = _tables_of(json.loads(body or b"{}"))
        except ValueError:
            tables = set()
        text = body.decode("utf-8", "replace")
        operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
        with self.lock:
            rule = next((r for r in self.rules if r["table"] in tables and r["failed"] < r["times"]
                         and r["operation"] in ("", operation) and r["contains"] in text), None)
            if rule is None:
                return None
            rule["failed"] += 1
        error = {"__type": f"com.amazonaws.dynamodb.v20120810#{rule['error']}",
                 "message": f"{rule['error']} (injected by the grader)"}
        return _json(start_response, f"{rule['status']} Error", error, "application/x-amz-json-1.0",
                     [("x-amzn-RequestId", uuid.uuid4().hex)])

    def sleep(self, seconds: float) -> None:
        import time

        time.sleep(seconds * self.retry_delay_scale)


_faults = _Faults()


def _tables_of(request: dict) -> set[str]:
    """Every table a DynamoDB request names: ``TableName``, the tables of a batch
    (``RequestItems``) and of a transaction (``TransactItems``)."""
    if not isinstance(request, dict):
        return set()
    tables = {request["TableName"]} if isinstance(request.get("TableName"), str) else set()
    if isinstance(request.get("RequestItems"), dict):
        tables |= set(request["RequestItems"])
    for item in request.get("TransactItems") or []:
        for op in (item.values() if isinstance(item, dict) else []):
            if isinstance(op, dict) and isinstance(op.get("TableName"), str):
                tables.add(op["TableName"])
    return tables
def running_executions() -> int:
    """Step Functions executions still running in this process (both of moto's engines)."""
    from moto.stepfunctions.models import stepfunctions_backends
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    n = 0
    for backends in (stepfunctions_backends, stepfunctions_parser_backends):
        for per_account in list(backends.values()):
            for be in list(per_account.values()):
                for sm in list(getattr(be, "state_machines", [])):
                    for e in list(getattr(sm, "executions", [])):
                        status = getattr(e, "status", None)
                        n += getattr(status, "value", status) == "RUNNING"
    return n


def _reset(start_response):
    """Empty every backend and the fault switch, and undo what a learner may have changed
    through moto's own API (its settings, state transitions); 409 while executions run."""
    import copy

    from moto.core.config import default_user_config
    from moto.moto_api import state_manager
    from moto.moto_api._internal.models import moto_api_backend

    running = running_executions()
    if running:
        return _json(start_response, "409 Conflict", {"reset": False, "running_executions": running})
    with _faults.lock:
        _faults.rules.clear()
        _faults.retry_delay_scale = 1.0
    default_user_config.clear()
    default_user_config.update(copy.deepcopy(_INITIAL_CONFIG))
    state_manager._transitions.clear()
    moto_api_backend.reset()
    from mastery import cfn_fidelity

    cfn_fidelity.reset()
    return _json(start_response, "200 OK", {"reset": True})


def _read_body(environ) -> bytes:
    """Read a request's body and put it back, so moto's dispatcher still finds it."""
    import io

    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _json(start_response, status: str, payload: dict, content_type: str = "application/json",
          headers: list | None = None):
    data = json.dumps(payload).encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data))),
                            *(headers or [])])
    return [data]


def _patch_moto() -> None:
    """Make moto answer as AWS does where the course depends on it (see the module doc)."""
    import types

    from moto.core.exceptions import AWSError
    from moto.stepfunctions import models
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    class StateMachineAlreadyExists(AWSError):
        TYPE = "StateMachineAlreadyExists"
        STATUS = 400

    create = models.StepFunctionBackend.create_state_machine

    def create_state_machine(self, name, definition, roleArn, *args, **kwargs):
        existing = next((sm for sm in self.state_machines if sm.name == name), None)
        if existing is not None and (existing.definition != definition or existing.roleArn != roleArn):
            raise StateMachineAlreadyExists(f"State Machine Already Exists: '{existing.arn}'")
        return create(self, name, definition, roleArn, *args, **kwargs)

    models.StepFunctionBackend.create_state_machine = create_state_machine

    from moto.stepfunctions.parser import models as parser_models

    for backend_class in (models.StepFunctionBackend, parser_models.StepFunctionsParserBackend):
        def start_execution(self, state_machine_arn, name=None, *args, _start=backend_class.start_execution,
                            **kwargs):
            # AWS names an unnamed execution with a UUID; moto names it None, so a second one collides
            return _start(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

        backend_class.start_execution = start_execution
    # moto's dispatcher lists its own package directory (a listdir and ~150 stats) on every
    # request to match a host name; the list cannot change while the server runs (measured:
    # about 6 % of the emulator's time in a week-1 grading)
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    # ... and lists every response class's methods (inspect.getmembers) on every request, and
    # EventBridge's input paths and Step Functions' JSONPaths are parsed by a freshly built PLY
    # parser on every use: the same answers each time for a class or a path (together about 11 %
    # of the emulator's time in a week-1 and a week-10 grading; benchmarks/RESULTS.md)
    import functools

    import jsonpath_ng
    import jsonpath_ng.ext
    from moto.core import responses as core_responses
    from moto.core import utils as core_utils
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    core_responses.method_names_from_class = functools.lru_cache(maxsize=None)(
        lambda clazz: frozenset(core_utils.method_names_from_class(clazz)))
    ext_parse = functools.lru_cache(maxsize=4096)(jsonpath_ng.ext.parse)
    jsonpath_ng.ext.parse = json_path.parse = ext_parse
    result_path.parse = functools.lru_cache(maxsize=4096)(jsonpath_ng.parse)
    # Retry waits go through the fault switch, so a grader can shorten them while it injects
    retrier_decl.time = types.SimpleNamespace(sleep=_faults.sleep)
    from mastery import cfn_fidelity  # CloudFormation as AWS answers (week 14): see its module doc

    cfn_fidelity.patch()


def _moto_version() -> str:
    from importlib.metadata import version

    return version("moto")


_INITIAL_CONFIG: dict = {}  # moto's settings as served, restored by a reset


def _enable_step_functions_execution() -> None:
    # Same effect as POST /moto-api/config {"stepfunctions": {"execute_state_machine": true}}
    import copy

    from moto.core.config import default_user_config

    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    _INITIAL_CONFIG.update(copy.deepcopy(default_user_config))


def serve(host: str, port: int) -> None:
    _configure_environment(port)
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    _enable_step_functions_execution()
    _patch_moto()
    if not os.environ.get("MASTERY_EMULATOR_ACCESS_LOG"):
        # werkzeug logs a line per request (about 4 % of the emulator's CPU in a grading, measured
        # with py-spy, and a log that grows by a line per call); errors are still logged
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)
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
