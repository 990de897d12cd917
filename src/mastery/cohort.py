"""Instructor side: a course folder driven through nbgrader's Python API, in one process.

nbgrader's command-line tools each pay 3-5 s of start-up here; the API pays it once.
``NbGraderAPI`` does not read ``nbgrader_config.py`` by itself, so :func:`config` builds
the same settings in code.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from traitlets.config import Config

from mastery import paths


def config(root: Path, timeout: int = 120) -> Config:
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = "serverless-mastery"
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.release_directory = "release"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.Execute.timeout = timeout
    c.Exchange.root = str(root / "exchange")
    return c


@dataclass
class Score:
    score: float
    max_score: float
    cells: dict[str, tuple[float, float]]


class Course:
    """One course folder (a cohort's, or a throwaway one in tests) with its own gradebook."""

    def __init__(self, root: str | Path, timeout: int = 120):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        # nbgrader's gradebook runs the `alembic` command: make this environment's bin findable
        bindir = str(Path(sys.executable).parent)
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        cfg = config(self.root, timeout)
        self.api = NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)

    def add_assignment(self, assignment: str, source: Path | None = None) -> None:
        """Copy an assignment's source from the repo and generate its release (with the db)."""
        src = source or paths.solutions_dir() / assignment
        dst = self.root / "source" / assignment
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        result = self.api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            raise RuntimeError(f"generate_assignment {assignment} failed:\n{result.get('log', '')}"
                               f"{result.get('error', '')}")

    def released(self, assignment: str, notebook: str) -> Path:
        return self.root / "release" / assignment / notebook

    def submit(self, student: str, assignment: str, notebooks: dict[str, object]) -> Path:
        """Place a submission as ``collect`` would: ``submitted/<student>/<assignment>/``.
        Values are notebook nodes, paths, or raw bytes/str (to submit broken files)."""
        folder = self.root / "submitted" / student / assignment
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, nb in notebooks.items():
            target = folder / name
            if isinstance(nb, Path):
                shutil.copy(nb, target)
            elif isinstance(nb, bytes):
                target.write_bytes(nb)
            elif isinstance(nb, str):
                target.write_text(nb)
            else:
                nbformat.write(nb, target)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        (folder / "timestamp.txt").write_text(stamp)
        return folder

    def autograde(self, assignment: str, student: str) -> dict:
        return self.api.autograde(assignment, student, force=True, create=True)

    def score(self, assignment: str, student: str) -> dict[str, Score]:
        """Per notebook: total, maximum, and each graded cell's (score, max) from the gradebook."""
        out = {}
        with self.api.gradebook as gb:
            sub = gb.find_submission(assignment, student)
            for nb in sub.notebooks:
                cells = {g.name: (g.score, g.max_score) for g in nb.grades}
                out[nb.name] = Score(nb.score, nb.max_score, cells)
        return out
