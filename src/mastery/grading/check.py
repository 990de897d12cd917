"""Instant feedback for learners: ``mastery check``.

``mastery check month-01`` grades a learner's working copy at once, in one process,
through nbgrader's own preprocessors (``ClearOutput``, ``Execute``) and its grade rules
(``nbgrader.utils.determine_grade``), without any gradebook. Before running, every test
cell and read-only cell is restored from the released notebook, so an edited or deleted
test cannot pass by accident. Hidden tests are not in the release: they run when the
instructor autogrades, and the report says how many points they carry.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mastery import feedback, paths

if TYPE_CHECKING:
    from nbformat import NotebookNode

from mastery.errors import MasteryError

# nbformat is imported inside the functions that need it: its import (jsonschema and its
# format checkers) costs ~1.5 s on this machine (benchmarks/RESULTS.md).


class SubmissionError(MasteryError, ValueError):
    """The notebook cannot be graded as it is; the message says why and what to do."""


# ----------------------------------------------------------------------------- notebooks


def read_notebook(path: str | os.PathLike) -> NotebookNode:
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path}: no such notebook. Check the path, or fetch the exercise again.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SubmissionError(f"{path}: cannot be read as text ({e}).") from e
    if not text.strip():
        raise SubmissionError(f"{path}: the file is empty. Restore it from exercises/ and redo the cells.")
    try:
        import nbformat

        nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # not JSON, not a notebook, an unknown nbformat version, ...
        raise SubmissionError(
            f"{path}: not a valid notebook ({str(e).splitlines()[0][:120]}). "
            "If you edited it outside Jupyter, restore it from exercises/ or a checkpoint."
        ) from e
    return nb


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _grade_id(cell) -> str | None:
    return _meta(cell).get("grade_id")


def _learner_owned(cell) -> bool:
    """Solution cells (and manually graded answers) belong to the learner; the rest is ours."""
    m = _meta(cell)
    return bool(m.get("solution")) or (m.get("task") is True)


def restore_cells(work: NotebookNode, reference: NotebookNode) -> NotebookNode:
    """Return ``work`` with every non-learner nbgrader cell put back as in ``reference``:
    edited ones overwritten, deleted ones re-inserted where they stood. Learner cells and
    extra scratch cells are kept."""
    ref_cells = {_grade_id(c): c for c in reference.cells if _grade_id(c)}
    import nbformat

    out = nbformat.v4.new_notebook(metadata=work.metadata)
    seen = set()
    for c in work.cells:
        gid = _grade_id(c)
        if gid in ref_cells and gid not in seen:
            seen.add(gid)
            ref = ref_cells[gid]
            out.cells.append(c if _learner_owned(ref) else _copy(ref))
        elif gid and gid not in ref_cells:
            # a cell id the release does not have: keep the code, drop the grading metadata
            c = _copy(c)
            c.metadata.pop("nbgrader", None)
            out.cells.append(c)
        elif not gid:
            out.cells.append(c)
    # re-insert deleted cells after the cell that preceded them in the reference
    order = [_grade_id(c) for c in reference.cells]
    for i, c in enumerate(reference.cells):
        gid = _grade_id(c)
        if gid and gid not in seen:
            prev = next((order[j] for j in range(i - 1, -1, -1) if order[j] in seen), None)
            at = 0
            if prev:
                at = 1 + next(k for k, x in enumerate(out.cells) if _grade_id(x) == prev)
            out.cells.insert(at, _copy(c))
            seen.add(gid)
    used = set()
    for i, c in enumerate(out.cells):  # nbformat >= 5.1 wants unique ids
        if not c.get("id") or c["id"] in used:
            c["id"] = f"restored-{i}"
        used.add(c["id"])
    out.nbformat, out.nbformat_minor = 4, max(work.get("nbformat_minor", 5), 5)
    return out


def _copy(cell):
    import nbformat

    return nbformat.from_dict(json.loads(json.dumps(cell)))


# ------------------------------------------------------------------------------- reports
# The report, the hint rules and what a release says about hidden and manual points are the
# in-notebook check's (mastery.feedback, kernel-side), so both checks tell a learner the same.

Report = feedback.Report
TestResult = feedback.TestResult


def _hint(cell) -> str:
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return feedback.hint(o.get("ename", "Error"), o.get("evalue", ""))
    return ""


def grade_cells(nb: NotebookNode) -> list[TestResult]:
    """Per autograded test cell of an executed notebook: points by nbgrader's own rule."""
    from nbgrader.utils import determine_grade, is_grade, is_solution

    out = []
    for c in nb.cells:
        if c.cell_type == "code" and is_grade(c) and not is_solution(c):
            points, max_points = determine_grade(c)
            points = points or 0.0
            out.append(TestResult(_grade_id(c), points >= max_points, points, max_points,
                                  "" if points >= max_points else _hint(c)))
    return out


def execute(nb: NotebookNode, cwd: Path, timeout: int = 120) -> NotebookNode:
    """Run a notebook with nbgrader's Execute preprocessor (errors recorded, not raised)."""
    from nbgrader.preprocessors import ClearOutput, Execute

    resources = {"metadata": {"path": str(cwd)}}
    nb, resources = ClearOutput().preprocess(nb, resources)
    # the kernel's own start-up warnings ("Kernel is running over TCP without encryption": a
    # local kernel on 127.0.0.1) are not the learner's output
    ex = Execute(timeout=timeout, kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"])
    before = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "mastery-check"  # the notebook's own check() cell stands aside
    try:
        nb, _ = ex.preprocess(nb, resources)
    finally:
        if before is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = before
    return nb


def reference_for(path: Path) -> Path:
    """The released notebook a working copy was made from (``mastery.feedback.release_for``:
    the cohort's released copy, else ``exercises/<month>/<name>``; never ``solutions/``)."""
    try:
        return feedback.release_for(path)
    except feedback.CheckProblem as e:
        raise SubmissionError(str(e)) from e


def check_notebook(path: str | os.PathLike, timeout: int = 120) -> Report:
    """Grade one working copy against its release's visible tests. Writes nothing."""
    from mastery import backend

    path = Path(path)
    t0 = time.perf_counter()
    learner_nb = read_notebook(path)
    reference = read_notebook(reference_for(path))
    work = restore_cells(learner_nb, reference)
    before = backend.require()
    executed = execute(work, path.parent.resolve(), timeout)
    after = backend.probe()
    if not (after.up and after.pid == before.pid):
        raise backend.BackendError(
            f"The local AWS at {before.endpoint} {'stopped' if not after.up else 'restarted'} while "
            f"{path.name} was being checked, so this check says nothing about your work. "
            + ("Start it with `mastery up`, then " if not after.up else "Now ")
            + f"run `mastery check {path}` again.")
    release = feedback.read_release(reference_for(path))
    hidden = feedback.hidden_tests(release)
    visible = [r for r in grade_cells(executed) if r.grade_id not in hidden]
    report = Report(str(path), visible, sum(hidden.values()), feedback.manual_points(release))
    report.seconds = time.perf_counter() - t0
    return report


def working_copies(target: str) -> list[Path]:
    """A notebook path, a month folder, or a month id (looked up under ``exercises/``)."""
    p = Path(target)
    if p.is_file():
        return [p]
    if p.is_dir():
        return sorted(p.glob("*.ipynb"))
    folder = paths.exercises_dir() / target
    if folder.is_dir():
        return sorted(folder.glob("*.ipynb"))
    raise SubmissionError(f"{target}: no such notebook, folder or month (try `mastery check month-01`).")
