"""Make submissions the way a learner would: start from the released notebook and fill in
solution cells, either with the reference solution or with a known wrong answer.

Wrong answers (the common misconceptions of an exercise) live in
``tests/wrong_answers/<month>/<notebook-stem>/<name>.py``. Each file is the code of one
solution cell with a header::

    # Wrong answer: ChargePayment has no Catch, so a declined payment keeps the stock.
    # cell: saga-definition
    # loses: test-payment-declined, test-shipment-failure

``cell`` is the solution cell it replaces (all other solution cells get the reference
answer); ``loses`` lists the test cells that must score 0 for it. The test suite grades
every wrong answer with nbgrader and proves each one loses those points.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mastery import paths

_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


@dataclass(frozen=True)
class WrongAnswer:
    month: str
    notebook: str  # file name, e.g. 02-saga-step-functions.ipynb
    name: str
    cell: str
    loses: tuple[str, ...]
    why: str
    source: str
    path: Path


def parse_wrong_answer(path: Path) -> WrongAnswer:
    text = path.read_text()
    head = {}
    for line in text.splitlines():
        m = re.match(r"#\s*(Wrong answer|cell|loses):\s*(.*)", line)
        if m:
            head[m.group(1)] = m.group(2).strip()
        elif line.strip() and not line.startswith("#"):
            break
    missing = {"Wrong answer", "cell", "loses"} - head.keys()
    if missing:
        raise ValueError(f"{path}: header lacks {', '.join(sorted(missing))}")
    return WrongAnswer(
        month=path.parent.parent.name,
        notebook=path.parent.name + ".ipynb",
        name=path.stem,
        cell=head["cell"],
        loses=tuple(x.strip() for x in head["loses"].split(",") if x.strip()),
        why=head["Wrong answer"],
        source=text,
        path=path,
    )


def wrong_answers(root: Path | None = None) -> list[WrongAnswer]:
    root = root or paths.course_root() / "tests" / "wrong_answers"
    return [parse_wrong_answer(p) for p in sorted(root.glob("month-*/*/*.py"))]


def reference_answers(solution_nb) -> dict[str, str]:
    """grade_id -> the solution cell's code without the BEGIN/END SOLUTION markers."""
    out = {}
    for c in solution_nb.cells:
        m = c.metadata.get("nbgrader", {})
        if m.get("solution"):
            out[m["grade_id"]] = _MARKERS.sub("", c.source)
    return out


def fill(release_nb, answers: dict[str, str]):
    """A copy of the released notebook with the given solution cells answered."""
    nb = copy.deepcopy(release_nb)
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            c.source = answers[gid]
    return nb


def reference_submission(month: str, notebook: str):
    sol = nbformat.read(paths.solutions_dir() / month / notebook, as_version=4)
    rel = nbformat.read(paths.exercises_dir() / month / notebook, as_version=4)
    return fill(rel, reference_answers(sol))


def wrong_submission(wa: WrongAnswer):
    sol = nbformat.read(paths.solutions_dir() / wa.month / wa.notebook, as_version=4)
    rel = nbformat.read(paths.exercises_dir() / wa.month / wa.notebook, as_version=4)
    answers = reference_answers(sol)
    if wa.cell not in answers:
        raise ValueError(f"{wa.path}: {wa.notebook} has no solution cell {wa.cell!r}")
    answers[wa.cell] = wa.source
    return fill(rel, answers)


def blank_submission(month: str, notebook: str):
    return nbformat.read(paths.exercises_dir() / month / notebook, as_version=4)
