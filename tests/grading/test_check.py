"""`mastery check`: instant feedback on a learner's working copy, without any gradebook."""

from __future__ import annotations

import nbformat
import pytest

from mastery import cli
from mastery.grading import check, submissions

MONTH, NB = "month-01", "02-saga-step-functions.ipynb"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    folder = tmp_path / MONTH
    folder.mkdir()
    monkeypatch.setenv("MASTERY_LEARNER", "check-tester")
    return folder


def _write(folder, nb):
    path = folder / NB
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_reference_passes_every_visible_test(workdir, capsys):
    path = _write(workdir, submissions.reference_submission(MONTH, NB))
    assert cli.main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "PASS  test-happy-path" in out and "FAIL" not in out
    assert "points of hidden tests" in out and "graded by your instructor" in out


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_blank_fails_with_a_hint(workdir, capsys):
    path = _write(workdir, submissions.blank_submission(MONTH, NB))
    assert cli.main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  test-happy-path" in out and "hint: not done yet" in out


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_edited_and_deleted_tests_are_restored(workdir):
    wa = next(w for w in submissions.wrong_answers() if w.name == "catch_replaces_input")
    nb = submissions.patched_submission(wa)
    for c in nb.cells:  # the learner "fixes" a failing test by deleting its assertions
        if c.metadata.get("nbgrader", {}).get("grade_id") == "test-out-of-stock":
            c.source = "pass"
    nb.cells = [c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") != "test-happy-path"]
    report = check.check_notebook(_write(workdir, nb))
    results = {r.grade_id: r for r in report.results}
    assert set(results) == {"test-happy-path", "test-out-of-stock"}, "deleted test cell not restored"
    assert not results["test-out-of-stock"].passed, "an edited test cell must be restored, not trusted"
    assert "ResultPath" in results["test-out-of-stock"].hint


def test_bad_files_get_clear_errors(workdir, tmp_path, capsys):
    (workdir / NB).write_text("{ not json")
    assert cli.main(["check", str(workdir / NB)]) == 2
    assert "not a valid notebook" in capsys.readouterr().err
    (workdir / NB).write_text("")
    with pytest.raises(check.SubmissionError, match="empty"):
        check.check_notebook(workdir / NB)
    with pytest.raises(check.SubmissionError, match="no such notebook"):
        check.check_notebook(workdir / "missing.ipynb")
    stray = tmp_path / NB
    nbformat.write(nbformat.v4.new_notebook(), stray)
    with pytest.raises(check.SubmissionError, match="which month"):
        check.check_notebook(stray)
    with pytest.raises(check.SubmissionError, match="no such notebook, folder or month"):
        check.working_copies("month-99")
