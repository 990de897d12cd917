"""The in-notebook check (`check()`, mastery.feedback): what the kernel holds, not the saved
file; tests from the release, never from the learner's notebook or from solutions/."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from jupyter_client.manager import KernelManager

from mastery import feedback, paths
from mastery.grading import check, cohort, submissions

MONTH, NB = "month-01", "02-saga-step-functions.ipynb"


def test_course_id_is_nbgraders():
    assert feedback.COURSE_ID == cohort.course_id()


def test_hidden_points_come_from_the_release_alone():
    """A learner's server has no solutions/: the release must tell hidden tests apart."""
    for sol in sorted(paths.solutions_dir().glob("month-*/*.ipynb")):
        from_solutions = {
            c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.get("points", 0))
            for c in nbformat.read(sol, as_version=4).cells
            if c.cell_type == "code" and "### BEGIN HIDDEN TESTS" in c.source}
        release = feedback.read_release(paths.exercises_dir() / sol.parent.name / sol.name)
        assert feedback.hidden_tests(release) == from_solutions, sol.name


def test_every_release_has_the_check_cells():
    for rel in sorted(paths.exercises_dir().glob("month-*/*.ipynb")):
        sources = [c.source for c in nbformat.read(rel, as_version=4).cells if c.cell_type == "code"]
        assert "from mastery.feedback import check" in sources[0], rel.name
        assert sources[-1].strip() == "check()", rel.name
        # Run All reaches that last cell: tests (and harnesses) that fail until answered go on
        for c in nbformat.read(rel, as_version=4).cells:
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code":
                assert "raises-exception" in c.metadata.get("tags", []), (rel.name, c.metadata.nbgrader)


