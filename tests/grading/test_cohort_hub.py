"""deploy/jupyterhub_config.py on one machine: JupyterHub (dummy authenticator, local
spawner, configurable-http-proxy from npm) serves a cohort; a learner's server lists the
released month, fetches and submits it through nbgrader's assignment-list API and has no
formgrader; the instructor's server has the formgrader with the month, and the instructor's
collect finds the learner's submission under the learner's own id.

Skipped, saying why, when jupyterhub or configurable-http-proxy is missing
(`pip install jupyterhub`, `npm install -g configurable-http-proxy`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import need_tool

from mastery import paths
from mastery.grading import cohort

pytestmark = [pytest.mark.slow]
CONFIG = paths.course_root() / "deploy" / "jupyterhub_config.py"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def start(self, user: str, seconds: float = 240) -> None:
        self.call("POST", f"/hub/api/users/{user}")  # 409 if it exists already
        code, text = self.call("POST", f"/hub/api/users/{user}/server")
        assert code in (201, 202, 400), f"spawn {user}: {code} {text}"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            _, text = self.call("GET", f"/hub/api/users/{user}")
            server = json.loads(text).get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(1)
        raise AssertionError(f"{user}'s server did not become ready: {text}")


@pytest.fixture
def hub(tmp_path):
    need_tool(importlib.util.find_spec("jupyterhub") is not None, "pip install jupyterhub")
    need_tool(bool(shutil.which("configurable-http-proxy")),
              "configurable-http-proxy not found: ./course test installs it (npm)")
    c, _ = cohort.Cohort.create(tmp_path / "cohort")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nann,Ann,Lee,ann@example.org\nbob,Bob,Ng,bob@example.org\n")
    c.import_roster(roster)
    c.release("month-01")
    token, port = secrets.token_hex(16), _port()
    env = dict(os.environ, MASTERY_HUB_COHORT=str(c.root), MASTERY_HUB_INSTRUCTORS="teacher",
               MASTERY_HUB_AUTH="dummy", MASTERY_HUB_SPAWNER="simple", MASTERY_HUB_PORT=str(port),
               MASTERY_HUB_INTERNAL_PORT=str(_port()), MASTERY_HUB_PROXY_API_PORT=str(_port()),
               MASTERY_HUB_STATE=str(tmp_path / "hub"), MASTERY_HUB_HOMES=str(tmp_path / "homes"),
               MASTERY_HUB_API_TOKEN=token,
               PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    log = tmp_path / "hub.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)],
                                cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    h = Hub(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"jupyterhub exited:\n{log.read_text()[-4000:]}"
            try:
                if h.call("GET", "/hub/api/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError(f"the hub did not answer:\n{log.read_text()[-4000:]}")
        yield h, c, tmp_path, log
    finally:
        for user in ("ann", "teacher"):
            try:
                h.call("DELETE", f"/hub/api/users/{user}/server")
            except OSError:
                pass
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)


def test_one_server_hub_for_a_cohort(hub):
    h, c, tmp, log = hub
    course = {"course_id": cohort.course_id()}
    try:
        h.start("ann")
        code, text = h.call("GET", "/user/ann/assignments?" + urllib.parse.urlencode(course))
        assert code == 200, text
        listed = json.loads(text)
        assert listed["success"], listed
        assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [("month-01", "released")]
        assert h.call("GET", "/user/ann/formgrader")[0] == 404, "learners must not get the formgrader"
        code, text = h.call("GET", "/user/ann/api/contents")
        assert code == 200 and "solutions" not in {x["name"] for x in json.loads(text)["content"]}, text
        learner_course = tmp / "hub" / "course"
        assert (learner_course / "data").is_dir() and not (learner_course / "solutions").exists(), \
            "a learner's course folder (MASTERY_COURSE_ROOT) must not hold solutions/"
        code, page = h.call("GET", "/user/ann/lab")
        disabled = page[page.index('"disabledExtensions"'):][:600]
        for plugin in ("@jupyterlab/apputils-extension:announcements", "@jupyter/nbgrader:create-assignment"):
            assert plugin in disabled, f"{plugin} should be off in a learner's lab: {disabled}"

        code, text = h.call("POST", "/user/ann/assignments/fetch", {"assignment_id": "month-01", **course})
        assert code == 200 and json.loads(text)["success"], text
        fetched = sorted(p.name for p in (tmp / "homes" / "ann" / "month-01").glob("*.ipynb"))
        assert fetched == sorted(p.name for p in (c.root / "release" / "month-01").glob("*.ipynb"))
        code, text = h.call("POST", "/user/ann/assignments/submit", {"assignment_id": "month-01", **course})
        assert code == 200 and json.loads(text)["success"], text

        h.start("teacher")
        code, text = h.call("GET", "/user/teacher/formgrader/api/assignments")
        assert code == 200, text
        assert [a["name"] for a in json.loads(text)] == ["month-01"]
        code, page = h.call("GET", "/user/teacher/formgrader")
        assert code == 200 and "Manage Assignments" in page

        collected, unknown = c.collect("month-01")
        assert collected == ["ann"] and unknown == [], "the submission carries the learner's hub name"
    except AssertionError:
        print(log.read_text()[-6000:])
        raise
