"""``mastery new-week NN-slug``: the four places of a new week, as a runnable skeleton.

A week is four hand-edited places, all named after the notebook stem ``NN-slug``:

1. the lesson ``notebooks/month-MM/NN-slug.ipynb``: the chapter's sections in the course's order
   (why, how, a runnable demo, the architecture picture, how it fails in production, check
   yourself with answers, further reading, the facts-checked line);
2. the graded exercise ``solutions/month-MM/NN-slug.ipynb`` (nbgrader source: setup, one
   solution cell, a visible and a hidden test, a written answer); ``exercises/`` is then
   generated from it;
3. the week package ``src/mastery/weeks/wNN_slug/`` (``__init__`` declares ``WEEK``, which puts
   the week in :data:`mastery.weeks.WEEKS`; a plumbing module);
4. the tests ``tests/weeks/wNN_slug/`` (a plumbing test, ``wrong_answers/`` and ``right_answers/``
   with one patch each).

Everything runs as written: the suite picks the week up at once (its lesson through nbval, its
exercise through the nbgrader checks, its patch through the autograde pipeline, which asks for
at least five wrong answers before a week is done).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mastery import paths
from mastery.errors import MasteryError
from mastery.grading import authoring as A

_STEM = re.compile(r"^(\d{2})-([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$")


class ScaffoldError(MasteryError):
    """The week cannot be created as asked."""


def plan(stem: str, root: Path | None = None, module: str = "core") -> dict[str, Path]:
    """The four places of week ``stem`` (``13-multi-tenant``), without writing anything."""
    from mastery.weeks import WEEKS, WEEKS_PER_MONTH

    m = _STEM.match(stem)
    if not m:
        raise ScaffoldError(f"{stem!r}: name a week as NN-slug, e.g. 13-multi-tenant (two digits, "
                            "then lower-case words joined by '-')")
    if not module.isidentifier():
        raise ScaffoldError(f"{module!r} is not a Python module name")
    number = int(m.group(1))
    taken = {w.number: w.stem for w in WEEKS}
    for w in WEEKS:
        taken.update({n: w.stem for n in range(w.number, (w.last or w.number) + 1)})
    if number in taken:
        raise ScaffoldError(f"week {number} exists already ({taken[number]})")
    root = root or paths.course_root()
    month = f"month-{(number - 1) // WEEKS_PER_MONTH + 1:02d}"
    package = "w" + stem.replace("-", "_")
    return {
        "lesson": root / "notebooks" / month / f"{stem}.ipynb",
        "solution": root / "solutions" / month / f"{stem}.ipynb",
        "package": root / "src" / "mastery" / "weeks" / package,
        "tests": root / "tests" / "weeks" / package,
        "module": root / "src" / "mastery" / "weeks" / package / f"{module}.py",
        "month": Path(month),
    }


def create(stem: str, title: str, root: Path | None = None, module: str = "core",
           generate: bool = True) -> dict[str, Path]:
    """Write the four places of a new week and (``generate``) its release in ``exercises/``."""
    where = plan(stem, root, module)
    for key in ("lesson", "solution", "package", "tests"):
        if where[key].exists():
            raise ScaffoldError(f"{where[key]} exists already; nothing was written")
    number = int(stem[:2])
    package = where["package"].name
    month = where["month"].name
    exercise = f"m{month[-2:]}-{stem[3:]}"

    where["package"].mkdir(parents=True)
    (where["package"] / "__init__.py").write_text(
        f'"""Week {number} — {title}.\n\nPlumbing only (never the learner\'s answer); tests in '
        f'``tests/weeks/{package}/``.\n"""\n\nfrom mastery.weeks import Week\n\n'
        f"WEEK = Week({number}, {stem!r}, {title!r},\n"
        f"            summary='TODO: what the learner builds',\n            modules=({module!r},))\n")
    where["module"].write_text(
        f'"""Plumbing of week {number}: what the lesson and the exercise share, never the answer."""\n\n'
        "from __future__ import annotations\n\n\n"
        "def sample_items() -> list[int]:\n"
        '    """The items the skeleton exercise adds up (replace with the week\'s data)."""\n'
        "    return [3, 1, 4, 1, 5]\n")

    tests = where["tests"]
    (tests / "wrong_answers").mkdir(parents=True)
    (tests / "right_answers").mkdir()
    (tests / "right_answers" / "loop.patch").write_text(
        "# Right answer: a loop instead of sum(); the grader must not mind how it is written.\n"
        "# cell: total\n"
        "@@\n"
        "-    return sum(items)\n"
        "+    result = 0\n"
        "+    for item in items:\n"
        "+        result += item\n"
        "+    return result\n")
    (tests / f"test_{module}.py").write_text(
        f'"""The plumbing of week {number}."""\n\n'
        "from __future__ import annotations\n\n"
        f"from mastery.weeks.{package} import {module}\n\n\n"
        "def test_sample_items_are_stable():\n"
        f"    assert {module}.sample_items() == [3, 1, 4, 1, 5]\n")
    (tests / "wrong_answers" / "skips_first_item.patch").write_text(
        "# Wrong answer: starts at the second item, so the first one is never counted.\n"
        "# cell: total\n"
        "# loses: test-total, test-total-hidden\n"
        "@@\n"
        "-    return sum(items)\n"
        "+    return sum(items[1:])\n")

    lesson = A.notebook([
        A.md(f"# {month.replace('-', ' ').title()} · Week {number} — {title}\n\n"
             "TODO: what the learner will be able to do after this chapter, in two sentences."),
        A.md("## 1. Why\n\nTODO: the production problem this pattern solves, with a real incident."),
        A.md("## 2. How\n\nTODO: the mechanism, step by step."),
        A.code(f"from mastery.weeks.{package} import {module}\n\n"
               f"items = {module}.sample_items()\nsum(items)"),
        A.md("## 3. The architecture\n\nTODO: what the picture shows."),
        A.code("from diagrams.aws.compute import Lambda\nfrom diagrams.aws.database import Dynamodb\n\n"
               "from mastery.diagram import architecture\n\n"
               f'with architecture("{title}"):\n    Lambda("handler") >> Dynamodb("table")'),
        A.md("## How this fails in production\n\nTODO: failure modes, how you detect them, what to do."),
        A.md("## Check yourself\n\n1. TODO: a question an expert can answer."),
        _answers("**Answers**\n\n1. TODO: the answer, with the reasoning."),
        A.md("## Further reading\n\n- TODO: primary sources (AWS docs, RFCs, papers), with links.\n\n"
             "Facts checked on TODO-DATE against: TODO."),
    ])
    A.save(lesson, where["lesson"])

    solution = A.notebook([
        A.md(f"# {month.replace('-', ' ').title()} · Week {number} — Exercise: {title}\n\n"
             "| part | you write | points |\n|---|---|---|\n| 1 | `total(items)` | 2 |\n"
             "| 2 | a short written answer | 1 |"),
        A.readonly("setup", f"from mastery import aws\nfrom mastery.expect import expect\n"
                            f"from mastery.weeks.{package} import {module}\n\n"
                            f'ns = aws.namespace("{exercise}")'),
        A.md("## Part 1\n\nWrite `total(items)`: the sum of `items` (0 for none)."),
        A.solution("total", "def total(items):\n    ### BEGIN SOLUTION\n    return sum(items)\n"
                            "    ### END SOLUTION"),
        A.tests("test-total", f'expect(total({module}.sample_items()) == 14, "the items add up to 14")', 1),
        A.tests("test-total-hidden", "### BEGIN HIDDEN TESTS\n"
                                     'expect(total([]) == 0, "no items add up to 0")\n'
                                     'expect(total([7]) == 7, "one item is its own total")\n'
                                     "### END HIDDEN TESTS", 1),
        A.written("written-answer", "YOUR ANSWER HERE (the reference answer goes here)", 1),
    ])
    A.save(solution, where["solution"])
    if generate:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", month, "--no-db",
                        "--force", "--log-level=ERROR"], cwd=root or paths.course_root(), check=True)
    return where


def _answers(text: str):
    cell = A.md(text)
    cell.metadata["jupyter"] = {"source_hidden": True}
    cell.metadata["tags"] = ["answers"]
    return cell
