"""A graded kernel waits a fiftieth of botocore's retry delays
(``mastery.grading.sandbox.kernel.short_retry_waits_on_import``): the same attempts and the same
error, a shorter sleep. Proven against a local HTTP server that throttles every call, with the
kernel's preparation and, to show what it changes, without it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

CLIENT = """
import json, logging, time
{prepare}
import boto3, botocore.endpoint
from botocore.config import Config

asked = []
class Asked(logging.Handler):
    def emit(self, record):
        if "sleeping for" in record.getMessage():
            asked.append(float(record.args[0]))
log = logging.getLogger("botocore.endpoint"); log.setLevel(logging.DEBUG); log.addHandler(Asked())
slept = []
real = time.sleep
time.sleep = lambda s: slept.append(s)   # the sleep botocore's module ends in, scaled or not
ddb = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:{port}", region_name="us-east-1",
                   aws_access_key_id="x", aws_secret_access_key="x",
                   config=Config(retries={{"max_attempts": 4, "mode": "standard"}}))
try:
    ddb.list_tables()
    error = None
except Exception as e:
    error = type(e).__name__ + ": " + e.response["Error"]["Code"]
print(json.dumps({{"asked": asked, "slept": slept, "error": error}}))
"""


@pytest.fixture
def throttling_server():
    calls = []

    class Throttle(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            calls.append(self.headers.get("X-Amz-Target"))
            body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                               "message": "Rate exceeded"}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Throttle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], calls
    server.shutdown()


def _run(prepare: str, port: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CLIENT.format(prepare=prepare, port=port)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_graded_kernel_retries_as_botocore_does_and_sleeps_a_fiftieth(throttling_server):
    from mastery.grading.sandbox.kernel import RETRY_WAIT_SCALE

    port, calls = throttling_server
    graded = _run("from mastery.grading.sandbox import kernel; kernel.prepare()", port)
    attempts = len(calls)
    assert attempts >= 3, calls
    assert graded["error"] == "ThrottlingException: ThrottlingException"   # the error after the last attempt
    assert len(graded["asked"]) == attempts - 1                    # a wait before every retry
    assert graded["slept"] == pytest.approx([a * RETRY_WAIT_SCALE for a in graded["asked"]])

    calls.clear()
    plain = _run("", port)                                         # a learner's own kernel
    assert len(calls) == attempts and plain["error"] == graded["error"]
    assert len(plain["asked"]) == attempts - 1
    assert plain["slept"] == pytest.approx(plain["asked"])
