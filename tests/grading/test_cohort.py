"""The cohort commands' safety: bad input gets a clear error and loses nothing, and every
command can run twice. Fast: no notebook is executed here (the whole workflow with real
grading is tests/test_cohort_simulated.py)."""

from __future__ import annotations

import json
import types

import pytest

from mastery import cli, paths
from mastery.grading import cohort, progress


def _run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def made(tmp_path):
    c, created = cohort.Cohort.create(tmp_path / "c1", late_policy="zero")
    assert created
    return c


def test_create_twice_keeps_everything(tmp_path, made):
    (made.root / "gradebook.db").write_bytes((made.root / "gradebook.db").read_bytes())
    before = {p.name: p.stat().st_mtime_ns for p in made.root.iterdir()}
    again, created = cohort.Cohort.create(made.root, late_policy="none")
    assert not created and again.late_policy == "zero", "a second create must not change the settings"
    assert {p.name: p.stat().st_mtime_ns for p in made.root.iterdir()} == before
    cfg = (made.root / "nbgrader_config.py").read_text()
    assert "c.Exchange.root = " in cfg and "c.LateSubmissionPlugin.penalty_method = 'zero'" in cfg


def test_cohort_folder_inside_the_repo_or_not_empty_is_refused(tmp_path, capsys):
    code, _, err = _run(capsys, "cohort", "create", str(paths.course_root() / "my-cohort"))
    assert code == 2 and "inside the course repository" in err
    assert not (paths.course_root() / "my-cohort").exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.tex").write_text("precious")
    code, _, err = _run(capsys, "cohort", "create", str(busy))
    assert code == 2 and "not empty" in err
    assert (busy / "thesis.tex").read_text() == "precious"


def test_commands_on_a_folder_that_is_no_cohort_say_so(tmp_path, capsys):
    code, _, err = _run(capsys, "cohort", "collect", "month-01", "--cohort", str(tmp_path))
    assert code == 2 and "not a cohort folder" in err and "mastery cohort create" in err


def test_roster_keeps_good_rows_and_reports_bad_ones(tmp_path, made):
    f = tmp_path / "r.csv"
    f.write_text("Student ID,First Name,Last Name,E-mail\n"
                 "ann,Ann,Lee,ann@example.org\n"
                 "\n"
                 "BOB!,Bob,X,bob@example.org\n"
                 "cy,Cy,Z,cy-at-example.org\n"
                 "ann,Ann,Again,ann2@example.org\n"
                 "dee,Dee\n"
                 "eve,Eve,Ng,eve@example.org\n")
    res = made.import_roster(f)
    assert res.added == ["ann", "eve"]
    assert [line for line, _ in res.rejected] == [4, 5, 6, 7]
    reasons = " | ".join(why for _, why in res.rejected)
    assert "not a valid learner id" in reasons and "not an address" in reasons
    assert "appears twice" in reasons and "2 fields" in reasons
    assert made.students() == ["ann", "eve"]
    again = made.import_roster(f)
    assert again.added == [] and again.updated == ["ann", "eve"]
    with made.api.gradebook as gb:
        assert gb.find_student("ann").email == "ann@example.org"


def test_roster_without_header_is_refused_and_changes_nothing(tmp_path, made):
    f = tmp_path / "r.csv"
    f.write_text("ann,Ann,Lee,ann@example.org\n")
    with pytest.raises(cohort.CohortError, match="first line must name the columns"):
        made.import_roster(f)
    assert made.students() == []


def test_release_of_an_unknown_month_or_bad_due_date(made):
    with pytest.raises(cohort.CohortError, match="no assignment 'month-99'"):
        made.release("month-99")
    with pytest.raises(cohort.CohortError, match="not a date"):
        made.release("month-01", due="next tuesdayish")


def test_autograde_needs_a_collected_submission(made):
    made.release("month-01")
    with pytest.raises(cohort.CohortError, match="nothing collected for month-01"):
        made.autograde_all("month-01", progress=False)
    with pytest.raises(cohort.CohortError, match="no collected submission of month-01 for: zed"):
        made.autograde_all("month-01", students=["zed"], progress=False)