def test_kernel_side_imports_neither_nbgrader_nor_grading():
    code = ("import sys, mastery.feedback; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('nbgrader', 'nbformat') "
            "or m.startswith('mastery.grading')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


class Kernel:
    """A real IPython kernel started as JupyterLab starts one for a notebook."""

    def __init__(self, notebook, env):
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(env=dict(os.environ, JPY_SESSION_NAME=str(notebook), **env),
                             extra_arguments=["--IPKernelApp.log_level=ERROR"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def run(self, code: str) -> dict:
        """Run one cell; its outputs by kind (text/plain, text/html, stream, error)."""
        out = {"text/plain": "", "text/html": "", "stream": "", "error": ""}

        def hook(msg):
            c = msg["content"]
            if msg["msg_type"] in ("execute_result", "display_data"):
                out["text/plain"] += c["data"].get("text/plain", "")
                out["text/html"] += c["data"].get("text/html", "")
            elif msg["msg_type"] == "stream":
                out["stream"] += c["text"]
            elif msg["msg_type"] == "error":
                out["error"] += f"{c['ename']}: {c['evalue']}"

        self.kc.execute_interactive(code, output_hook=hook, timeout=180)
        return out

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture
def kernel_for(tmp_path):
    made = []

    def start(notebook):
        k = Kernel(notebook, {"MASTERY_PROGRESS": str(tmp_path / "progress.jsonl"),
                              "MASTERY_LEARNER": "feedback-tester"})
        made.append(k)
        return k

    yield start
    for k in made:
        with contextlib.suppress(Exception):
            k.close()


def _cells(nb):
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_check_uses_the_kernels_answers_before_any_save(tmp_path, kernel_for):
    """The saved file is the untouched release; the kernel ran the reference answers: the
    check passes every visible test (it does not grade the last saved file)."""
    path = tmp_path / MONTH / NB
    path.parent.mkdir()
    shutil.copy(paths.exercises_dir() / MONTH / NB, path)  # saved: nothing done yet
    k = kernel_for(path)
    for src in _cells(submissions.reference_submission(MONTH, NB))[:-1]:  # everything but check()
        if src.strip():
            assert not k.run(src)["error"], src[:200]
    out = k.run("check()")
    assert not out["error"], out
    text, page = out["text/plain"], out["text/html"]
    assert "PASS  test-happy-path" in text and "PASS  test-out-of-stock" in text and "FAIL" not in text
    sol = nbformat.read(paths.solutions_dir() / MONTH / NB, as_version=4)
    hidden = sum(c.metadata["nbgrader"]["points"] for c in sol.cells
                 if c.metadata.get("nbgrader", {}).get("grade") and "BEGIN HIDDEN TESTS" in c.source)
    assert f"{hidden:g} points of hidden tests" in text and "3 points graded by your instructor" in text
    assert 'class="mastery-pass"' in page and "mastery-fail" not in page
    stored = [json.loads(line) for line in (tmp_path / "progress.jsonl").read_text().splitlines()]
    assert stored[-1]["exercise"] == "02-saga-step-functions"
    assert all(t["passed"] for t in stored[-1]["tests"])


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_check_shows_hints_and_ignores_edited_tests(tmp_path, kernel_for):
    """Blank answers fail with the hint; a learner's edited test cell is never what runs."""
    path = tmp_path / MONTH / NB
    path.parent.mkdir()
    shutil.copy(paths.exercises_dir() / MONTH / NB, path)
    k = kernel_for(path)
    blank = _cells(submissions.blank_submission(MONTH, NB))
    for src in blank[:-1]:
        if src.strip() and "expect(" not in src:  # setup, answers, harness; not the tests
            k.run(src)
    k.run("expect = lambda *a, **k: None  # a learner 'fixing' the tests")
    out = k.run("check()")
    assert "FAIL  test-happy-path" in out["text/plain"], out
    assert "hint: not done yet: replace `raise NotImplementedError()`" in out["text/plain"]
    assert 'class="mastery-fail"' in out["text/html"]


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_check_before_running_the_cells_says_to_run_them(tmp_path, kernel_for):
    path = tmp_path / MONTH / NB
    path.parent.mkdir()
    shutil.copy(paths.exercises_dir() / MONTH / NB, path)
    k = kernel_for(path)
    k.run(_cells(submissions.blank_submission(MONTH, NB))[0])  # the header's import only
    out = k.run("check()")
    assert "run the cells above first" in out["text/plain"], out


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_cli_check_does_not_run_the_notebooks_own_check_cell(tmp_path, monkeypatch):
    """`mastery check` grades the test cells itself: the footer's check() stands aside (no
    second run of the tests, no second progress entry)."""
    path = tmp_path / MONTH / NB
    path.parent.mkdir()
    nbformat.write(submissions.reference_submission(MONTH, NB), path)
    monkeypatch.setenv("MASTERY_PROGRESS", str(tmp_path / "p.jsonl"))
    report = check.check_notebook(path)
    assert all(r.passed for r in report.results)
    assert not (tmp_path / "p.jsonl").exists(), "the footer's check() ran inside mastery check"


def test_cohort_learner_checks_against_the_exchange_without_solutions(tmp_path, monkeypatch):
    """On a cohort server (MASTERY_EXCHANGE set) the release is the exchange's copy; a course
    folder without solutions/ is enough."""
    exchange = tmp_path / "exchange"
    out = exchange / feedback.COURSE_ID / "outbound" / MONTH
    out.mkdir(parents=True)
    shutil.copy(paths.exercises_dir() / MONTH / NB, out / NB)
    monkeypatch.setenv("MASTERY_EXCHANGE", str(exchange))
    monkeypatch.setenv("MASTERY_COURSE_ROOT", str(tmp_path / "no-course-here"))
    work = tmp_path / "home" / MONTH / NB
    assert feedback.release_for(work) == out / NB
    assert feedback.hidden_tests(feedback.read_release(out / NB))["test-retry-policy"] == 1.0
    results = feedback.run_tests(feedback.read_release(out / NB), {})
    assert [r.passed for r in results] == [False, False]
    assert "run the cells above first" in results[0].hint
