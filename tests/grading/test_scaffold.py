"""`mastery new-week` writes the four places of a week, and the skeleton runs: the lesson executes,
the solution passes its own tests and the release none, the wrong-answer patch loses its test,
and the week's plumbing test passes. Done in a copy of the course, so the real one is untouched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from mastery import paths

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_aws")]

CHECK = r'''
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.validator import Validator

from mastery.grading import check, submissions
from mastery.weeks import WEEKS, by_stem

root = Path.cwd()
week = by_stem("25-scaffold-check")
assert week in WEEKS and week.month == "month-07" and week.package == "w25_scaffold_check", week
assert week.module().__file__.startswith(str(root)), week.module().__file__

lesson = nbformat.read(root / "notebooks/month-07/25-scaffold-check.ipynb", as_version=4)
NotebookClient(lesson, timeout=60, resources={"metadata": {"path": str(root)}}).execute()
assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
           for c in lesson.cells for o in c.get("outputs", [])), "no architecture picture"

sol = root / "solutions/month-07/25-scaffold-check.ipynb"
solved = Validator(ignore_checksums=True).validate(str(sol))
assert not solved.get("failed"), solved
rel = root / "exercises/month-07/25-scaffold-check.ipynb"
assert not [c for c in Validator(invert=True).validate(str(rel)).get("passed", []) if c["source"].strip()]

(wa,) = [w for w in submissions.wrong_answers() if w.notebook == "25-scaffold-check.ipynb"]
work = root / "work" / "month-07"
work.mkdir(parents=True)
nbformat.write(submissions.patched_submission(wa), work / "25-scaffold-check.ipynb")
results = {r.grade_id: r.passed for r in check.check_notebook(work / "25-scaffold-check.ipynb").results}
assert results == {"test-total": False}, results
(ra,) = [r for r in submissions.right_answers() if r.notebook == "25-scaffold-check.ipynb"]
nbformat.write(submissions.patched_submission(ra), work / "25-scaffold-check.ipynb")
results = {r.grade_id: r.passed for r in check.check_notebook(work / "25-scaffold-check.ipynb").results}
assert results == {"test-total": True}, results
print("SCAFFOLD-OK")
'''


def test_new_week_is_four_places_and_runs(tmp_path):
    src = paths.course_root()
    root = tmp_path / "course"
    root.mkdir()
    # what the new week needs: the package, nbgrader's config with its header and footer, the tests' conftest
    shutil.copytree(src / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (root / "solutions").mkdir()
    (root / "tests").mkdir()
    for part in ("header.ipynb", "footer.ipynb"):
        shutil.copy(src / "solutions" / part, root / "solutions")
    shutil.copy(src / "tests" / "conftest.py", root / "tests")
    shutil.copy(src / "nbgrader_config.py", root)
    env = dict(os.environ, PYTHONPATH=str(root / "src"), MASTERY_COURSE_ROOT=str(root))
    mastery = [sys.executable, "-c", "import sys; from mastery.cli import main; sys.exit(main())"]

    made = subprocess.run([*mastery, "new-week", "25-scaffold-check", "--title", "Scaffold check"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    for place in ("notebooks/month-07/25-scaffold-check.ipynb", "solutions/month-07/25-scaffold-check.ipynb",
                  "src/mastery/weeks/w25_scaffold_check/__init__.py",
                  "tests/weeks/w25_scaffold_check/test_core.py",
                  "tests/weeks/w25_scaffold_check/wrong_answers/skips_first_item.patch",
                  "tests/weeks/w25_scaffold_check/right_answers/loop.patch",
                  "exercises/month-07/25-scaffold-check.ipynb"):
        assert (root / place).is_file(), f"new-week did not write {place}"

    again = subprocess.run([*mastery, "new-week", "25-scaffold-check", "--title", "x"],
                           cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "exists already" in again.stderr

    ran = subprocess.run([sys.executable, "-c", CHECK], cwd=root, env=env, capture_output=True,
                         text=True, timeout=600)
    assert "SCAFFOLD-OK" in ran.stdout, ran.stdout[-3000:] + ran.stderr[-3000:]

    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "tests/weeks/w25_scaffold_check"], cwd=root, env=env,
                           capture_output=True, text=True, timeout=300)
    assert tests.returncode == 0 and "1 passed" in tests.stdout, tests.stdout[-2000:]
