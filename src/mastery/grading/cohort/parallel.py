"""Parallel grading: worker processes, each with its own emulator, grade disjoint sets of
learners; the outcome of each (graded, failed, re-grade).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .course import Course


@dataclass
class GradeOutcome:
    student: str
    # graded | partial (some notebooks unreadable) | failed (nbgrader could not grade it) |
    # regrade (the backend went away: scores not valid) | skipped (learner not on the roster)
    status: str
    seconds: float
    errors: dict[str, str] = field(default_factory=dict)  # notebook (or "*") -> reason
    assignment: str = ""
    # the emulator this learner was graded on: "fresh" (started for the learner), "reset" (the
    # worker's emulator, emptied first), "shared" (the running backend, port None)
    emulator: str = ""


@dataclass
class AutogradeSummary:
    assignment: str
    workers: int
    seconds: float
    outcomes: list[GradeOutcome]

    def with_status(self, status: str) -> list[str]:
        return [o.student for o in self.outcomes if o.status == status]

    graded = property(lambda self: self.with_status("graded"))
    partial = property(lambda self: self.with_status("partial"))
    failed = property(lambda self: self.with_status("failed"))
    regrade = property(lambda self: self.with_status("regrade"))
    skipped = property(lambda self: self.with_status("skipped"))

    def render(self) -> str:
        lines = [f"autograded {self.assignment}: {len(self.graded)} graded, {len(self.partial)} graded "
                 f"with unreadable notebooks, {len(self.failed)} failed, {len(self.regrade)} to re-grade, "
                 f"{len(self.skipped)} skipped, in {self.seconds:.1f} s with {self.workers} worker(s)"]
        for o in self.outcomes:
            for nb, why in o.errors.items():
                lines.append(f"  {o.status.upper():8} {o.student}: {nb}: {why}")
        return "\n".join(lines)


def unreadable_notebooks(folder: Path) -> dict[str, str]:
    """notebook file name -> why it cannot be graded (not JSON, not a notebook). Schema quirks
    that nbformat repairs or only warns about (a missing cell id, ...) are left to nbgrader."""
    import warnings

    out = {}
    for p in sorted(folder.glob("*.ipynb")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                nb = nbformat.read(p, as_version=4)
            if not isinstance(nb.get("cells"), list) or not all(isinstance(c, dict) for c in nb.cells):
                raise ValueError("it has no list of cells")
        except Exception as e:
            first = str(e).splitlines()[0][:160] if str(e) else type(e).__name__
            out[p.name] = f"not a valid notebook: {first}"
    return out


_worker_course: Course | None = None
_worker_port: int | None = None
_worker_reuse: bool = True


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker_init(root: str, timeout: int, late_policy: str, grader_dir: str, reuse: bool = True) -> None:
    """A grading worker: its own course object and its own embedded emulator, emptied between
    learners (``reuse``) or a fresh one for every learner, so no learner's code can see or
    change another learner's AWS resources."""
    import tempfile
    import warnings

    warnings.filterwarnings("ignore")
    global _worker_course, _worker_port, _worker_reuse
    _worker_reuse = reuse
    _worker_course = Course(root, timeout, late_policy)
    os.environ["MASTERY_STATE_DIR"] = tempfile.mkdtemp(prefix="worker-", dir=grader_dir)
    _worker_port = _free_port()
    os.environ["MASTERY_PORT"] = str(_worker_port)


def _tail(result: dict) -> str:
    text = (result.get("error") or "") + (result.get("log") or "")
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    raised = [x for x in lines if re.match(r"[\w.]+(Error|Exception): ", x)]
    useful = raised or [x for x in lines if "Error" in x or "error" in x]
    return (useful[-1] if useful else (lines[-1] if lines else "unknown error"))[:300]


# The grader's kernel never started, so nothing of the submission ran: on a loaded machine the
# kernel misses nbclient's start-up wait, or another process takes one of the ports picked for
# it before it binds them (jupyter_client picks free ports, then the kernel binds them later)
KERNEL_NEVER_STARTED = ("Kernel didn't respond", "kernel didn't respond",
                        "Timeout waiting for kernel_info reply", "Kernel died before replying to kernel_info",
                        "Address already in use")
