"""Helpers for writing course notebooks: cells with correct nbgrader metadata.

An instructor writes a new exercise as a short Python script of these calls and saves it
once; the saved ``.ipynb`` in ``solutions/`` is then the source of truth (edit it in
JupyterLab). Cell kinds, as nbgrader names them:

* ``md``/``code``      plain cells (lessons)
* ``readonly``         locked code or text the learner cannot change (setup, instructions)
* ``solution``         an autograded answer: code between ``### BEGIN/END SOLUTION``
* ``tests``            an autograded test cell worth ``points``; put hidden checks between
                       ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``
* ``written``          a manually graded markdown answer worth ``points``

Two nbgrader rules bite test cells: a test cell that writes anything to **stderr** (a
warning, a log line) scores 0, and a test cell whose last line *evaluates to a number*
is read as a partial score (assign it: ``_ = count(...)``). Keep test cells silent.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _clean(text: str) -> str:
    return dedent(text).strip("\n")


def md(text: str):
    return new_markdown_cell(_clean(text))


def code(text: str, tags: list[str] | None = None):
    c = new_code_cell(_clean(text))
    if tags:
        c.metadata["tags"] = tags
    return c


def _nbg(cell, grade_id: str, **flags):
    cell.metadata["nbgrader"] = {
        "grade": False, "solution": False, "locked": False, "schema_version": 3,
        "grade_id": grade_id, **flags,
    }
    return cell


def readonly(grade_id: str, text: str, markdown: bool = False):
    cell = md(text) if markdown else code(text)
    return _nbg(cell, grade_id, locked=True)


def solution(grade_id: str, text: str):
    return _nbg(code(text), grade_id, solution=True)


def tests(grade_id: str, text: str, points: float):
    return _nbg(code(text), grade_id, grade=True, locked=True, points=points)


def written(grade_id: str, text: str, points: float):
    return _nbg(md(text), grade_id, grade=True, solution=True, points=points)


def notebook(cells, title: str | None = None):
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    if title:
        nb.metadata["title"] = title
    return nb


def save(nb, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # stable ids make regenerated notebooks diff cleanly
    for i, c in enumerate(nb.cells):
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        c["id"] = gid or f"cell-{i:02d}"
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path


def _preprocessor_base():
    from nbgrader.preprocessors import NbGraderPreprocessor

    return NbGraderPreprocessor


class TagTestsRaiseException(_preprocessor_base()):
    """A generate_assignment step (nbgrader_config.py): in a release, every read-only code cell
    after the first answer cell (the *Try it* harnesses and the tests, which fail until the
    answers are written) is tagged ``raises-exception``, so JupyterLab's *Run All* goes on past
    them and reaches the exercise's last cell, ``check()``, which shows every test's result.
    Grading is unchanged: nbgrader runs with errors allowed, and tags are not part of a cell's
    checksum."""

    def preprocess(self, nb, resources):
        answered = False
        for cell in nb.cells:
            m = cell.metadata.get("nbgrader", {})
            if m.get("solution"):
                answered = True
            elif answered and cell.cell_type == "code" and (m.get("grade") or m.get("locked")):
                tags = cell.metadata.setdefault("tags", [])
                if "raises-exception" not in tags:
                    tags.append("raises-exception")
        return nb, resources
