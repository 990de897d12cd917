"""`mastery start --no-browser` brings up the backend and JupyterLab on the course."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from mastery import paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_start_serves_jupyterlab_on_the_course(tmp_path):
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_TOKEN="course-test")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mastery.cli", "start", "--no-browser", "--port", str(port)],
        cwd=paths.course_root(), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True,
    )
    try:
        deadline = time.monotonic() + 180
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/contents/notebooks/month-01?token=course-test"
                with urllib.request.urlopen(url, timeout=5) as r:
                    body = r.read().decode()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        assert body is not None, f"JupyterLab did not answer; it printed:\n{proc.stdout.read()[-3000:]}"
        assert "02-saga-step-functions.ipynb" in body, "JupyterLab should serve the course folder"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
