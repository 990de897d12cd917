"""Grades the learner's code cannot fake (mastery.grading.integrity): fingerprints agree across
processes; a trick the kernel-side guard cannot see (replacing a builtin) still loses the points,
because the week's trusted check runs in the grading process; the reference keeps full marks."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from mastery import paths
from mastery.grading import cohort, integrity, submissions

MONTH, NB = "month-03", "10-finops-governance.ipynb"


def test_fingerprints_are_the_same_in_another_process():
    other = subprocess.run([sys.executable, "-c", "import json; from mastery.grading import integrity; "
                            "print(json.dumps(integrity.fingerprints()))"],
                           capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(other.stdout) == integrity.fingerprints()
    assert "expect" in integrity.fingerprints()["mastery.expect"]


def test_setup_bindings_are_what_the_locked_cells_import():
    sol = nbformat.read(paths.solutions_dir() / MONTH / NB, as_version=4)
    bound = integrity.setup_bindings(sol)
    assert bound["expect"] == ("mastery.expect", "expect")
    assert bound["governance"] == ("mastery.weeks.w10_finops_governance", "governance")


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_trusted_checks_catch_what_the_kernel_cannot_see(tmp_path):
    course = cohort.Course(tmp_path / "course")
    course.add_assignment(MONTH)
    good = submissions.reference_submission(MONTH, NB)
    # no budgets at all, and len() made to say 3: the kernel-side alert test then passes on nothing
    bad = submissions.reference_submission(MONTH, NB)
    c = _cell(bad, "team-budgets")
    c.source += ("\n\ndef create_team_budgets(budgets, team_budgets, email):\n    return []\n\n"
                 "import builtins\n_len = builtins.len\n"
                 "builtins.len = lambda x: 3 if isinstance(x, dict) and not x else _len(x)\n")
    scores = {}
    for student, nb in (("good", good), ("bad", bad)):
        course.submit(student, MONTH, {NB: nb})
        assert course.autograde(MONTH, student)["success"]
        scores[student] = course.score(MONTH, student)[NB[:-6]].cells
    for gid in integrity.trusted_checks(NB[:-6]):
        assert scores["good"][gid][0] == scores["good"][gid][1], f"the reference lost {gid}"
    assert scores["bad"]["test-budget-alerts"][0] == 0
    out = nbformat.read(course.root / "autograded" / "bad" / MONTH / NB, as_version=4)
    text = json.dumps(_cell(out, "test-budget-alerts").outputs)
    assert "TrustedCheckFailed" in text and "not one budget per team" in text


def test_the_guard_passes_genuine_state_and_names_what_was_replaced():
    import types

    from mastery.expect import expect
    from mastery.weeks.w10_finops_governance import governance

    guard = compile(integrity.prelude({"expect": ("mastery.expect", "expect"),
                                       "governance": ("mastery.weeks.w10_finops_governance", "governance")}),
                    "<guard>", "exec")
    exec(guard, {"expect": expect, "governance": governance})  # nothing changed: silent
    for bad, named in (({"expect": lambda *a, **k: None, "governance": governance}, "'expect'"),
                       ({"expect": expect, "governance": types.SimpleNamespace()}, "'governance'")):
        with pytest.raises(Exception, match=f"scores 0: .*{named}") as e:
            exec(guard, bad)
        assert type(e.value).__name__ == "TamperingDetected"


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week4_trusted_check_catches_an_alias_faked_in_the_kernel(tmp_path):
    """A rollback that never touches the alias, hidden behind botocore's _make_api_call (which
    the kernel guard does not fingerprint): the kernel's test passes, the trusted check does not."""
    month, name = "month-01", "04-canary-releases.ipynb"
    wa = next(w for w in submissions.wrong_answers()
              if w.notebook == name and w.name == "fakes_alias_readback")
    course = cohort.Course(tmp_path / "course")
    course.add_assignment(month)
    course.submit("hostile", month, {name: submissions.patched_submission(wa)})
    assert course.autograde(month, "hostile")["success"]
    assert course.score(month, "hostile")[name[:-6]].cells["test-controller-rollback"][0] == 0
    out = nbformat.read(course.root / "autograded" / "hostile" / month / name, as_version=4)
    errors = [o for o in _cell(out, "test-controller-rollback").outputs if o.get("output_type") == "error"]
    assert [o["ename"] for o in errors] == ["TrustedCheckFailed"], errors  # the kernel's test was fooled
    assert "after a rollback from 100 %" in errors[0]["evalue"]


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week8_alarms_faked_in_the_client_lose_the_points_through_the_trusted_check(tmp_path):
    """The notebook's CloudWatch client made to answer DescribeAlarms from memory (an instance
    attribute the kernel-side guard does not look at): the kernel's test passes, the grader's own
    DescribeAlarms finds no alarm, and only that test loses its points."""
    month, nb_name = "month-02", "08-observability-slos.ipynb"
    wa = next(w for w in submissions.wrong_answers() if w.name == "alarms_faked_in_client")
    course = cohort.Course(tmp_path / "course")
    course.add_assignment(month)
    course.submit("faker", month, {nb_name: submissions.patched_submission(wa)})
    assert course.autograde(month, "faker")["success"]
    cells = course.score(month, "faker")[nb_name[:-6]].cells
    assert cells["test-cloudwatch-alarms"][0] == 0
    assert all(v[0] == v[1] for k, v in cells.items() if "test" in k and k != "test-cloudwatch-alarms"), cells
    out = nbformat.read(course.root / "autograded" / "faker" / month / nb_name, as_version=4)
    text = json.dumps(_cell(out, "test-cloudwatch-alarms").outputs)
    assert "TrustedCheckFailed" in text and "the backend has the alarms []" in text


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week7_trusted_check_catches_rows_the_kernel_was_made_to_count(tmp_path):
    """Week 7: to_items drops every order line, and ``len`` is made to report the full count for
    the list the kernel-side test-table-design scans: the kernel test passes, the trusted check
    (which scans the learner's table from the grading process) takes the points."""
    month, nb_name = "month-02", "07-caching-data-access.ipynb"
    course = cohort.Course(tmp_path / "course")
    course.add_assignment(month)
    good = submissions.reference_submission(month, nb_name)
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "table-design")
    c.source += ("\n\n_to_items = to_items\n\n\ndef to_items(customers, orders, order_items):\n"
                 "    return _to_items(customers, orders, order_items.head(0))\n\n\n"
                 "import builtins\n_len = builtins.len\n_rows = _len(customers) + _len(orders)\n"
                 "builtins.len = lambda x: _rows + _len(order_items) \\\n"
                 "    if isinstance(x, list) and _len(x) == _rows else _len(x)\n")
    scores = {}
    for student, nb in (("good", good), ("bad", bad)):
        course.submit(student, month, {nb_name: nb})
        assert course.autograde(month, student)["success"]
        scores[student] = course.score(month, student)[nb_name[:-6]].cells
    for gid in integrity.trusted_checks(nb_name[:-6]):
        assert scores["good"][gid][0] == scores["good"][gid][1], f"the reference lost {gid}"
    assert scores["bad"]["test-table-design"][0] == 0
    out = nbformat.read(course.root / "autograded" / "bad" / month / nb_name, as_version=4)
    text = json.dumps(_cell(out, "test-table-design").outputs)
    assert "TrustedCheckFailed" in text and "not one per customer, order and order line" in text
    assert "all in the one table" not in text, "the kernel-side test was not fooled: the trick proves nothing"
