"""Grading past one machine: split a month's learners into disjoint shards, grade each shard in
its own copy of the cohort folder (a Kubernetes Job, see docs/deploy.md), and merge the shards'
gradebooks, autograded notebooks and autograde logs back into the cohort.

    mastery cohort autograde MONTH --shard K/N      # in Job K's copy of the cohort folder
    mastery cohort merge SHARD_FOLDER...            # in the cohort, once every Job is done

A shard is a cohort folder (a copy of the cohort's, with the month released and its learners'
submissions collected) in which ``mastery cohort autograde`` graded only its own learners.
:func:`merge_gradebooks` copies every graded submission of every shard into the cohort's
gradebook: each grade cell's automatic and manual score, extra credit, needs-manual-grade flag,
each comment, the notebook's late penalty and flag, the submission's timestamp. It refuses
shards that graded the same learner's month twice (their sets must be disjoint), so no grade
is silently overwritten and none is lost.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .course import CohortError

GRADE_FIELDS = ("auto_score", "manual_score", "extra_credit", "needs_manual_grade")
COMMENT_FIELDS = ("auto_comment", "manual_comment")


def shard(students: list[str], index: int, count: int) -> list[str]:
    """The learners of shard ``index`` of ``count``: a stable, disjoint split whose union is
    every learner (sorted, then every ``count``-th from ``index``)."""
    if not 0 <= index < count:
        raise CohortError(f"shard {index} of {count}: the index runs from 0 to {count - 1}")
    return sorted(students)[index::count]


@dataclass
class MergeResult:
    submissions: list[tuple[str, str]] = field(default_factory=list)  # (assignment, learner)
    grades: int = 0
    comments: int = 0


def _submissions(db: Path) -> dict[tuple[str, str], dict]:
    """Every submission in a gradebook, as plain data: (assignment, learner) -> its notebooks."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        for a in gb.assignments:
            for sub in a.submissions:
                notebooks = {}
                for nb in sub.notebooks:
                    notebooks[nb.name] = {
                        "flagged": nb.flagged, "late_submission_penalty": nb.late_submission_penalty,
                        "grades": {g.name: {f: getattr(g, f) for f in GRADE_FIELDS} for g in nb.grades},
                        "comments": {c.name: {f: getattr(c, f) for f in COMMENT_FIELDS} for c in nb.comments},
                    }
                s = sub.student
                out[(a.name, s.id)] = {"timestamp": sub.timestamp, "notebooks": notebooks,
                                       "student": {"first_name": s.first_name, "last_name": s.last_name,
                                                   "email": s.email, "lms_user_id": s.lms_user_id}}
    return out


def merge_gradebooks(cohort_root: str | Path, shard_roots: list[str | Path]) -> MergeResult:
    """Merge the graded submissions of ``shard_roots`` (cohort folders of one course, each with
    its own ``gradebook.db``) into the cohort at ``cohort_root``, with their autograded
    notebooks and autograde logs. The shards must not share a (month, learner); the cohort's
    own earlier grades of those submissions are replaced (a re-grade)."""
    from nbgrader.api import Gradebook

    target = Path(cohort_root).resolve()
    seen: dict[tuple[str, str], Path] = {}
    per_shard = []
    for root in map(lambda r: Path(r).resolve(), shard_roots):
        db = root / "gradebook.db"
        if not db.is_file():
            raise CohortError(f"{root}: no gradebook.db; is it a graded shard of the cohort?")
        subs = _submissions(db)
        for key in subs:
            if key in seen:
                raise CohortError(f"{key[1]}'s {key[0]} was graded in two shards ({seen[key]} and {root}); "
                                  "shards must hold disjoint learners (see mastery.grading.cohort.shard)")
            seen[key] = root
        per_shard.append((root, subs))

    result = MergeResult()
    with Gradebook(f"sqlite:///{target / 'gradebook.db'}?timeout=60") as gb:
        for root, subs in per_shard:
            for (assignment, student), sub in sorted(subs.items()):
                gb.find_assignment(assignment)  # MissingEntry: the month is not released in the cohort
                gb.update_or_create_student(student, **{k: v for k, v in sub["student"].items() if v})
                kwargs = {"timestamp": sub["timestamp"]} if sub["timestamp"] else {}
                gb.update_or_create_submission(assignment, student, **kwargs)
                for nb_name, nb in sub["notebooks"].items():
                    target_nb = gb.find_submission_notebook(nb_name, assignment, student)
                    target_nb.flagged = nb["flagged"]
                    target_nb.late_submission_penalty = nb["late_submission_penalty"]
                    for cell, values in nb["grades"].items():
                        g = gb.find_grade(cell, nb_name, assignment, student)
                        for f, v in values.items():
                            setattr(g, f, v)
                        result.grades += 1
                    for cell, values in nb["comments"].items():
                        c = gb.find_comment(cell, nb_name, assignment, student)
                        for f, v in values.items():
                            setattr(c, f, v)
                        result.comments += 1
                gb.db.commit()
                result.submissions.append((assignment, student))
                for folder in ("autograded", "feedback"):
                    src = root / folder / student / assignment
                    if src.is_dir():
                        dst = target / folder / student / assignment
                        if dst.exists():
                            shutil.rmtree(dst)
                        shutil.copytree(src, dst)
            _merge_logs(root, target)
    return result


def _merge_logs(shard_root: Path, target: Path) -> None:
    """Each learner's autograde outcome (graded, partial, regrade, ...) from the shard's log."""
    for log in sorted((shard_root / "logs").glob("autograde-*.json")):
        mine = target / "logs" / log.name
        merged = json.loads(mine.read_text()) if mine.is_file() else {}
        merged.update(json.loads(log.read_text()))
        mine.parent.mkdir(exist_ok=True)
        mine.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
