"""Make data/templates/: serverless SAM templates for the anti-pattern linter (month 3, weeks
11-12): four clean ones, one per planted anti-pattern, and one with all of them, plus
``manifest.json`` listing every expected finding as (rule, resource, line).

Seeded (seeds 1101-1119): the same command writes the same bytes. The generator itself is
``templates.make_template`` beside this module; graders call it with other seeds to make templates
learners never see.

    mastery data templates [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from mastery.weeks.w11_thought_leadership import templates


def write(out: Path) -> None:
    """Write ``templates/`` under ``out``."""
    templates.write_fixtures(out / "templates")
