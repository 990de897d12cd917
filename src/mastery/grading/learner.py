"""Learner side of a cohort: fetch a released month, submit it, fetch the feedback.

These are nbgrader's own exchange classes (the same the JupyterLab *Assignments* panel and
``nbgrader fetch_assignment`` / ``submit`` / ``fetch_feedback`` use), driven in-process so a
command costs no nbgrader start-up. The exchange folder comes from ``--exchange``,
``MASTERY_EXCHANGE``, or the ``Exchange.root`` of an ``nbgrader_config.py`` nbgrader finds.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

from mastery.errors import MasteryError
from mastery.grading.cohort import course_id


class ExchangeProblem(MasteryError, RuntimeError):
    """The exchange refused; the message is nbgrader's, with what to do."""


@dataclass
class Learner:
    exchange: Path
    student_id: str
    home: Path  # where month folders are fetched to (JupyterLab's root)
    course_id: str = field(default_factory=course_id)

    def config(self, assignment: str) -> Config:
        c = Config()
        c.CourseDirectory.course_id = self.course_id
        c.CourseDirectory.student_id = self.student_id
        c.CourseDirectory.assignment_id = assignment
        c.CourseDirectory.root = str(self.home)
        c.Exchange.root = str(self.exchange)
        c.Exchange.assignment_dir = str(self.home)
        c.Exchange.cache = str(self.home / ".nbgrader-cache")
        return c

    def _run(self, cls_name: str, assignment: str, **traits):
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.exchange import ExchangeError
        from nbgrader.exchange import default as ex

        cfg = self.config(assignment)
        coursedir = CourseDirectory(config=cfg)
        app = getattr(ex, cls_name)(coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg)
        for k, v in traits.items():
            setattr(app, k, v)
        try:
            return app.start()
        except ExchangeError as e:
            raise ExchangeProblem(f"{assignment}: {e}") from e

    def fetch(self, assignment: str) -> Path:
        """Copy the released month into ``home/<month>``; run again, it only restores deleted files."""
        self.home.mkdir(parents=True, exist_ok=True)
        again = (self.home / assignment).is_dir()
        self._run("ExchangeFetchAssignment", assignment, replace_missing_files=again)
        return self.home / assignment

    def submit(self, assignment: str) -> None:
        if not (self.home / assignment).is_dir():
            raise ExchangeProblem(f"{assignment}: nothing to submit in {self.home / assignment}; "
                                  f"fetch it first (`mastery fetch {assignment}`)")
        self._run("ExchangeSubmit", assignment)

    def fetch_feedback(self, assignment: str) -> list[Path]:
        self._run("ExchangeFetchFeedback", assignment)
        return sorted((self.home / assignment / "feedback").glob("*/*.html"))


def from_environment(exchange: str | None = None, student: str | None = None,
                     home: str | None = None) -> Learner:
    """The learner running this command: exchange from the argument, ``MASTERY_EXCHANGE`` or
    nbgrader's config; student id from the argument, ``JUPYTERHUB_USER`` or the login name."""
    from nbgrader.utils import get_username

    root = exchange or os.environ.get("MASTERY_EXCHANGE") or configured_exchange()
    if not root:
        raise ExchangeProblem("no exchange folder known: pass --exchange DIR, set MASTERY_EXCHANGE, "
                              "or ask your instructor for the nbgrader_config.py naming Exchange.root")
    sid = student or os.environ.get("JUPYTERHUB_USER") or get_username()
    return Learner(Path(root), sid, Path(home or os.getcwd()))


def configured_exchange() -> str | None:
    """nbgrader's ``Exchange.root`` if a configuration file nbgrader finds sets it. Quietly:
    no configuration file is a normal answer here (self-study), not nbgrader's warning."""
    try:
        from nbgrader.apps.nbgraderapp import NbGraderApp

        app = NbGraderApp()
        app.log.setLevel(logging.CRITICAL)
        app.load_config_file()
        root = app.config.Exchange.get("root")
        return str(root) if root else None
    except Exception:
        return None
