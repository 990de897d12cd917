"""nbgrader's API on one course folder: the settings (the course's nbgrader_config.py with the
cohort's folders), releases, submissions, autograde and scores.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from traitlets.config import Config

from mastery import paths
from mastery.errors import MasteryError

LATE_POLICIES = ("none", "zero")
FEEDBACK_HIDDEN_TESTS = ("summary", "source")  # what released feedback shows of a hidden test
SETTINGS = "cohort.json"


@functools.cache
def course_settings() -> Config:
    """The course's own ``nbgrader_config.py``: the one source of its nbgrader settings."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(paths.CONFIG_NAME, path=str(paths.course_root())).load_config()


def course_id() -> str:
    return course_settings().CourseDirectory.course_id


def config(root: Path, timeout: int | None = None, late_policy: str = "none",
           feedback_hidden_tests: str = "summary") -> Config:
    """The course's settings with this cohort's folders, gradebook, late policy and (if given)
    per-cell timeout; nbgrader's autograde steps with the sandboxed Execute; feedback that
    shows hidden tests as ``feedback_hidden_tests`` says (``summary``: name, points, outcome
    and message, no code; ``source``: nbgrader's full source) and styled Markdown tables in
    feedback and the formgrader (:mod:`mastery.grading.feedback`)."""
    if feedback_hidden_tests not in FEEDBACK_HIDDEN_TESTS:
        raise CohortError(f"feedback_hidden_tests {feedback_hidden_tests!r}: choose one of "
                          f"{', '.join(FEEDBACK_HIDDEN_TESTS)}")
    c = Config()
    c.merge(course_settings())
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.release_directory = "release"
    # parallel graders share the SQLite gradebook: wait for a lock instead of failing
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}?timeout=60"
    if timeout is not None:
        c.Execute.timeout = timeout
    c.Exchange.root = str(root / "exchange")
    c.LateSubmissionPlugin.penalty_method = late_policy
    # nbgrader's autograde steps, with its Execute replaced by the sandboxed one (mastery.grading.sandbox)
    c.Autograde.autograde_preprocessors = [
        "mastery.grading.sandbox.GuardedExecute", "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata"]
    # feedback: nbgrader's steps (GetGrades, CSSHTMLHeaderPreprocessor), hidden tests summarised,
    # and in feedback and the formgrader's pages the CSS step with styled Markdown tables
    hide = ["mastery.grading.feedback.HideHiddenTests"] if feedback_hidden_tests == "summary" else []
    c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", *hide,
                                        "mastery.grading.feedback.NotebookStyle"]
    c.HTMLExporter.preprocessors = ["mastery.grading.feedback.NotebookStyle"]
    c.CSSHTMLHeaderPreprocessor.enabled = False  # NotebookStyle does its work, plus the tables
    c.NotebookStyle.enabled = True
    return c


def _config_file(cfg: Config) -> str:
    """``nbgrader_config.py`` text with exactly the settings of ``cfg``."""
    lines = ['"""nbgrader settings of this cohort, written by `mastery cohort create`."""', "",
             "c = get_config()  # noqa: F821", ""]
    for section in sorted(cfg):
        for key, value in sorted(cfg[section].items()):
            lines.append(f"c.{section}.{key} = {value!r}")
    return "\n".join(lines) + "\n"


@dataclass
class Score:
    score: float
    max_score: float
    cells: dict[str, tuple[float, float]]


class CohortError(MasteryError, RuntimeError):
    """An instructor command cannot go on; the message says why and what to do."""


class Course:
    """One course folder (a cohort's, or a throwaway one in tests) with its own gradebook."""

    def __init__(self, root: str | Path, timeout: int | None = None, late_policy: str = "none",
                 feedback_hidden_tests: str = "summary"):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        # nbgrader's gradebook runs the `alembic` command: make this environment's bin findable
        bindir = str(Path(sys.executable).parent)
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.cfg = config(self.root, timeout, late_policy, feedback_hidden_tests)
        self.feedback_hidden_tests = feedback_hidden_tests
        self.timeout, self.late_policy = self.cfg.Execute.timeout, late_policy
        self.api = NbGraderAPI(coursedir=CourseDirectory(config=self.cfg), config=self.cfg)

    def add_assignment(self, assignment: str, source: Path | None = None) -> None:
        """Copy an assignment's source from the repo and generate its release (with the db)."""
        src = source or paths.solutions_dir() / assignment
        if not src.is_dir():
            raise CohortError(f"no assignment {assignment!r}: {src} does not exist "
                              f"(assignments: {', '.join(paths.assignments())})")
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
            write_notebook(folder / name, nb)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
        (folder / "timestamp.txt").write_text(stamp)
        # `nbgrader submit` adds a random secret; feedback is released under its hash
        (folder / "submission_secret.txt").write_text(os.urandom(16).hex())
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


def write_notebook(target: Path, nb: object) -> None:
    """A notebook node, a path to copy, or raw bytes/str (a broken file, on purpose)."""
    if isinstance(nb, Path):
        shutil.copy(nb, target)
    elif isinstance(nb, bytes):
        target.write_bytes(nb)
    elif isinstance(nb, str):
        target.write_text(nb)
    else:
        nbformat.write(nb, target)
