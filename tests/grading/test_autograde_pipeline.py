"""The grading pipeline, end to end with nbgrader: for every graded notebook, the reference
solution gets full marks, the untouched release gets 0, and every wrong answer in
tests/weeks/*/wrong_answers loses the points its header says it loses, and every right answer
written differently (tests/weeks/*/right_answers) keeps full marks.

Every submission this run selected (reference, release, wrong and right answers of every
month) is one learner of one throwaway course folder (its own gradebook), graded once, in one
batch, by the course's parallel cohort autograde (``cohort.grade_in_parallel``: worker
processes, each with its own embedded emulator emptied between learners, the grading sandbox).
Each test then reads its own learner's outcome and scores.

A wrong answer's verdict is whether the test cells its header names score 0, so its grading
does no work that cannot change that verdict: it stops after the last of those cells
(``GuardedExecute.stop_after``: cells run in order, so they score as in a whole run; the cells
after them are not run), and Hypothesis does not shrink the failing examples it finds
(``GuardedExecute.hypothesis_shrink``: a test fails when an example fails, however small; the
learner's feedback, which shows the shrunk example, is not what these tests read). An untouched
release is graded whole (every test must fail), without shrinking; references and right answers,
whose tests pass, are graded as a cohort's are. The tests share an xdist group, so
under ``pytest -n`` the batch is graded once, on one test worker, with its own grading workers
(``MASTERY_GRADING_WORKERS``, default 3: a grading waits for its kernel to start and for the
emulator, so two workers left a fifth of a 2-core machine idle; measured in benchmarks/RESULTS.md).
A patch that no longer applies fails its own test.
"""

from __future__ import annotations

import functools
import os

import nbformat
import pytest

from mastery import paths
from mastery.grading import cohort, submissions

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_aws"),
              pytest.mark.xdist_group("autograde-pipeline")]

NOTEBOOKS = sorted(
    (p.parent.name, p.name) for p in paths.solutions_dir().glob("month-*/*.ipynb")
)
WRONG = submissions.wrong_answers()
RIGHT = submissions.right_answers()
# Exercises brought to the grading standard of issue 12 (outcome tests, right answers written
# differently, every gap class): each keeps at least two right answers. The list grows until it
# holds every graded notebook.
NEW_STANDARD: set[str] = {
    "01-event-sourcing-cqrs", "02-saga-step-functions", "03-strangler-fig", "04-canary-releases",
    "05-zero-trust", "06-dlp-compliance", "07-caching-data-access", "08-observability-slos",
    "09-cost-analytics", "10-finops-governance", "11-thought-leadership", "13-multi-tenant",
    "14-platform-as-code", "17-streams-and-lambda", "21-failure-is-normal",
    "15-real-time-updates",
    "22-containing-failure",
    "18-windows-and-exactly-once",
    "16-analytics-quotas-cost",
    "23-chaos-experiments",
    "19-anomalies-on-the-stream",
    "24-trading-under-fire",
    "20-cold-path-and-scale",
}


def _last_named_cell(wa: submissions.AnswerPatch) -> str:
    """The test cell of ``wa.loses`` that runs last in its notebook (its grading may stop there);
    empty when a named cell is not in the notebook (its test then says so, on a whole run)."""
    order = [c.metadata.get("nbgrader", {}).get("grade_id") for c in _source(wa.month, wa.notebook).cells]
    if not wa.loses or any(name not in order for name in wa.loses):
        return ""
    return max(wa.loses, key=order.index)


@functools.cache
def _source(month: str, notebook: str):
    return nbformat.read(paths.solutions_dir() / month / notebook, as_version=4)


def _student(*parts):
    return "-".join(parts).replace(".ipynb", "").replace("_", "-")[:60]


# What each parametrized test submits: (its learner, its month, its notebook, how to build the
# submission), from the test's name and parameters, so a test finds its own learner's grade.
def _case(test: str, params: dict):
    patch = params.get("wa") or params.get("ra")
    if patch is not None:
        kind = "wa" if "wa" in params else "ra"
        return (_student(kind, patch.notebook[:2], patch.name), patch.month, patch.notebook,
                lambda: submissions.patched_submission(patch))
    month, notebook = params["month"], params["notebook"]
    if test == "test_reference_solution_gets_full_marks":
        return (_student("ref", notebook), month, notebook,
                lambda: submissions.reference_submission(month, notebook))
    return _student("blank", notebook), month, notebook, lambda: submissions.blank_submission(month, notebook)