def test_unreadable_notebooks_are_named(tmp_path):
    (tmp_path / "a.ipynb").write_text("{not json")
    (tmp_path / "b.ipynb").write_text(json.dumps({"cells": "nope"}))
    (tmp_path / "c.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                                  "nbformat_minor": 5}))
    bad = cohort.unreadable_notebooks(tmp_path)
    assert sorted(bad) == ["a.ipynb", "b.ipynb"]
    assert all(why.startswith("not a valid notebook") for why in bad.values())


def _report(path, results):
    rs = [types.SimpleNamespace(grade_id=g, passed=p, points=pts if p else 0, max_points=pts)
          for g, p, pts in results]
    return types.SimpleNamespace(notebook=str(path), results=rs, hidden_points=5.0)


def test_progress_reads_the_learners_own_results(tmp_path):
    store = progress.Store(tmp_path / "p.jsonl")
    m1 = tmp_path / "work" / "month-01"
    store.record(_report(m1 / "02-saga-step-functions.ipynb", [("t1", False, 2), ("t2", False, 3)]))
    # the newer result wins
    store.record(_report(m1 / "02-saga-step-functions.ipynb", [("t1", True, 2), ("t2", False, 3)]))
    store.record(_report(m1 / "01-event-sourcing-cqrs.ipynb", [("a", True, 1)]))
    store.record(_report(tmp_path / "month-02" / "05-zero-trust.ipynb", [("x", False, 4)]))
    with store.path.open("a") as f:
        f.write('{"torn line\n')
    text = progress.render(store.latest())
    # the denominator is the month's four exercises (plus any other checked), not the checked ones
    assert ("month-01: 1/4 exercises pass every visible test (2 not checked yet: 03-strangler-fig, "
            "04-canary-releases)") in text
    assert "02-saga-step-functions" in text and "1/2 tests, 2/5 points" in text and "failing: t2" in text
    assert "month-02: 0/4" in text
    png = progress.chart(store.latest(), tmp_path / "p.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_progress_with_no_results_says_what_to_do(tmp_path, capsys):
    code, out, _ = _run(capsys, "progress", "--store", str(tmp_path / "none.jsonl"))
    assert code == 0 and "run `check()` in an exercise (or `mastery check month-01`)" in out


def test_learner_commands_explain_a_missing_exchange(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MASTERY_EXCHANGE", raising=False)
    code, _, err = _run(capsys, "fetch", "month-01", "--exchange", str(tmp_path / "nowhere"),
                        "--student", "ann", "--home", str(tmp_path))
    assert code == 2 and "month-01" in err
    code, _, err = _run(capsys, "submit", "month-01", "--exchange", str(tmp_path), "--student", "ann",
                        "--home", str(tmp_path))
    assert code == 2 and "fetch it first" in err


def test_check_records_into_the_learners_progress(tmp_path, capsys, monkeypatch):
    from mastery import backend
    from mastery.grading import check

    nb = tmp_path / "month-01" / "02-saga-step-functions.ipynb"
    nb.parent.mkdir()
    nb.write_text("{}")
    fake = check.Report(str(nb), [check.TestResult("test-happy-path", True, 2, 2),
                                    check.TestResult("test-out-of-stock", False, 0, 2, "hint")])
    monkeypatch.setattr(check, "check_notebook", lambda path, timeout=120: fake)
    monkeypatch.setattr(backend, "require", lambda: None)
    monkeypatch.setenv("MASTERY_PROGRESS", str(tmp_path / "mine.jsonl"))
    assert cli.main(["check", str(nb)]) == 1
    code, out, _ = _run(capsys, "progress", "--png", str(tmp_path / "p.png"))
    assert code == 0 and "02-saga-step-functions" in out and "1/2 tests" in out
    assert "failing: test-out-of-stock" in out and (tmp_path / "p.png").is_file()


def test_fetch_suggests_submit_with_the_same_options(made, tmp_path, capsys):
    made.release("month-01")
    home = tmp_path / "ann-home"
    code, out, _ = _run(capsys, "fetch", "month-01", "--exchange", str(made.root / "exchange"),
                        "--student", "ann", "--home", str(home))
    assert code == 0, out
    assert (f"`mastery submit month-01 --exchange {made.root / 'exchange'} --student ann "
            f"--home {home}`") in out


def test_fetch_without_an_exchange_says_only_what_to_do(tmp_path):
    """No nbgrader configuration anywhere: mastery's own message, not nbgrader's warning first."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MASTERY_EXCHANGE"}
    env.update(HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "jc"))
    run = subprocess.run([sys.executable, "-m", "mastery.cli", "fetch", "month-01"], cwd=tmp_path,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 2
    assert "nbgrader_config.py file found" not in run.stdout + run.stderr
    assert run.stderr.startswith("mastery: no exchange folder known: pass --exchange DIR"), run.stderr


def test_cohort_config_file_is_valid_python(made):
    """The cohort's nbgrader_config.py repeats the course's settings as text: every value must
    survive that (a class object would not), or nbgrader, the formgrader and the Assignments
    panel all fail to load it."""
    text = (made.root / "nbgrader_config.py").read_text()
    compile(text, "nbgrader_config.py", "exec")
    assert "mastery.grading.authoring.TagTestsRaiseException" in text


def test_hidden_tests_in_feedback_is_a_cohort_setting_summary_by_default(tmp_path, made, capsys):
    cfg = made.root / "nbgrader_config.py"
    assert made.feedback_hidden_tests == "summary"
    assert "mastery.grading.feedback.HideHiddenTests" in cfg.read_text()
    code, out, _ = _run(capsys, "cohort", "settings", "--cohort", str(made.root),
                        "--feedback-hidden-tests", "source")
    assert code == 0 and "feedback_hidden_tests  source" in out
    assert json.loads((made.root / "cohort.json").read_text())["feedback_hidden_tests"] == "source"
    assert "HideHiddenTests" not in cfg.read_text(), "nbgrader and the formgrader follow the setting"
    assert "mastery.grading.feedback.NotebookStyle" in cfg.read_text()
    # a cohort made before the setting existed gets the default, and its config follows
    settings = json.loads((made.root / "cohort.json").read_text())
    del settings["feedback_hidden_tests"]
    (made.root / "cohort.json").write_text(json.dumps(settings))
    assert cohort.Cohort(made.root).feedback_hidden_tests == "summary"
    assert "HideHiddenTests" in cfg.read_text()
    with pytest.raises(SystemExit):
        cli.main(["cohort", "settings", "--cohort", str(made.root), "--feedback-hidden-tests", "all"])


def test_a_formgrader_on_the_course_repository_writes_no_gradebook_there(tmp_path):
    """Issue 14, item 8: Nbgrader > Formgrader in a lab on the repository (`mastery start`)
    created gradebook.db in the repository. The repository is no cohort: its formgrader gets
    an in-memory gradebook (the cohort's is `mastery cohort lab`)."""
    import os
    import subprocess
    import sys

    repo_db = paths.course_root() / "gradebook.db"
    had_db = repo_db.exists()
    code = ("from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension\n"
            "from nbgrader.apps import NbGraderAPI\n"
            "fg = FormgradeExtension(); fg.root_dir = '.'; fg.initialize([])\n"
            "api = NbGraderAPI(fg.coursedir, fg.authenticator, parent=fg)\n"
            "print(sorted(a['name'] for a in api.get_assignments()))\n"
            "print(fg.coursedir.db_url)\n")
    (tmp_path / "config").mkdir()
    env = {**os.environ, "HOME": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.course_root(), capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "month-01" in out.stdout and "sqlite:///:memory:" in out.stdout, out.stdout
    assert repo_db.exists() == had_db, "a gradebook was written into the course repository"


@pytest.mark.parametrize(("failures", "calls", "success"), [
    (["Kernel didn't respond in 60 seconds"], 2, True),
    (["zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:58699')",
      "RuntimeError: Kernel died before replying to kernel_info"], 3, True),
    (["Kernel didn't respond in 60 seconds"] * 3, 3, False),  # at most two retries
    (["ZeroDivisionError: division by zero"], 1, False),      # the submission's own failure: no retry
])
def test_a_kernel_that_never_started_is_graded_again(failures, calls, success):
    from mastery.grading.cohort import parallel

    made_calls = []

    def autograde(assignment, student, force, create):
        made_calls.append(student)
        if len(made_calls) <= len(failures):
            return {"success": False, "error": "", "log": failures[len(made_calls) - 1]}
        return {"success": True, "error": "", "log": ""}

    course = types.SimpleNamespace(api=types.SimpleNamespace(autograde=autograde))
    assert parallel._autograde(course, "month-01", "ada")["success"] is success
    assert len(made_calls) == calls
