"""Instructor side: a course folder driven through nbgrader's Python API, in one process.

nbgrader's command-line tools each pay 3-5 s of start-up here; the API pays it once.
``NbGraderAPI`` does not read ``nbgrader_config.py`` by itself, so :func:`config` builds
the same settings in code (and :meth:`Cohort.create` writes them into the cohort's
``nbgrader_config.py`` too, so ``nbgrader`` commands and the formgrader agree with us).

A :class:`Cohort` is a course folder outside the repository with its gradebook, exchange,
roster and grades. Every operation is safe to run twice. :meth:`Cohort.autograde` grades
with N worker processes on disjoint sets of learners (nbgrader itself grades serially).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from traitlets.config import Config

from mastery import paths
from mastery.errors import MasteryError

LATE_POLICIES = ("none", "zero")
SETTINGS = "cohort.json"


@functools.cache
def course_settings() -> Config:
    """The course's own ``nbgrader_config.py``: the one source of its nbgrader settings."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(paths.CONFIG_NAME, path=str(paths.course_root())).load_config()


def course_id() -> str:
    return course_settings().CourseDirectory.course_id


def config(root: Path, timeout: int | None = None, late_policy: str = "none") -> Config:
    """The course's settings with this cohort's folders, gradebook, late policy and (if given)
    per-cell timeout, and nbgrader's autograde steps with the sandboxed Execute."""
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

    def __init__(self, root: str | Path, timeout: int | None = None, late_policy: str = "none"):
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory

        # nbgrader's gradebook runs the `alembic` command: make this environment's bin findable
        bindir = str(Path(sys.executable).parent)
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.cfg = config(self.root, timeout, late_policy)
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


# ------------------------------------------------------------------------------- roster

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,47}$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[a-z]{2,}$", re.I)


