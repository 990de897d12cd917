"""The nbgrader docs course's discipline: every generated release passes none of its tests
(`nbgrader validate --invert`), and the committed exercises/ is exactly what nbgrader generates
from solutions/. That every source notebook passes its own tests is proven where it matters, by
nbgrader's autograde in the grading sandbox: tests/grading/test_autograde_pipeline.py gives each
reference solution (its answers in the released notebook, hidden tests included) full marks, test
cell by test cell. Running each source notebook a second time here, outside the sandbox, proved
nothing more and cost about 170 s of the suite's 30 minutes (issue 18)."""

from __future__ import annotations

import filecmp
import subprocess
import sys

import pytest

from mastery import paths

SOLUTIONS = sorted(paths.solutions_dir().glob("month-*/*.ipynb"))
FIX = 'nbgrader generate_assignment "*" --no-db --force'


def test_exercises_are_generated_from_solutions(tmp_path):
    root = paths.course_root()
    out = tmp_path / "release"
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", "*", "--no-db", "--force",
         "--log-level=ERROR", f"--CourseDirectory.release_directory={out}"],
        cwd=root, check=True, timeout=600,
    )
    cmp = filecmp.dircmp(out, root / "exercises")
    problems = []

    def walk(d, rel=""):
        problems.extend(f"only generated: {rel}{n}" for n in d.left_only)
        problems.extend(f"only committed: {rel}{n}" for n in d.right_only)
        problems.extend(f"differs: {rel}{n}" for n in d.diff_files)
        for name, sub in d.subdirs.items():
            walk(sub, f"{rel}{name}/")

    walk(cmp)
    assert not problems, f"exercises/ is out of sync with solutions/ {problems}; run `{FIX}`"


def test_every_lesson_has_an_exercise_and_back():
    lessons = {p.relative_to(paths.notebooks_dir()) for p in paths.notebooks_dir().glob("month-*/*.ipynb")}
    graded = {p.relative_to(paths.solutions_dir()) for p in SOLUTIONS}
    assert lessons == graded, f"lesson/exercise pairs differ: {sorted(lessons ^ graded)}"


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
@pytest.mark.parametrize("nb", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_release_fails_its_tests(nb):
    from nbgrader.validator import Validator

    release = paths.exercises_dir() / nb.parent.name / nb.name
    inverted = Validator(invert=True).validate(str(release))
    # hidden test cells are empty in the release: they pass trivially and prove nothing
    passing = [c["source"] for c in inverted.get("passed", []) if c["source"].strip()]
    assert not passing, f"release tests pass without any answer: {passing}"
