"""The README's table of weeks is generated from mastery.weeks.WEEKS (nbdev-style: CI fails when
a generated file drifts); every week's four places exist, named after its notebook stem."""

from __future__ import annotations

from mastery import paths
from mastery.weeks import WEEKS, readme_table


def test_readme_weeks_table_is_generated():
    readme = (paths.course_root() / "README.md").read_text()
    assert readme_table() in readme, "README's weeks table is stale; run `python -m mastery.weeks`"


def test_every_week_is_four_places():
    root = paths.course_root()
    for w in WEEKS:
        places = [root / "notebooks" / w.month / w.notebook, root / "solutions" / w.month / w.notebook,
                  root / "src" / "mastery" / "weeks" / w.package / "__init__.py",
                  root / "tests" / "weeks" / w.package]
        missing = [str(p.relative_to(root)) for p in places if not p.exists()]
        assert not missing, f"week {w.number} ({w.stem}) lacks {missing}; `mastery new-week` makes all four"
        for m in w.modules:
            assert (root / "src" / "mastery" / "weeks" / w.package / f"{m}.py").is_file(), (w.stem, m)


def test_weeks_are_numbered_without_gaps_or_overlaps():
    """No week twice; within a month the weeks start at its first week and follow each other.
    A month that is not built yet (a capstone landing week by week) may be absent or end early,
    and its weeks, built in parallel, may land in any order (week 14 before week 13)."""
    from mastery.weeks import WEEKS_PER_MONTH

    covered = [n for w in WEEKS for n in range(w.number, (w.last or w.number) + 1)]
    assert len(covered) == len(set(covered)) and covered == sorted(covered), covered
    for month in sorted({(n - 1) // WEEKS_PER_MONTH for n in covered}):
        weeks = [n for n in covered if (n - 1) // WEEKS_PER_MONTH == month]
        first = month * WEEKS_PER_MONTH + 1
        if month < 3:
            assert weeks == list(range(first, first + len(weeks))), f"month {month + 1} has weeks {weeks}"
        else:
            in_month = set(range(first, first + WEEKS_PER_MONTH))
            assert set(weeks) <= in_month, f"month {month + 1} has weeks {weeks}"
    assert covered[:12] == list(range(1, 13)), "months 1-3 are complete"