@dataclass
class RosterResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def read_roster(path: Path) -> tuple[list[dict], list[tuple[int, str]]]:
    """Good rows and (line, reason) for each bad one. Columns: id, first_name, last_name,
    email (``student_id`` is accepted for ``id``, and one ``name`` column for both names)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CohortError(f"{path}: cannot read the roster ({e})") from e
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower().replace(" ", "_").replace("-", "") for h in (reader.fieldnames or [])]
    header = ["id" if h == "student_id" else "email" if h == "email" else h for h in header]
    if "id" not in header or "email" not in header:
        raise CohortError(f"{path}: the first line must name the columns id,first_name,last_name,email "
                          f"(found: {','.join(reader.fieldnames or []) or 'nothing'})")
    good, bad, seen = [], [], set()
    for lineno, raw in enumerate(csv.reader(text.splitlines()[1:]), start=2):
        if not any(x.strip() for x in raw):
            continue
        if len(raw) != len(header):
            bad.append((lineno, f"{len(raw)} fields, the header has {len(header)}"))
            continue
        row = {k: v.strip() for k, v in zip(header, raw, strict=True)}
        sid = row["id"].lower()
        if "name" in row and not row.get("first_name"):
            first, _, last = row.pop("name").partition(" ")
            row["first_name"], row["last_name"] = first, last
        if not _ID.match(sid):
            bad.append((lineno, f"id {row['id']!r} is not a valid learner id "
                                "(lower-case letters, digits, . _ -; at most 48)"))
        elif sid in seen:
            bad.append((lineno, f"id {sid!r} appears twice; the first row is kept"))
        elif not _EMAIL.match(row["email"]):
            bad.append((lineno, f"e-mail {row['email']!r} of {sid!r} is not an address"))
        else:
            seen.add(sid)
            good.append({"id": sid, "first_name": row.get("first_name") or None,
                         "last_name": row.get("last_name") or None, "email": row["email"]})
    return good, bad


# ----------------------------------------------------------------------- parallel grading


@dataclass
class GradeOutcome:
    student: str
    # graded | partial (some notebooks unreadable) | failed (nbgrader could not grade it) |
    # regrade (the backend went away: scores not valid) | skipped (learner not on the roster)
    status: str
    seconds: float
    errors: dict[str, str] = field(default_factory=dict)  # notebook (or "*") -> reason


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


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker_init(root: str, timeout: int, late_policy: str, grader_dir: str) -> None:
    """A grading worker: its own course object and its own embedded emulator (a fresh one for
    every learner), so no learner's code can see or change another learner's AWS resources."""
    import tempfile
    import warnings

    warnings.filterwarnings("ignore")
    global _worker_course, _worker_port
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


BACKEND_LOST = ("the local AWS emulator stopped while this submission was graded, so its scores "
                "say nothing about the submission; re-grade it: `mastery cohort autograde {month} --regrade`")


def grade_one(course: Course, assignment: str, student: str, port: int | None = None) -> GradeOutcome:
    """Autograde one learner's submission in ``course``, in this process, against a fresh
    embedded emulator on ``port`` (``None``: the running backend), with the learner's
    namespace. Unreadable notebooks score 0 and are reported; the learner's other notebooks
    are still graded, one by one (nbgrader alone would fail them all). If the emulator did not
    survive the grading, the outcome is ``regrade`` and the scores are not to be trusted."""
    from nbgrader.utils import temp_attrs

    from mastery import backend

    t0 = time.perf_counter()
    if port is not None:
        backend.down(port)  # whatever the previous learner left behind
        backend.up(port)
    before = backend.probe(port)
    os.environ["MASTERY_LEARNER"] = student
    folder = course.root / "submitted" / student / assignment
    broken = unreadable_notebooks(folder)
    try:
        if not broken:
            result = course.api.autograde(assignment, student, force=True, create=True)
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
                    result = course.api.autograde(assignment, student, force=True, create=True)
                if not result["success"]:
                    status, errors[stem + ".ipynb"] = "failed", _tail(result)
    finally:
        os.environ.pop("MASTERY_LEARNER", None)
        after = backend.probe(port)
        if port is not None:
            backend.down(port)
    if before.up and not (after.up and after.pid == before.pid):
        status, errors = "regrade", {"*": BACKEND_LOST.format(month=assignment)}
    elif status in ("graded", "partial"):
        for nb, note in execution_notes(course.root / "autograded" / student / assignment).items():
            errors.setdefault(nb, note)
    return GradeOutcome(student, status, time.perf_counter() - t0, errors)


_NOTES = {"CellTimeoutError": "a cell ran past the per-cell time limit and was interrupted",
          "DeadKernelError": "the kernel stopped (exit, crash or out of memory); later cells were not run",
          "NotRun": "cells were not run (the kernel stopped, or the notebook ran past its time budget)",
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


def _worker_grade(assignment: str, student: str) -> GradeOutcome:
    try:
        return grade_one(_worker_course, assignment, student, port=_worker_port)
    except Exception as e:  # one learner's trouble must not stop the others
        return GradeOutcome(student, "failed", 0.0, {"*": f"{type(e).__name__}: {e}"[:300]})


def _stop_grader_emulators(grader_dir: Path) -> None:
    """Stop emulators a worker left running (a worker that died cannot stop its own)."""
    from mastery.backend import _stop_pid

    for pid_file in grader_dir.glob("*/emulator-*.pid"):
        try:
            _stop_pid(int(pid_file.read_text().strip()))
        except (ValueError, OSError):
            pass


# --------------------------------------------------------------------------------- cohort


class Cohort(Course):
    """A cohort's course folder: settings, gradebook, exchange, roster, grades, reports."""

    def __init__(self, root: str | Path):
        root = Path(root).resolve()
        settings = root / SETTINGS
        if not settings.is_file():
            raise CohortError(f"{root} is not a cohort folder (no {SETTINGS}); "
                              "create one with `mastery cohort create DIR`")
        self.settings = json.loads(settings.read_text())
        super().__init__(root, self.settings.get("timeout"), self.settings.get("late_policy", "none"))

    # ----------------------------------------------------------------- create and roster

    @classmethod
    def create(cls, root: str | Path, late_policy: str = "none",
               timeout: int | None = None) -> tuple[Cohort, bool]:
        """Make (or open) a cohort folder outside the repository. Returns (cohort, created)."""
        root = Path(root).resolve()
        if late_policy not in LATE_POLICIES:
            raise CohortError(f"late policy {late_policy!r}: choose one of {', '.join(LATE_POLICIES)}")
        try:
            repo = paths.course_root()
        except FileNotFoundError:
            repo = None
        if repo and (root == repo or repo in root.parents):
            raise CohortError(f"{root} is inside the course repository; cohort folders hold learners' "
                              "work and grades and must live outside it (e.g. ~/cohorts/2027-spring)")
        if (root / SETTINGS).is_file():
            return cls(root), False
        if root.exists() and any(root.iterdir()):
            raise CohortError(f"{root} exists and is not empty; choose a new folder for the cohort")
        root.mkdir(parents=True, exist_ok=True)
        exchange = root / "exchange"
        exchange.mkdir(exist_ok=True)
        exchange.chmod(0o777)  # nbgrader's exchange must be writable by every learner
        settings = {"course_id": course_id(), "late_policy": late_policy, "timeout": timeout,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        (root / "nbgrader_config.py").write_text(_config_file(config(root, timeout, late_policy)))
        (root / SETTINGS).write_text(json.dumps(settings, indent=2) + "\n")
        cohort = cls(root)
        with cohort.api.gradebook as gb:  # create the gradebook now, before any parallel worker
            gb.students  # noqa: B018
        return cohort, True

    def import_roster(self, csv_path: str | Path) -> RosterResult:
        good, bad = read_roster(Path(csv_path))
        res = RosterResult(rejected=bad)
        with self.api.gradebook as gb:
            known = {s.id for s in gb.students}
            for row in good:
                sid = row.pop("id")
                gb.update_or_create_student(sid, **row)
                (res.updated if sid in known else res.added).append(sid)
        return res

    def students(self) -> list[str]:
        with self.api.gradebook as gb:
            return sorted(s.id for s in gb.students)

    # --------------------------------------------------------------- release and collect

    def release(self, month: str, due: str | dt.datetime | None = None) -> dt.datetime | None:
        """Generate a month from the repo's solutions and release it to the exchange.
        Re-running refreshes the release; ``due`` (UTC unless it names a zone) sets the due
        date, otherwise the one already set is kept. Returns the due date."""
        from nbgrader.utils import capture_log, parse_utc, temp_attrs

        self.add_assignment(month)
        with self.api.gradebook as gb:
            if due is not None:
                try:
                    when = parse_utc(due)
                except (ValueError, OverflowError) as e:
                    raise CohortError(f"due date {due!r}: not a date ({e}); "
                                      "e.g. '2027-03-01 17:00 UTC'") from e
                gb.update_or_create_assignment(month, duedate=when)
            due_date = gb.find_assignment(month).duedate
        with temp_attrs(self.api.coursedir, assignment_id=month):
            app = self.api.exchange.ReleaseAssignment(coursedir=self.api.coursedir,
                                                     authenticator=self.api.authenticator, parent=self.api)
            app.force = True
            result = capture_log(app)
        if not result["success"]:
            raise CohortError(f"release of {month} failed: {_tail(result)}")
        return due_date

    def collect(self, month: str) -> tuple[list[str], list[str]]:
        """Copy the newest submission of each learner into ``submitted/``.
        Returns (collected learners, learners who submitted but are not on the roster)."""
        result = self.api.collect(month, update=True)
        if not result["success"]:
            raise CohortError(f"collect of {month} failed: {_tail(result)}")
        collected = self.submitted(month)
        roster = set(self.students())
        return collected, [s for s in collected if s not in roster]

    def submitted(self, month: str) -> list[str]:
        base = self.root / "submitted"
        return sorted(p.parent.name for p in base.glob(f"*/{month}") if p.is_dir()) if base.is_dir() else []

    # --------------------------------------------------------------------------- grading

    def autograde_all(self, month: str, workers: int = 2, students: list[str] | None = None,
                      progress: bool = True, regrade: bool = False) -> AutogradeSummary:
        """Grade every collected submission of ``month`` by learners on the roster, with
        ``workers`` processes, each on its own learners and with its own emulator. The
        gradebook is SQLite, shared with a lock timeout; every learner's result (graded,
        partial, failed, regrade, skipped + why) is also written to ``logs/autograde-<month>.json``.
        ``regrade=True`` grades only the submissions the last run marked for re-grading."""
        import multiprocessing
        import tempfile

        with self.api.gradebook as gb:
            try:
                gb.find_assignment(month)
            except Exception as e:
                raise CohortError(f"{month} is not released in this cohort; run `mastery cohort release "
                                  f"{month}` first") from e
        log = self.root / "logs" / f"autograde-{month}.json"
        previous = json.loads(log.read_text()) if log.is_file() else {}
        if regrade:
            students = sorted(s for s, o in previous.items() if o["status"] == "regrade")
            if not students:
                raise CohortError(f"no submission of {month} is marked for re-grading")
        students = students or self.submitted(month)
        if not students:
            raise CohortError(f"nothing collected for {month} yet; run `mastery cohort collect {month}`")
        missing = [s for s in students if not (self.root / "submitted" / s / month).is_dir()]
        if missing:
            raise CohortError(f"no collected submission of {month} for: {', '.join(missing)} "
                              "(run `mastery cohort collect` first)")
        roster = set(self.students())
        outcomes = [GradeOutcome(s, "skipped", 0.0, {"*": "not on the roster: add the learner with "
                                                     "`mastery cohort roster` to grade this submission"})
                    for s in students if s not in roster]
        students = [s for s in students if s in roster]
        t0 = time.perf_counter()
        bar = _progress(len(students), f"autograde {month}", progress)
        # workers' emulator state lives in the cohort (hidden from nbgrader, denied to kernels)
        (self.root / ".grading").mkdir(exist_ok=True)
        grader_dir = Path(tempfile.mkdtemp(prefix="run-", dir=self.root / ".grading"))
        try:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx, initializer=_worker_init,
                                     initargs=(str(self.root), self.timeout, self.late_policy,
                                               str(grader_dir))) as pool:
                futures = {pool.submit(_worker_grade, month, s): s for s in students}
                for f in as_completed(futures):
                    try:
                        outcomes.append(f.result())
                    except Exception as e:  # a worker died: its learner is re-graded, not scored
                        outcomes.append(GradeOutcome(futures[f], "regrade", 0.0,
                                                     {"*": f"the grading worker died ({type(e).__name__}); "
                                                      f"re-grade with `mastery cohort autograde {month} "
                                                      "--regrade`"}))
                    bar.update(1)
        finally:
            bar.close()
            _stop_grader_emulators(grader_dir)
            shutil.rmtree(grader_dir, ignore_errors=True)
        outcomes.sort(key=lambda o: o.student)
        summary = AutogradeSummary(month, max(1, workers), time.perf_counter() - t0, outcomes)
        log.parent.mkdir(exist_ok=True)
        previous.update({o.student: asdict(o) for o in outcomes})
        log.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")
        return summary

    def outcomes(self, month: str) -> dict[str, dict]:
        """The last autograde outcome of each learner for ``month`` (from the log)."""
        log = self.root / "logs" / f"autograde-{month}.json"
        return json.loads(log.read_text()) if log.is_file() else {}

    def _assignment_names(self) -> list[str]:
        with self.api.gradebook as gb:
            return sorted(a.name for a in gb.assignments)

    def grading_errors(self, month: str) -> dict[str, dict[str, str]]:
        log = self.root / "logs" / f"autograde-{month}.json"
        if not log.is_file():
            return {}
        return {s: o["errors"] for s, o in json.loads(log.read_text()).items() if o["errors"]}

    # ------------------------------------------------------------------------- feedback

    def feedback(self, month: str) -> tuple[list[str], dict[str, str]]:
        """Generate HTML feedback for every autograded learner and release it to the exchange.
        Returns (learners with feedback released, learner -> why not)."""
        base = self.root / "autograded"
        done, problems = [], {}
        outcomes = self.outcomes(month)
        for s in self.submitted(month):
            status = outcomes.get(s, {}).get("status")
            if status in ("regrade", "skipped"):
                problems[s] = outcomes[s]["errors"].get("*", status)
                continue
            if not (base / s / month).is_dir():
                problems[s] = "nothing graded: no readable notebook was submitted (see `autograde`'s summary)"
                continue
            r = self.api.generate_feedback(month, s, force=True)
            if not r["success"]:
                problems[s] = _tail(r)
                continue
            r = self.api.release_feedback(month, s)
            if not r["success"]:
                problems[s] = _tail(r)
                continue
            done.append(s)
        return done, problems

    # --------------------------------------------------------------------------- export

    def export(self, to: str | Path | None = None) -> tuple[Path, Path]:
        """``grades.csv`` (nbgrader's CSV exporter: one row per learner and month, with late
        penalties) and ``breakdown.csv`` (one row per learner, notebook and graded cell, with
        grading errors). Returns both paths."""
        from nbgrader.plugins.export import CsvExportPlugin

        out = Path(to) if to else self.root / "exports"
        out.mkdir(parents=True, exist_ok=True)
        grades = out / "grades.csv"
        with self.api.gradebook as gb:
            CsvExportPlugin(to=str(grades), config=self.cfg).export(gb)
            rows = []
            for a in sorted(gb.assignments, key=lambda a: a.name):
                errors = self.grading_errors(a.name)
                for sub in sorted(a.submissions, key=lambda s: s.student.id):
                    sid = sub.student.id
                    for nb in sorted(sub.notebooks, key=lambda n: n.name):
                        err = errors.get(sid, {})
                        why = err.get(nb.name + ".ipynb") or err.get("*", "")
                        for g in sorted(nb.grades, key=lambda g: g.name):
                            kind = "manual" if g.cell_type == "markdown" else "auto"
                            rows.append([a.name, sid, nb.name, g.name, kind, _num(g.score),
                                         _num(g.max_score), "yes" if g.needs_manual_grade else "",
                                         "yes" if sub.total_seconds_late > 0 else "", why])
        _mark_grading_status(grades, {a: self.outcomes(a) for a in self._assignment_names()})
        breakdown = out / "breakdown.csv"
        with breakdown.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["assignment", "student_id", "notebook", "cell", "kind", "score", "max_score",
                        "needs_manual_grade", "late", "error"])
            w.writerows(rows)
        return grades, breakdown


def _mark_grading_status(grades: Path, outcomes: dict[str, dict[str, dict]]) -> None:
    """Add a ``grading_status`` column to nbgrader's grades.csv; a submission marked for
    re-grading gets no score (blank, not 0) until it is re-graded."""
    with grades.open(newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys()) if rows else []
    if not rows:
        return
    for row in rows:
        o = outcomes.get(row["assignment"], {}).get(row["student_id"])
        status = o["status"] if o else ("not submitted" if not row.get("timestamp") else "graded")
        row["grading_status"] = status
        if status == "regrade":
            for col in ("raw_score", "score", "late_submission_penalty"):
                if col in row:
                    row[col] = ""
    with grades.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[*fields, "grading_status"])
        w.writeheader()
        w.writerows(rows)


def _num(x) -> float:
    return float(x or 0.0)


def _progress(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="learner", file=sys.stderr, disable=not enabled)
