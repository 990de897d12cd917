"""The cohort report (`mastery cohort report`): what it counts and how it says it. Fast: the
tables are built here, no notebook is executed (the report on a really graded cohort is in
tests/grading/test_cohort_simulated.py)."""

from __future__ import annotations

import nbformat
import pandas as pd

from mastery import paths
from mastery.grading import cohort, report, submissions

MONTH, NB = "month-01", "02-saga-step-functions.ipynb"


def test_a_submission_with_every_answer_as_released_is_blank(tmp_path):
    released = paths.exercises_dir() / MONTH / NB
    for name, nb in {"blank": submissions.blank_submission(MONTH, NB),
                     "reference": submissions.reference_submission(MONTH, NB)}.items():
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert report.is_blank(tmp_path / "blank.ipynb", released)
    assert not report.is_blank(tmp_path / "reference.ipynb", released)
    assert not report.is_blank(tmp_path / "broken.ipynb", released), "a broken one is graded 0, not blank"


def _cells(rows):
    base = {"month": MONTH, "notebook": "02-saga", "kind": "auto", "max": 2.0, "submitted": True,
            "blank": False, "graded": True, "pending": False, "late": False}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["attempted"] = df.submitted & ~df.blank
    return df


def test_item_difficulty_leaves_out_blank_submissions():
    """Issue 14: a notebook one learner never opened topped the re-teach list."""
    cells = _cells([
        {"student": "ann", "cell": "t-easy", "score": 2.0},
        {"student": "ann", "cell": "t-hard", "score": 0.0},
        {"student": "bob", "cell": "t-easy", "score": 2.0},
        {"student": "bob", "cell": "t-hard", "score": 2.0},
        {"student": "cy", "cell": "t-easy", "score": 0.0, "blank": True},
        {"student": "cy", "cell": "t-hard", "score": 0.0, "blank": True},
        {"notebook": "03-other", "student": "cy", "cell": "t-never", "score": 0.0, "blank": True}])
    items = report.item_difficulty(cells)
    assert list(items.cell) == ["t-hard", "t-easy"], "a notebook only submitted blank is no item to re-teach"
    assert items.set_index("cell").loc["t-hard", ["attempted", "failed"]].tolist() == [2, 1]
    assert items.set_index("cell").loc["t-easy", "failed"] == 0


def test_manual_points_still_to_grade_are_counted_per_month():
    cells = _cells([
        {"student": "ann", "cell": "essay", "kind": "manual", "score": 0.0, "max": 3.0, "pending": True},
        {"student": "bob", "cell": "essay", "kind": "manual", "score": 0.0, "max": 3.0, "pending": True},
        {"student": "cy", "cell": "essay", "kind": "manual", "score": 2.0, "max": 3.0},
        {"student": "ann", "cell": "t-1", "score": 2.0}])
    todo = report.manual_pending(cells)
    assert todo.to_dict("records") == [{"month": MONTH, "answers": 2, "points": 6.0, "learners": 2}]
    assert report.manual_pending(cells.assign(pending=False)).empty


def test_histogram_counts_whole_learners(monkeypatch):
    figs = []
    monkeypatch.setattr(report, "_png", lambda fig: figs.append(fig) or "data:")
    scores = pd.DataFrame({MONTH: [10.0, 55.0, 90.0]}, index=["ann", "bob", "cy"])
    items = report.item_difficulty(_cells([{"student": "ann", "cell": "t", "score": 0.0}]))
    report._figures(scores, items)
    figs[0].canvas.draw()
    ticks = [t for t in figs[0].axes[0].get_yticks() if t >= 0]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_report_title_names_the_cohort_once_and_says_nothing_is_left_to_grade(tmp_path):
    c, _ = cohort.Cohort.create(tmp_path / "2027-spring" / "cohort")
    c.release(MONTH)
    page = report.write_report(c).read_text()
    assert "cohort cohort" not in page.lower()
    assert "<h1>Cohort report · 2027-spring/cohort</h1>" in page
    assert "Every manually graded answer is graded." in page
