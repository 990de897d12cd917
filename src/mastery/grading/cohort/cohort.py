"""The Cohort: a course folder outside the repository with its roster, releases, submissions,
parallel autograde, feedback, exports and report.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from mastery import paths

from .course import (
    FEEDBACK_HIDDEN_TESTS,
    LATE_POLICIES,
    SETTINGS,
    CohortError,
    Course,
    _config_file,
    config,
    course_id,
)
from .parallel import (
    AutogradeSummary,
    GradeOutcome,
    _tail,
    grade_in_parallel,
)
from .roster import RosterResult, read_roster


class Cohort(Course):
    """A cohort's course folder: settings, gradebook, exchange, roster, grades, reports."""

    def __init__(self, root: str | Path):
        root = Path(root).resolve()
        settings = root / SETTINGS
        if not settings.is_file():
            raise CohortError(f"{root} is not a cohort folder (no {SETTINGS}); "
                              "create one with `mastery cohort create DIR`")
        self.settings = json.loads(settings.read_text())
        super().__init__(root, self.settings.get("timeout"), self.settings.get("late_policy", "none"),
                         self.settings.get("feedback_hidden_tests", "summary"))
        self._write_nbgrader_config()

    def _write_nbgrader_config(self) -> None:
        """The cohort's ``nbgrader_config.py`` (read by ``nbgrader`` and the formgrader) holds
        exactly the settings the commands use: rewritten when the settings or the course's
        nbgrader_config.py changed, left untouched otherwise."""
        target = self.root / "nbgrader_config.py"
        text = _config_file(self.cfg)
        if not target.is_file() or target.read_text() != text:
            target.write_text(text)

    def update_settings(self, **changes) -> dict:
        """Change settings kept in ``cohort.json`` (so far ``feedback_hidden_tests``); the
        cohort's nbgrader_config.py follows. Returns the settings."""
        allowed = {"feedback_hidden_tests": FEEDBACK_HIDDEN_TESTS}
        for key, value in changes.items():
            if value is None:
                continue
            if key not in allowed:
                raise CohortError(f"unknown cohort setting {key!r}")
            if value not in allowed[key]:
                raise CohortError(f"{key} {value!r}: choose one of {', '.join(allowed[key])}")
            self.settings[key] = value
        (self.root / SETTINGS).write_text(json.dumps(self.settings, indent=2) + "\n")
        self.__init__(self.root)
        return self.settings

    # ----------------------------------------------------------------- create and roster

    @classmethod
    def create(cls, root: str | Path, late_policy: str = "none", timeout: int | None = None,
               feedback_hidden_tests: str = "summary") -> tuple[Cohort, bool]:
        """Make (or open) a cohort folder outside the repository. Returns (cohort, created).
        ``feedback_hidden_tests``: ``summary`` (each hidden test's name, points, outcome and
        message in released feedback, not its code) or ``source`` (nbgrader's full source)."""
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
                    "feedback_hidden_tests": feedback_hidden_tests,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        (root / "nbgrader_config.py").write_text(_config_file(config(root, timeout, late_policy,
                                                                     feedback_hidden_tests)))
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
                      progress: bool = True, regrade: bool = False, reuse: bool = True) -> AutogradeSummary:
        """Grade every collected submission of ``month`` by learners on the roster, with
        ``workers`` processes, each on its own learners and with its own emulator. The
        gradebook is SQLite, shared with a lock timeout; every learner's result (graded,
        partial, failed, regrade, skipped + why) is also written to ``logs/autograde-<month>.json``.
        ``regrade=True`` grades only the submissions the last run marked for re-grading.
        ``reuse=False`` starts a fresh emulator per learner instead of emptying the worker's."""
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
        why = "not on the roster: add the learner with `mastery cohort roster` to grade this submission"
        outcomes = [GradeOutcome(s, "skipped", 0.0, {"*": why}, month) for s in students if s not in roster]
        students = [s for s in students if s in roster]
        t0 = time.perf_counter()
        bar = _progress(len(students), f"autograde {month}", progress)
        try:
            outcomes += grade_in_parallel(self, [(month, s) for s in students], workers, reuse=reuse,
                                          on_done=lambda _o: bar.update(1))
        finally:
            bar.close()
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
