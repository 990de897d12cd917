"""Instructor side: a course folder driven through nbgrader's Python API, in one process.

nbgrader's command-line tools each pay 3-5 s of start-up here; the API pays it once.
``NbGraderAPI`` does not read ``nbgrader_config.py`` by itself, so :func:`config` builds
the same settings in code (and :meth:`Cohort.create` writes them into the cohort's
``nbgrader_config.py`` too, so ``nbgrader`` commands and the formgrader agree with us).

A :class:`Cohort` is a course folder outside the repository with its gradebook, exchange,
roster and grades. Every operation is safe to run twice. :meth:`Cohort.autograde` grades
with N worker processes on disjoint sets of learners (nbgrader itself grades serially).
"""

from .cohort import (
    Cohort,
)
from .course import (
    FEEDBACK_HIDDEN_TESTS,
    LATE_POLICIES,
    SETTINGS,
    CohortError,
    Course,
    Score,
    config,
    course_id,
    course_settings,
    write_notebook,
)
from .merge import (
    MergeResult,
    merge_gradebooks,
    shard,
)
from .parallel import (
    BACKEND_LOST,
    AutogradeSummary,
    GradeOutcome,
    execution_notes,
    fresh_backend,
    grade_in_parallel,
    grade_one,
    unreadable_notebooks,
)
from .roster import (
    RosterResult,
    read_roster,
)

__all__ = [
    "AutogradeSummary",
    "BACKEND_LOST",
    "Cohort",
    "CohortError",
    "FEEDBACK_HIDDEN_TESTS",
    "Course",
    "GradeOutcome",
    "LATE_POLICIES",
    "MergeResult",
    "RosterResult",
    "SETTINGS",
    "Score",
    "config",
    "course_id",
    "course_settings",
    "execution_notes",
    "fresh_backend",
    "grade_in_parallel",
    "grade_one",
    "merge_gradebooks",
    "read_roster",
    "shard",
    "unreadable_notebooks",
    "write_notebook",
]
