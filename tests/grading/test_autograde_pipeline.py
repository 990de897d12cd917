"""The grading pipeline, end to end with nbgrader: for every graded notebook, the reference
solution gets full marks, the untouched release gets 0, and every wrong answer in
tests/weeks/*/wrong_answers loses the points its header says it loses, and every right answer
written differently (tests/weeks/*/right_answers) keeps full marks.

All submissions are autograded in one throwaway course folder (its own gradebook), each
learner a different student id, so namespaces keep their AWS resources apart.
"""

from __future__ import annotations

import pytest

from mastery import paths
from mastery.grading import cohort, submissions

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_aws")]

NOTEBOOKS = sorted(
    (p.parent.name, p.name) for p in paths.solutions_dir().glob("month-*/*.ipynb")
)
WRONG = submissions.wrong_answers()
RIGHT = submissions.right_answers()
# Exercises brought to the grading standard of issue 12 (outcome tests, right answers written
# differently, every gap class): each keeps at least two right answers. The list grows until it
# holds every graded notebook.
NEW_STANDARD: set[str] = {
    "01-event-sourcing-cqrs", "02-saga-step-functions", "05-zero-trust", "06-dlp-compliance",
    "07-caching-data-access", "09-cost-analytics", "10-finops-governance", "11-thought-leadership",
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    c = cohort.Course(tmp_path_factory.mktemp("course"))
    for month in sorted({m for m, _ in NOTEBOOKS}):
        c.add_assignment(month)
    return c


def _grade(course, student, month, notebook, nb):
    course.submit(student, month, {notebook: nb})
    result = course.autograde(month, student)
    assert result["success"], result.get("log", "") + result.get("error", "")
    return course.score(month, student)[notebook.removesuffix(".ipynb")]


def _student(*parts):
    return "-".join(parts).replace(".ipynb", "").replace("_", "-")[:60]


@pytest.mark.parametrize(("month", "notebook"), NOTEBOOKS, ids=[n for _, n in NOTEBOOKS])
def test_reference_solution_gets_full_marks(course, month, notebook):
    nb = submissions.reference_submission(month, notebook)
    score = _grade(course, _student("ref", notebook), month, notebook, nb)
    autograded = {k: v for k, v in score.cells.items() if "test" in k}
    lost = {k: v for k, v in autograded.items() if v[0] != v[1]}
    assert not lost, f"reference solution lost points: {lost}"
    assert autograded, "no autograded test cells found"


@pytest.mark.parametrize(("month", "notebook"), NOTEBOOKS, ids=[n for _, n in NOTEBOOKS])
def test_untouched_release_gets_zero(course, month, notebook):
    nb = submissions.blank_submission(month, notebook)
    score = _grade(course, _student("blank", notebook), month, notebook, nb)
    assert score.score == 0, f"an empty submission scored {score.score}: {score.cells}"


def test_every_graded_notebook_has_five_wrong_answers():
    for month, notebook in NOTEBOOKS:
        n = sum(w.month == month and w.notebook == notebook for w in WRONG)
        assert n >= 5, f"{month}/{notebook} has {n} wrong-answer fixtures; keep at least five"


@pytest.mark.parametrize("wa", WRONG, ids=[f"{w.notebook[:-6]}:{w.name}" for w in WRONG])
def test_wrong_answer_loses_points(course, wa):
    nb = submissions.patched_submission(wa)
    score = _grade(course, _student("wa", wa.notebook[:2], wa.name), wa.month, wa.notebook, nb)
    assert score.score < score.max_score, f"{wa.name} got full marks: {wa.why}"
    for test_cell in wa.loses:
        assert test_cell in score.cells, f"{wa.path}: no test cell {test_cell!r} in {wa.notebook}"
        got, _ = score.cells[test_cell]
        assert got == 0, f"{wa.name} should lose {test_cell} ({wa.why}) but scored {got}"


def test_exercises_of_the_new_standard_have_two_right_answers():
    for month, notebook in NOTEBOOKS:
        if notebook.removesuffix(".ipynb") in NEW_STANDARD:
            n = sum(r.month == month and r.notebook == notebook for r in RIGHT)
            assert n >= 2, f"{month}/{notebook} has {n} right answers written differently; keep at least two"


@pytest.mark.parametrize("ra", RIGHT, ids=[f"{r.notebook[:-6]}:{r.name}" for r in RIGHT])
def test_right_answer_written_differently_gets_full_marks(course, ra):
    nb = submissions.patched_submission(ra)
    score = _grade(course, _student("ra", ra.notebook[:2], ra.name), ra.month, ra.notebook, nb)
    autograded = {k: v for k, v in score.cells.items() if "test" in k}
    lost = {k: v for k, v in autograded.items() if v[0] != v[1]}
    assert not lost, f"{ra.path.name} ({ra.why}) is right but lost points: {lost}"