KERNEL_START_RETRIES = 2


def kernel_never_started(error: str) -> bool:
    """The grading failed before the submission ran (see :data:`KERNEL_NEVER_STARTED`): no
    verdict on the submission, unlike a kernel the submission itself killed."""
    return any(text in (error or "") for text in KERNEL_NEVER_STARTED)


def _autograde(course: Course, assignment: str, student: str) -> dict:
    """nbgrader's autograde, again (at most :data:`KERNEL_START_RETRIES` times) when its kernel
    never started: a learner's grade must not depend on the machine's load or a port race."""
    for _ in range(KERNEL_START_RETRIES):
        result = course.api.autograde(assignment, student, force=True, create=True)
        text = (result.get("error") or "") + (result.get("log") or "")
        if result["success"] or not kernel_never_started(text):
            return result
    return course.api.autograde(assignment, student, force=True, create=True)


BACKEND_LOST = ("the local AWS emulator stopped while this submission was graded, so its scores "
                "say nothing about the submission; re-grade it: `mastery cohort autograde {month} --regrade`")


def fresh_backend(port: int, reuse: bool) -> str:
    """An empty embedded emulator on ``port`` for the next learner: the one running there,
    emptied in place (``reuse``; see :func:`mastery.backend.reset`), or else a new process.
    Returns how: ``reset`` or ``fresh``."""
    from mastery import backend

    if reuse and backend.probe(port, timeout=1.0).kind == "embedded" and backend.reset(port):
        return "reset"
    backend.down(port)  # whatever the previous learner left behind
    backend.up(port)
    return "fresh"


def grade_one(course: Course, assignment: str, student: str, port: int | None = None,
              reuse: bool = False, execute: dict | None = None) -> GradeOutcome:
    """Autograde one learner's submission in ``course``, in this process, against an empty
    embedded emulator on ``port`` (``None``: the running backend), with the learner's
    namespace. ``reuse``: the emulator already on ``port`` is emptied and kept for the next
    learner (one per worker), otherwise a fresh one is started and stopped after. Unreadable
    notebooks score 0 and are reported; the learner's other notebooks are still graded, one by
    one (nbgrader alone would fail them all). If the emulator did not survive the grading, the
    outcome is ``regrade`` and the scores are not to be trusted. ``execute``: settings of the
    grading step (``GuardedExecute``) for this learner only, e.g. ``stop_after``."""
    from nbgrader.utils import temp_attrs

    from mastery import backend

    t0 = time.perf_counter()
    how = fresh_backend(port, reuse) if port is not None else "shared"
    before = backend.probe(port)
    os.environ["MASTERY_LEARNER"] = student
    folder = course.root / "submitted" / student / assignment
    broken = unreadable_notebooks(folder)
    saved = dict(course.cfg.GuardedExecute)
    course.cfg.GuardedExecute.update(execute or {})
    try:
        if not broken:
            result = _autograde(course, assignment, student)
            status = "graded" if result["success"] else "failed"
            errors = {} if result["success"] else {"*": _tail(result)}
        else:
            errors, status = dict(broken), "partial"
            good = sorted(p.stem for p in folder.glob("*.ipynb") if p.name not in broken)
            if not good:  # nothing nbgrader can open: record the submission (all zeros) as it would
                with course.api.gradebook as gb:
                    ts = course.api.coursedir.get_existing_timestamp(str(folder))
                    gb.update_or_create_submission(assignment, student, **({"timestamp": ts} if ts else {}))
            for stem in good:
                with temp_attrs(course.api.coursedir, notebook_id=stem):
                    result = _autograde(course, assignment, student)
                if not result["success"]:
                    status, errors[stem + ".ipynb"] = "failed", _tail(result)
    finally:
        os.environ.pop("MASTERY_LEARNER", None)
        course.cfg.GuardedExecute.clear()
        course.cfg.GuardedExecute.update(saved)
        after = backend.probe(port)
        if port is not None and not reuse:
            backend.down(port)
    if before.up and not (after.up and after.pid == before.pid):
        status, errors = "regrade", {"*": BACKEND_LOST.format(month=assignment)}
    elif status in ("graded", "partial"):
        for nb, note in execution_notes(course.root / "autograded" / student / assignment).items():
            errors.setdefault(nb, note)
    return GradeOutcome(student, status, time.perf_counter() - t0, errors, assignment, how)