class Batch:
    """The selected submissions, graded together: each learner's outcome and scores, or the
    error that kept its submission from being built (raised in that learner's test)."""

    def __init__(self, course: cohort.Course):
        self.course = course
        self.learner: dict[tuple, str] = {}  # (test, month, notebook, name) -> learner
        self.outcomes: dict[str, cohort.GradeOutcome] = {}
        self.scores: dict[str, dict[str, cohort.Score]] = {}
        self.unbuilt: dict[str, Exception] = {}

    @staticmethod
    def key(test: str, params: dict) -> tuple:
        student, month, notebook, _ = _case(test, params)
        return test, month, notebook, student

    def grade(self, selected: list[tuple[str, dict]], workers: int) -> None:
        jobs, taken, settings = [], set(), {}
        for test, params in selected:
            key = self.key(test, params)
            if key in self.learner:
                continue
            student, month, notebook, build = _case(test, params)
            base, n = student, 1
            while student in taken:  # two cases whose ids shorten alike: still two learners
                n += 1
                student = f"{base[:56]}-{n}"
            taken.add(student)
            self.learner[key] = student
            try:
                nb = build()
            except Exception as e:  # e.g. "the reference changed; update this patch": that test fails
                self.unbuilt[student] = e
                continue
            self.course.submit(student, month, {notebook: nb})
            jobs.append((month, student))
            if "wa" in params:
                settings[(month, student)] = {"stop_after": _last_named_cell(params["wa"]),
                                              "hypothesis_shrink": False}
            elif test == "test_untouched_release_gets_zero":
                settings[(month, student)] = {"hypothesis_shrink": False}
        for outcome in cohort.grade_in_parallel(self.course, jobs, workers, execute=settings):
            self.outcomes[outcome.student] = outcome
            if outcome.status == "graded":
                self.scores[outcome.student] = self.course.score(outcome.assignment, outcome.student)

    def not_run(self, test: str, **params) -> set[str]:
        """The grade cells of this test's graded notebook that were not run (marked NotRun)."""
        _, month, notebook, student = self.key(test, params)
        nb = nbformat.read(self.course.root / "autograded" / student / month / notebook, as_version=4)
        return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
                if any(o.get("ename") == "NotRun" for o in c.get("outputs", []))}

    def score(self, test: str, **params) -> cohort.Score:
        student = self.learner[self.key(test, params)]
        if student in self.unbuilt:
            raise self.unbuilt[student]
        outcome = self.outcomes[student]
        assert outcome.status == "graded", f"{student}: {outcome.status}: {outcome.errors}"
        return self.scores[student][self.key(test, params)[2].removesuffix(".ipynb")]


@pytest.fixture(scope="module")
def batch(request, tmp_path_factory):
    c = cohort.Course(tmp_path_factory.mktemp("course"))
    for month in sorted({m for m, _ in NOTEBOOKS}):
        c.add_assignment(month)
    here = request.module
    selected = [(item.originalname, item.callspec.params) for item in request.session.items
                if item.module is here and hasattr(item, "callspec")]
    b = Batch(c)
    b.grade(selected, int(os.environ.get("MASTERY_GRADING_WORKERS", "3")))
    return b


@pytest.mark.parametrize(("month", "notebook"), NOTEBOOKS, ids=[n for _, n in NOTEBOOKS])
def test_reference_solution_gets_full_marks(batch, month, notebook):
    score = batch.score("test_reference_solution_gets_full_marks", month=month, notebook=notebook)
    autograded = {k: v for k, v in score.cells.items() if "test" in k}
    lost = {k: v for k, v in autograded.items() if v[0] != v[1]}
    assert not lost, f"reference solution lost points: {lost}"
    assert autograded, "no autograded test cells found"


@pytest.mark.parametrize(("month", "notebook"), NOTEBOOKS, ids=[n for _, n in NOTEBOOKS])
def test_untouched_release_gets_zero(batch, month, notebook):
    score = batch.score("test_untouched_release_gets_zero", month=month, notebook=notebook)
    assert score.score == 0, f"an empty submission scored {score.score}: {score.cells}"


def test_every_graded_notebook_has_five_wrong_answers():
    for month, notebook in NOTEBOOKS:
        n = sum(w.month == month and w.notebook == notebook for w in WRONG)
        assert n >= 5, f"{month}/{notebook} has {n} wrong-answer fixtures; keep at least five"


@pytest.mark.parametrize("wa", WRONG, ids=[f"{w.notebook[:-6]}:{w.name}" for w in WRONG])
def test_wrong_answer_loses_points(batch, wa):
    score = batch.score("test_wrong_answer_loses_points", wa=wa)
    assert score.score < score.max_score, f"{wa.name} got full marks: {wa.why}"
    assert wa.loses, f"{wa.path}: its header names no test cell it loses"
    skipped = batch.not_run("test_wrong_answer_loses_points", wa=wa) & set(wa.loses)
    assert not skipped, f"{wa.name}: {sorted(skipped)} lost their points without running"
    for test_cell in wa.loses:
        assert test_cell in score.cells, f"{wa.path}: no test cell {test_cell!r} in {wa.notebook}"
        got, worth = score.cells[test_cell]
        assert worth > 0, f"{wa.path}: {test_cell} is worth no points, so losing it proves nothing"
        assert got == 0, f"{wa.name} should lose {test_cell} ({wa.why}) but scored {got}"


def test_exercises_of_the_new_standard_have_two_right_answers():
    for month, notebook in NOTEBOOKS:
        if notebook.removesuffix(".ipynb") in NEW_STANDARD:
            n = sum(r.month == month and r.notebook == notebook for r in RIGHT)
            assert n >= 2, f"{month}/{notebook} has {n} right answers written differently; keep at least two"


@pytest.mark.parametrize("ra", RIGHT, ids=[f"{r.notebook[:-6]}:{r.name}" for r in RIGHT])
def test_right_answer_written_differently_gets_full_marks(batch, ra):
    score = batch.score("test_right_answer_written_differently_gets_full_marks", ra=ra)
    autograded = {k: v for k, v in score.cells.items() if "test" in k}
    lost = {k: v for k, v in autograded.items() if v[0] != v[1]}
    assert not lost, f"{ra.path.name} ({ra.why}) is right but lost points: {lost}"
