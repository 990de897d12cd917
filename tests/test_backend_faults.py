"""When the local AWS breaks under a learner or a grading run.

* killed in the middle of a notebook: the failing cell says to run `mastery up` and re-run
  the notebook from the top; after `mastery down && mastery up` (state gone) a missing
  resource is explained as the restart, not left as a bare ResourceNotFoundException;
* killed in the middle of `mastery check`: the check refuses to report a score;
* killed in the middle of a cohort autograde: the submission is marked for re-grading, its
  score is blank (not 0) in grades.csv, and `--regrade` grades it properly afterwards;
* a notebook run twice gives the same result.

(A port taken by another program and an unhealthy LocalStack are in test_backend.py.)
Each test runs on an emulator of its own, never the session's.
"""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from mastery import backend
from mastery.grading import check, cohort, submissions

MONTH, NB = "month-01", "01-event-sourcing-cqrs.ipynb"
PORT = 4597


@pytest.fixture
def own_backend(monkeypatch, tmp_path):
    monkeypatch.setenv("MASTERY_PORT", str(PORT))
    monkeypatch.setenv("MASTERY_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("MASTERY_LEARNER", "fault-tester")
    backend.down(PORT)
    backend.up(PORT)
    yield PORT
    backend.down(PORT)


def _outputs(cell) -> str:
    return "\n".join(" ".join(str(o.get(k, "")) for k in ("text", "ename", "evalue")) for o in cell.outputs)


def _cli(*args: str) -> str:
    return f"subprocess.run([sys.executable, '-m', 'mastery.cli', {', '.join(map(repr, args))}], check=True)"


@pytest.mark.slow
def test_a_notebook_whose_backend_dies_or_restarts_says_what_to_do(own_backend, tmp_path):
    cells = [
        "import subprocess, sys\nfrom mastery import aws\nddb = aws.client('dynamodb')\n"
        "t = aws.ensure_table(aws.Namespace('faults').name('t'), 'pk')\nprint('made', t)",
        _cli("down"),
        "ddb.describe_table(TableName=t)",  # the emulator is gone
        _cli("up"),
        "ddb.describe_table(TableName=t)",  # a new, empty emulator
    ]
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    gone, restarted = _outputs(nb.cells[2]), _outputs(nb.cells[4])
    assert "EndpointConnectionError" in gone
    assert "`mastery up`" in gone and "re-run this notebook from the top" in gone
    assert "ResourceNotFoundException" in restarted
    assert "was restarted after this notebook created its resources" in restarted


@pytest.mark.slow
def test_check_refuses_to_score_when_the_backend_dies_midway(own_backend, tmp_path):
    folder = tmp_path / MONTH
    folder.mkdir()
    nb = submissions.reference_submission(MONTH, NB)
    sol = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "projection")
    sol.source = "import subprocess, sys\n" + _cli("down") + "\n" + sol.source
    nbformat.write(nb, folder / NB)
    with pytest.raises(backend.BackendError, match=r"stopped while .* was being checked.*`mastery up`"):
        check.check_notebook(folder / NB)


@pytest.mark.slow
def test_a_notebook_checked_twice_gives_the_same_result(own_backend, tmp_path):
    folder = tmp_path / MONTH
    folder.mkdir()
    nbformat.write(submissions.reference_submission(MONTH, NB), folder / NB)
    first = check.check_notebook(folder / NB)
    second = check.check_notebook(folder / NB)
    assert first.results and all(t.passed for t in first.results)
    assert [(t.grade_id, t.passed) for t in second.results] == [(t.grade_id, t.passed) for t in first.results]


def _kill_grader_emulator(root: Path, after: float, done: threading.Event, killed: list) -> None:
    """Kill the grading worker's emulator ``after`` seconds into grading."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not done.is_set():
        pid_files = list((root / ".grading").glob("*/*/emulator-*.pid"))
        if pid_files:
            # from when the emulator answers (its start-up takes seconds on a loaded machine, and a
            # kill before it is up is a failed start, not an emulator lost mid-grading)
            port = int(pid_files[0].stem.rsplit("-", 1)[-1])
            while time.monotonic() < deadline and not done.is_set() \
                    and not backend.probe(port, timeout=0.5).up:
                time.sleep(0.1)
            time.sleep(after)
            try:
                pid = int(pid_files[0].read_text())
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            except (OSError, ValueError):
                pass
            return
        time.sleep(0.1)


@pytest.mark.slow
def test_grading_marks_submissions_for_regrade_when_the_emulator_dies(tmp_path, capsys):
    from mastery import cli

    c, _ = cohort.Cohort.create(tmp_path / "cohort")
    c.release(MONTH)
    (tmp_path / "roster.csv").write_text("id,first_name,last_name,email\nslow,S,L,s@example.org\n")
    c.import_roster(tmp_path / "roster.csv")
    nb = submissions.reference_submission(MONTH, NB)
    sol = next(x for x in nb.cells if x.metadata.get("nbgrader", {}).get("grade_id") == "projection")
    sol.source = "import time\ntime.sleep(10)\n" + sol.source
    c.submit("slow", MONTH, {NB: nb})

    done, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_grader_emulator, args=(c.root, 4.0, done, killed))
    killer.start()
    try:
        code = cli.main(["cohort", "autograde", MONTH, "--cohort", str(c.root), "--workers", "1", "--quiet"])
    finally:
        done.set()
        killer.join()
    out = capsys.readouterr().out
    assert killed, "the test did not get to kill the grader's emulator"
    assert code == 1 and "1 to re-grade" in out and f"mastery cohort autograde {MONTH} --regrade" in out
    grades, _ = c.export()
    row = next(r for r in csv.DictReader(grades.open()) if r["student_id"] == "slow")
    assert row["grading_status"] == "regrade" and row["score"] == "" and row["raw_score"] == ""
    _, problems = c.feedback(MONTH)
    assert "re-grade" in problems["slow"]

    code = cli.main(["cohort", "autograde", MONTH, "--cohort", str(c.root), "--regrade", "--quiet"])
    assert code == 0, capsys.readouterr().out
    grades, _ = c.export()
    row = next(r for r in csv.DictReader(grades.open()) if r["student_id"] == "slow")
    full = sum(float(x.metadata["nbgrader"]["points"]) for x in
               nbformat.read(Path(c.root, "source", MONTH, NB), as_version=4).cells
               if x.cell_type == "code" and x.metadata.get("nbgrader", {}).get("grade"))
    assert row["grading_status"] == "graded" and float(row["raw_score"]) == full
    with pytest.raises(cohort.CohortError, match="no submission .* marked for re-grading"):
        c.autograde_all(MONTH, regrade=True, progress=False)
