"""In a real browser (Debian's headless Chromium, driven by Playwright; never a downloaded
browser): JupyterLab on a cohort lists the released month in nbgrader's Assignments panel,
fetches and submits it from there (the instructor's collect then finds the submission), and
the formgrader opens for the instructor with that month.

Skipped, saying why, when Playwright or /usr/bin/chromium is missing
(`apt-get install -y chromium`, `pip install playwright`).
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import need_tool

from mastery.grading import cohort

CHROMIUM = os.environ.get("MASTERY_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except Exception:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def lab(tmp_path):
    need_tool(importlib.util.find_spec("playwright") is not None, "pip install playwright")
    need_tool(bool(shutil.which(CHROMIUM)), f"{CHROMIUM} not found: apt-get install -y chromium")
    c, _ = cohort.Cohort.create(tmp_path / "cohort")
    c.release("month-01")
    confdir = tmp_path / "jupyter-config"
    confdir.mkdir()
    shutil.copy(c.root / "nbgrader_config.py", confdir / "nbgrader_config.py")
    token, port = secrets.token_hex(16), _free_port()
    log = tmp_path / "lab.log"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(confdir), HOME=str(tmp_path),
               JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.root_dir={tmp_path}", f"--IdentityProvider.token={token}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        yield {"url": f"http://127.0.0.1:{port}", "token": token, "root": tmp_path, "cohort": c}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_assignments_panel_and_formgrader_in_chromium(lab):
    from playwright.sync_api import sync_playwright

    base, token = lab["url"], lab["token"]
    seen = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(90_000)
            # the lab first: it logs in with the token (the formgrader's cookie has no Path=/)
            page.goto(f"{base}/lab?token={token}")
            page.wait_for_selector("#jp-main-dock-panel")
            page.get_by_role("menuitem", name="Nbgrader").click()
            page.get_by_role("menuitem", name="Assignment List").click()
            released = page.locator("#released_assignments_list")
            released.get_by_text("month-01").wait_for()
            seen["assignments panel, released"] = released.inner_text()
            released.get_by_role("button", name="Fetch").click()
            fetched = page.locator("#fetched_assignments_list")
            fetched.get_by_text("month-01").wait_for()
            seen["assignments panel, fetched"] = fetched.inner_text()
            fetched.get_by_role("button", name="Submit").click()
            submitted = page.locator("#submitted_assignments_list")
            submitted.get_by_text("month-01").wait_for()
            seen["assignments panel, submitted"] = submitted.inner_text()
            page.screenshot(path=str(lab["root"] / "assignments.png"))

            page.goto(f"{base}/formgrader")
            page.get_by_text("month-01").first.wait_for()
            seen["formgrader"] = page.locator("body").inner_text()
            page.screenshot(path=str(lab["root"] / "formgrader.png"))
        finally:
            browser.close()

    assert "month-01" in seen["assignments panel, released"]
    assert "month-01" in seen["assignments panel, fetched"]
    fetched_files = sorted(p.name for p in (lab["root"] / "month-01").glob("*.ipynb"))
    released_files = sorted(p.name for p in (lab["cohort"].root / "release" / "month-01").glob("*.ipynb"))
    assert fetched_files == released_files and fetched_files, "the panel's Fetch put the month in the home"
    collected, _ = lab["cohort"].collect("month-01")
    assert len(collected) == 1, "the panel's Submit reached the instructor's collect"
    assert "Manage Assignments" in seen["formgrader"] and "month-01" in seen["formgrader"]
    print("\n".join(f"--- {k}:\n{v[:600]}" for k, v in seen.items()))
