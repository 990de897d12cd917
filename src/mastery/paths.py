"""Where the course lives on disk."""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_NAME = "nbgrader_config.py"


def course_root() -> Path:
    """The folder holding ``nbgrader_config.py``: ``MASTERY_COURSE_ROOT``, else the nearest
    parent of the working directory, else the checkout this package was installed from."""
    if os.environ.get("MASTERY_COURSE_ROOT"):
        return Path(os.environ["MASTERY_COURSE_ROOT"]).resolve()
    for d in (Path.cwd(), *Path.cwd().parents):
        if (d / CONFIG_NAME).is_file() and (d / "solutions").is_dir():
            return d
    here = Path(__file__).resolve().parents[2]
    if (here / CONFIG_NAME).is_file():
        return here
    raise FileNotFoundError(
        "Cannot find the course folder (the one with nbgrader_config.py). Run this from inside "
        "the course checkout, or set MASTERY_COURSE_ROOT to it."
    )


def solutions_dir() -> Path:
    return course_root() / "solutions"


def exercises_dir() -> Path:
    return course_root() / "exercises"


def notebooks_dir() -> Path:
    return course_root() / "notebooks"


def data_dir() -> Path:
    return course_root() / "data"


def assignments() -> list[str]:
    """Assignment ids (``month-01``, ...) in the instructor's source folder."""
    return sorted(p.name for p in solutions_dir().iterdir() if p.is_dir() and p.name.startswith("month-"))
