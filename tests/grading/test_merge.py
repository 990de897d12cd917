"""Grading past one machine (docs/deploy.md): learners split into disjoint shards, each graded
in its own copy of the cohort folder (a Kubernetes Job), the shards' gradebooks merged back into
the cohort's. No grade, comment, late penalty or outcome may be lost, and shards that graded the
same learner twice are refused rather than one silently overwriting the other."""

from __future__ import annotations

import json
import random
import shutil

import pytest
from nbgrader.api import Gradebook

from mastery.grading import cohort

MONTH = "month-01"


def _grade_as_autograde_would(root, students, seed):
    """Record graded submissions in a shard's gradebook (what `autograde` writes), with
    scores, manual grades, comments and late penalties that differ per learner and cell."""
    rnd = random.Random(seed)
    written = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for s in students:
            gb.update_or_create_student(s, first_name=s.title(), email=f"{s}@example.org")
            sub = gb.update_or_create_submission(MONTH, s, timestamp="2027-03-01 12:00:00 UTC")
            for nb in sub.notebooks:
                nb.late_submission_penalty = rnd.choice([0.0, 1.5])
                for g in nb.grades:
                    g.auto_score = rnd.randint(0, int(g.max_score)) if g.max_score else 0.0
                    if rnd.random() < 0.2:
                        g.manual_score = rnd.randint(0, int(g.max_score or 1))
                    written[(s, nb.name, g.name)] = (g.auto_score, g.manual_score, nb.late_submission_penalty)
                for c in nb.comments:
                    c.manual_comment = f"{s} {c.name} {rnd.random():.6f}"
                    written[(s, nb.name, "comment:" + c.name)] = c.manual_comment
            gb.db.commit()
            (root / "autograded" / s / MONTH).mkdir(parents=True)
            (root / "autograded" / s / MONTH / "marker.txt").write_text(s)
    (root / "logs").mkdir(exist_ok=True)
    (root / "logs" / f"autograde-{MONTH}.json").write_text(json.dumps(
        {s: {"student": s, "status": "graded", "seconds": 1.0, "errors": {}} for s in students}))
    return written


def _read(root):
    got = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for sub in gb.find_assignment(MONTH).submissions:
            for nb in sub.notebooks:
                for g in nb.grades:
                    late = nb.late_submission_penalty
                    got[(sub.student.id, nb.name, g.name)] = (g.auto_score, g.manual_score, late)
                for c in nb.comments:
                    got[(sub.student.id, nb.name, "comment:" + c.name)] = c.manual_comment
    return got


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = tmp_path_factory.mktemp("merge") / "cohort"
    c, _ = cohort.Cohort.create(root)
    c.add_assignment(MONTH)
    return root


def test_shards_are_disjoint_and_cover_every_learner():
    learners = [f"l{i:03d}" for i in range(101)]
    shards = [cohort.shard(learners, k, 4) for k in range(4)]
    assert sorted(s for part in shards for s in part) == sorted(learners)
    assert sum(map(len, shards)) == len(set().union(*map(set, shards)))
    with pytest.raises(cohort.CohortError):
        cohort.shard(learners, 4, 4)


def test_merging_per_job_gradebooks_loses_no_grade(released, tmp_path):
    target = tmp_path / "cohort"
    shutil.copytree(released, target)
    learners = [f"learner{i:02d}" for i in range(9)]
    written = {}
    shards = []
    for k in range(3):
        root = tmp_path / f"shard{k}"
        shutil.copytree(released, root)  # what a Job starts from: the cohort as released
        written.update(_grade_as_autograde_would(root, cohort.shard(learners, k, 3), seed=k))
        shards.append(root)
    result = cohort.merge_gradebooks(target, shards)
    assert sorted(s for _, s in result.submissions) == learners
    got = _read(target)
    assert got == written, "a grade, comment or late penalty differs or was lost in the merge"
    assert result.grades + result.comments == len(written)
    log = json.loads((target / "logs" / f"autograde-{MONTH}.json").read_text())
    assert sorted(log) == learners
    assert all((target / "autograded" / s / MONTH / "marker.txt").read_text() == s for s in learners)
    # merging again (a re-run of the merge step) changes nothing
    cohort.merge_gradebooks(target, shards)
    assert _read(target) == written


def test_shards_that_graded_the_same_learner_are_refused(released, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        shutil.copytree(released, root)
        _grade_as_autograde_would(root, ["twice"], seed=1)
    target = tmp_path / "cohort"
    shutil.copytree(released, target)
    with pytest.raises(cohort.CohortError, match="graded in two shards"):
        cohort.merge_gradebooks(target, [a, b])
    assert _read(target) == {}, "nothing is merged when the shards overlap"
