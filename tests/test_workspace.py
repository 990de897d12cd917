"""A self-study learner's working copy (`mastery start` opens JupyterLab on it): their saved
work never touches a tracked file, so `git pull` of course updates never conflicts with it;
course updates reach the copy without overwriting the learner's work; no solutions/ in it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from mastery import paths, workspace

LESSON = "notebooks/month-01/02-saga-step-functions.ipynb"
EXERCISE = "exercises/month-01/02-saga-step-functions.ipynb"


def _git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def clone(tmp_path, monkeypatch):
    """A learner's clone of the course (a git clone of this checkout's committed state)."""
    if not (paths.course_root() / ".git").exists():
        pytest.skip("the course is not a git checkout here")
    dest = tmp_path / "course"
    subprocess.run(["git", "clone", "-q", str(paths.course_root()), str(dest)], check=True)
    _git(dest, "config", "user.email", "learner@example.org")
    _git(dest, "config", "user.name", "Learner")
    monkeypatch.setenv("MASTERY_COURSE_ROOT", str(dest))
    monkeypatch.delenv("MASTERY_WORKDIR", raising=False)
    return dest


def _save_work(nb_path):
    """What JupyterLab does when the learner runs and saves: outputs and answers in the file."""
    nb = json.loads(nb_path.read_text())
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "my output\n"}]
            c["execution_count"] = 1
    nb_path.write_text(json.dumps(nb))


def test_saved_work_changes_no_tracked_file_and_a_pull_merges(clone):
    synced = workspace.sync()
    assert synced.root == clone / "work"
    assert (clone / "work" / LESSON).is_file() and (clone / "work" / EXERCISE).is_file()
    assert not (clone / "work" / "solutions").exists(), "the learner's lab must not show solutions/"
    _save_work(clone / "work" / LESSON)
    _save_work(clone / "work" / EXERCISE)
    assert _git(clone, "status", "--porcelain") == "", "saving work must not modify tracked files"

    # the course publishes an update to the same lesson; the learner pulls it
    upstream = clone.parent / "upstream"
    subprocess.run(["git", "clone", "-q", str(clone), str(upstream)], check=True)
    _git(upstream, "config", "user.email", "author@example.org")
    _git(upstream, "config", "user.name", "Author")
    lesson = json.loads((upstream / LESSON).read_text())
    lesson["cells"][0]["source"] = "# updated by the course\n" + "".join(lesson["cells"][0]["source"])
    (upstream / LESSON).write_text(json.dumps(lesson, indent=1))
    _git(upstream, "commit", "-qam", "course update")
    _git(clone, "pull", "-q", str(upstream), "HEAD")  # raises if it conflicts
    assert "# updated by the course" in (clone / LESSON).read_text()


def test_updates_reach_untouched_copies_and_never_overwrite_work(clone):
    workspace.sync()
    work = clone / "work"
    _save_work(work / LESSON)  # the learner worked in this lesson; not in the exercise
    mine = (work / LESSON).read_text()
    for rel in (LESSON, EXERCISE):  # the course changes both
        nb = json.loads((clone / rel).read_text())
        nb["metadata"]["course_update"] = 2
        (clone / rel).write_text(json.dumps(nb))
    new_lesson = clone / "notebooks" / "month-01" / "99-new-lesson.ipynb"
    shutil.copy(clone / LESSON, new_lesson)

    again = workspace.sync()
    assert (work / LESSON).read_text() == mine, "the learner's work was overwritten"
    assert again.kept == [LESSON] and again.updated == [EXERCISE]
    assert json.loads((work / EXERCISE).read_text())["metadata"]["course_update"] == 2
    assert (work / "notebooks/month-01/99-new-lesson.ipynb").is_file()
    assert "your copy is kept" in again.render() and str(clone / LESSON) in again.render()
    # the learner deletes their copy to take the course's version
    (work / LESSON).unlink()
    workspace.sync()
    assert json.loads((work / LESSON).read_text())["metadata"]["course_update"] == 2


def test_the_working_copy_is_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", "work/notebooks/x.ipynb"],
                             cwd=paths.course_root(), capture_output=True)
    if (paths.course_root() / ".git").exists():
        assert ignored.returncode == 0, "work/ must be in .gitignore"