_NOTES = {"CellTimeoutError": "a cell ran past the per-cell time limit and was interrupted",
          "DeadKernelError": "the kernel stopped (exit, crash or out of memory); later cells were not run",
          "NotRun": "cells were not run (the kernel stopped, the notebook ran past its time budget, or "
                    "the grading was asked to stop after a cell)",
          "MemoryError": "a cell ran out of memory (the grader's limit)"}


def execution_notes(folder: Path) -> dict[str, str]:
    """notebook -> what went wrong while running it (timeouts, a dead kernel, memory), for the
    summary; the affected tests are scored by nbgrader as usual."""
    out = {}
    for p in sorted(folder.glob("*.ipynb")):
        try:
            nb = nbformat.read(p, as_version=4)
        except Exception:
            continue
        names = {o.get("ename") for c in nb.cells if c.cell_type == "code"
                 for o in c.get("outputs", []) if o.get("output_type") == "error"}
        found = [why for ename, why in _NOTES.items() if ename in names]
        if found:
            out[p.name] = "; ".join(found)
    return out


def _worker_grade(assignment: str, student: str, execute: dict | None = None) -> GradeOutcome:
    try:
        return grade_one(_worker_course, assignment, student, port=_worker_port, reuse=_worker_reuse,
                         execute=execute)
    except Exception as e:  # one learner's trouble must not stop the others
        return GradeOutcome(student, "failed", 0.0, {"*": f"{type(e).__name__}: {e}"[:300]}, assignment)


def grade_in_parallel(course: Course, jobs: list[tuple[str, str]], workers: int = 2,
                      reuse: bool = True, on_done=None,
                      execute: dict[tuple[str, str], dict] | None = None) -> list[GradeOutcome]:
    """Autograde ``jobs`` ((assignment, learner) pairs, several assignments allowed) in
    ``course`` with ``workers`` processes, each with its own embedded emulator (emptied between
    learners when ``reuse``, else one per learner). A worker that dies leaves its learner
    marked ``regrade``. ``on_done(outcome)`` is called as each learner finishes. ``execute``: job ->
    settings of the grading step for that job only (the course's tests of wrong answers set
    ``stop_after`` and ``hypothesis_shrink``; see ``GuardedExecute``). Returns the outcomes in the
    order of ``jobs``."""
    import multiprocessing
    import shutil
    import tempfile
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # workers' emulator state lives in the course folder (hidden from nbgrader, denied to kernels)
    (course.root / ".grading").mkdir(exist_ok=True)
    grader_dir = Path(tempfile.mkdtemp(prefix="run-", dir=course.root / ".grading"))
    done: dict[tuple[str, str], GradeOutcome] = {}
    try:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx, initializer=_worker_init,
                                 initargs=(str(course.root), course.timeout, course.late_policy,
                                           str(grader_dir), reuse)) as pool:
            settings = execute or {}
            futures = {pool.submit(_worker_grade, a, s, settings.get((a, s))): (a, s) for a, s in jobs}
            for f in as_completed(futures):
                a, s = futures[f]
                try:
                    outcome = f.result()
                except Exception as e:  # a worker died: its learner is re-graded, not scored
                    outcome = GradeOutcome(s, "regrade", 0.0,
                                           {"*": f"the grading worker died ({type(e).__name__}); "
                                            f"re-grade with `mastery cohort autograde {a} --regrade`"}, a)
                done[(a, s)] = outcome
                if on_done is not None:
                    on_done(outcome)
    finally:
        _stop_grader_emulators(grader_dir)
        shutil.rmtree(grader_dir, ignore_errors=True)
    return [done[j] for j in jobs]


def _stop_grader_emulators(grader_dir: Path) -> None:
    """Stop emulators a worker left running (a worker that died cannot stop its own)."""
    from mastery.backend import _stop_pid

    for pid_file in grader_dir.glob("*/emulator-*.pid"):
        try:
            _stop_pid(int(pid_file.read_text().strip()))
        except (ValueError, OSError):
            pass
