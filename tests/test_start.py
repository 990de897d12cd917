"""`mastery start --no-browser` brings up the backend and JupyterLab on the learner's working
copy of the course; Ctrl-C stops both; the local AWS's port is an option and in --help."""

from __future__ import annotations

import json
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
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_TOKEN="course-test",
               MASTERY_WORKDIR=str(tmp_path / "work"))
    env.pop("MASTERY_EXCHANGE", None)
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
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token=course-test") as r:
                    top = {c["name"] for c in json.loads(r.read())["content"]}
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        assert body is not None, f"JupyterLab did not answer; it printed:\n{proc.stdout.read()[-3000:]}"
        assert "02-saga-step-functions.ipynb" in body, "JupyterLab should serve the course's lessons"
        assert top == {"notebooks", "exercises"}, f"the learner's lab shows {top} (never solutions/)"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.mark.slow
def test_ctrl_c_stops_jupyterlab_and_the_local_aws_it_started(tmp_path):
    """A backend of its own (own port, own state folder): start brings it up, Ctrl-C takes it down."""
    from mastery import backend

    aws_port, port = _free_port(), _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path), JUPYTER_TOKEN="course-test",
               MASTERY_WORKDIR=str(tmp_path / "work"), MASTERY_STATE_DIR=str(tmp_path / "state"))
    env.pop("MASTERY_EXCHANGE", None)
    env.pop("MASTERY_PORT", None)
    log = tmp_path / "start.log"
    with log.open("w") as out:  # no terminal on stdout, as under nohup or systemd
        proc = subprocess.Popen(
            [sys.executable, "-m", "mastery.cli", "start", "--no-browser", "--port", str(port),
             "--aws-port", str(aws_port)],
            cwd=paths.course_root(), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=course-test", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert backend.probe(aws_port).kind == "embedded", log.read_text()[-2000:]
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches the whole group
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert backend.probe(aws_port).kind == "down", f"the emulator outlived Ctrl-C:\n{log.read_text()[-2000:]}"
    assert "stopped the embedded emulator" in log.read_text()


def test_help_names_the_aws_port():
    out = subprocess.run([sys.executable, "-m", "mastery.cli", "--help"],
                         capture_output=True, text=True).stdout
    assert "MASTERY_PORT" in out
    out = subprocess.run([sys.executable, "-m", "mastery.cli", "start", "--help"],
                         capture_output=True, text=True).stdout
    assert "--aws-port" in out


def test_course_start_with_an_absolute_venv(tmp_path):
    """`MASTERY_VENV=/abs/path ./course start` finds its environment (it used to prefix $PWD)."""
    import hashlib

    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    here = os.path.dirname(sys.executable)
    for tool in ("python", "mastery"):
        os.symlink(os.path.join(here, tool), venv / "bin" / tool)
    stamp = hashlib.sha256((paths.course_root() / "pyproject.toml").read_bytes()).hexdigest()[:16]
    (venv / f".installed-{stamp}").touch()  # installed: no two-minute pip run
    env = dict(os.environ, MASTERY_VENV=str(venv), PATH="/usr/bin:/bin")
    run = subprocess.run([str(paths.course_root() / "course"), "start", "--help"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "--aws-port" in run.stdout, run.stdout + run.stderr
