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
    covered = [n for w in WEEKS for n in range(w.number, (w.last or w.number) + 1)]
    assert covered == list(range(1, len(covered) + 1)), covered
