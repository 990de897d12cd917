"""In-notebook feedback: ``check()`` in an exercise tests what your kernel holds now.

Every exercise starts with the course header (``solutions/header.ipynb``), whose code cell
is ``from mastery.feedback import check``; a learner then runs ``check()`` in any cell:

* the **visible** tests of this exercise run in the current kernel, against the answers the
  learner ran (saved or not), each in a copy of the notebook's namespace, so a test's own
  variables never overwrite the learner's;
* the test code comes from the **release** (``exercises/<month>/`` of the course, or the
  cohort's released copy in the exchange), never from the learner's notebook: an edited or
  deleted test cannot pass by accident;
* the result is shown inline, per test: pass/fail, points and a hint, then how many points
  hidden tests and the instructor's reading carry, and it is recorded for ``mastery
  progress``, as ``mastery check`` does.

``mastery check`` (the CLI, ``mastery.grading.check``) runs the *saved file* from the top in
a fresh kernel, as the grader does; both share the report and the rules here. This module is
kernel-side: it imports neither nbgrader nor nbformat (both cost seconds to import), and
never ``mastery.grading``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from mastery import paths
from mastery.errors import MasteryError

# nbgrader_config.py's CourseDirectory.course_id (tests/grading/test_feedback.py keeps them equal)
COURSE_ID = "serverless-mastery"
_MONTH = re.compile(r"month-\d+")


class CheckProblem(MasteryError, ValueError):
    """This notebook cannot be checked here; the message says why and what to do."""


# ------------------------------------------------------------------------------ reports


@dataclass
class TestResult:
    grade_id: str
    passed: bool
    points: float
    max_points: float
    hint: str = ""


@dataclass
class Report:
    notebook: str
    results: list[TestResult] = field(default_factory=list)
    hidden_points: float = 0.0
    manual_points: float = 0.0
    seconds: float = 0.0
    how: str = "file"  # "file": the saved notebook in a fresh kernel; "kernel": this kernel, now

    @property
    def score(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.max_points for r in self.results)

    def remaining(self) -> list[str]:
        out = []
        if self.hidden_points:
            out.append(f"+ {self.hidden_points:g} points of hidden tests, run only when your work is "
                       "graded (nbgrader's Validate button does not run them either)")
        if self.manual_points:
            out.append(f"+ {self.manual_points:g} points graded by your instructor")
        return out

    def render(self) -> str:
        lines = [f"{self.notebook}"]
        for r in self.results:
            mark = "PASS" if r.passed else "FAIL"
            lines.append(f"  {mark}  {r.grade_id:<32} {r.points:g}/{r.max_points:g}")
            if r.hint:
                lines.append(f"        hint: {r.hint}")
        lines.append(f"  score {self.score:g}/{self.max_score:g} on the visible tests ({self.seconds:.1f} s)")
        lines += [f"  {x}" for x in self.remaining()]
        return "\n".join(lines)

    def __repr__(self) -> str:  # what a notebook shows without HTML, and what print() shows
        return self.render()

    def _repr_html_(self) -> str:
        e = html.escape
        rows = []
        for r in self.results:
            colour = "#1a7f37" if r.passed else "#cf222e"
            rows.append(
                f'<tr class="mastery-{"pass" if r.passed else "fail"}">'
                f'<td style="color:{colour};font-weight:bold">{"PASS" if r.passed else "FAIL"}</td>'
                f"<td><code>{e(r.grade_id)}</code></td><td>{r.points:g}/{r.max_points:g}</td>"
                f"<td>{e(r.hint)}</td></tr>")
        what = ("your answers as this kernel holds them now" if self.how == "kernel"
                else "the saved notebook, run from the top")
        extra = "".join(f"<li>{e(x[2:])}</li>" for x in self.remaining())
        return (
            f'<div class="mastery-check"><p><b>Check of {e(Path(self.notebook).name)}</b> '
            f"({e(what)}): <b>{self.score:g}/{self.max_score:g}</b> on the visible tests "
            f"({self.seconds:.1f} s)</p>"
            '<table><thead><tr><th>result</th><th>test</th><th>points</th><th>hint</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            + (f"<ul>{extra}</ul>" if extra else "") + "</div>")


def hint(ename: str, evalue: str) -> str:
    """What a learner reads for a failed test: the assertion's message, or what to do."""
    if ename == "AssertionError" and evalue:
        return evalue
    if ename == "NotImplementedError":
        return "not done yet: replace `raise NotImplementedError()` with your code"
    if ename == "NameError":
        return (f"{ename}: {evalue}: run the cells above first (Run ▸ Run All Above Selected Cell), "
                "then check again")
    return f"{ename}: {evalue}"[:300]


# ----------------------------------------------------------------------------- releases


def _source(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def month_of(path: Path) -> str | None:
    return next((p for p in reversed(Path(path).resolve().parts[:-1]) if _MONTH.fullmatch(p)), None)


def release_for(path: str | os.PathLike) -> Path:
    """The released notebook a working copy was made from: in a cohort (``MASTERY_EXCHANGE``
    set, as on the course's JupyterHub) the exchange's released copy, else the course's
    ``exercises/<month>/``. Neither needs ``solutions/``."""
    path = Path(path)
    month = month_of(path)
    if month is None:
        raise CheckProblem(f"{path}: cannot tell which month it belongs to; keep it in a folder "
                           "named month-NN.")
    candidates = []
    if os.environ.get("MASTERY_EXCHANGE"):
        candidates.append(Path(os.environ["MASTERY_EXCHANGE"]) / COURSE_ID / "outbound" / month / path.name)
    with contextlib.suppress(FileNotFoundError):
        candidates.append(paths.exercises_dir() / month / path.name)
    for ref in candidates:
        if ref.is_file():
            return ref
    raise CheckProblem(f"{path.name} is not an exercise of {month} (looked in "
                       f"{', '.join(str(c.parent) for c in candidates) or 'no course folder'}).")


def read_release(ref: Path) -> dict:
    return json.loads(ref.read_text(encoding="utf-8"))


def test_cells(release: dict) -> list[dict]:
    """The autograded test cells of a release (code, graded, not a solution)."""
    return [c for c in release.get("cells", []) if c.get("cell_type") == "code"
            and _meta(c).get("grade") and not _meta(c).get("solution")]


def hidden_tests(release: dict) -> dict[str, float]:
    """grade_id -> points of the hidden tests. nbgrader releases a hidden test cell empty
    (its ``### BEGIN HIDDEN TESTS`` block removed), so the release alone tells them apart."""
    return {_meta(c)["grade_id"]: float(_meta(c).get("points", 0))
            for c in test_cells(release) if not _source(c).strip()}


def manual_points(release: dict) -> float:
    return sum(float(_meta(c).get("points", 0)) for c in release.get("cells", [])
               if _meta(c).get("grade") and c.get("cell_type") == "markdown")


# ---------------------------------------------------------------------------- the check


def this_notebook() -> Path | None:
    """The notebook this kernel was started for (JupyterLab and Jupyter Server tell the
    kernel in ``JPY_SESSION_NAME``; VS Code in ``__vsc_ipynb_file__``)."""
    ip = _ipython()
    ns = ip.user_ns if ip else {}
    for name in (ns.get("__session__"), os.environ.get("JPY_SESSION_NAME"), ns.get("__vsc_ipynb_file__")):
        if name and str(name).endswith(".ipynb"):
            return Path(name)
    return None


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def run_tests(release: dict, namespace: dict) -> list[TestResult]:
    """Run each visible test of ``release`` in a copy of ``namespace``; nbgrader's rule: a
    test that raises scores 0, one that does not scores its points. Its printing is kept out
    of the learner's output."""
    out = []
    for c in test_cells(release):
        src = _source(c)
        if not src.strip():
            continue  # hidden
        m = _meta(c)
        points = float(m.get("points", 0))
        ns = dict(namespace)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(src, f"<test {m['grade_id']}>", "exec"), ns)  # noqa: S102
        except Exception as e:  # noqa: BLE001  (a failing test, whatever it raised)
            out.append(TestResult(m["grade_id"], False, 0.0, points, hint(type(e).__name__, str(e))))
        else:
            out.append(TestResult(m["grade_id"], True, points, points))
    return out


def check(notebook: str | os.PathLike | None = None, *, record: bool = True) -> Report | None:
    """Check this exercise now: its visible tests against what this kernel holds.

    Run your answer cells first (or Run ▸ Run All Cells): the check uses the answers as you
    last ran them, saved or not. ``notebook`` is only needed where the kernel cannot tell
    which notebook it belongs to. Shows pass/fail, points and a hint per test.

    Does nothing while nbgrader (Validate, autograde) or ``mastery check`` runs the notebook
    (``NBGRADER_EXECUTION`` set): those grade the test cells themselves."""
    if os.environ.get("NBGRADER_EXECUTION"):
        return None
    from mastery import backend

    path = Path(notebook) if notebook else this_notebook()
    if path is None:
        raise CheckProblem("this kernel does not know its notebook: call check(\"month-01/<name>.ipynb\")")
    ref = release_for(path)
    release = read_release(ref)
    ip = _ipython()
    namespace = ip.user_ns if ip else {}
    t0 = time.perf_counter()
    before = backend.require()
    results = run_tests(release, namespace)
    after = backend.probe()
    if not (after.up and after.pid == before.pid):
        raise backend.BackendError(
            f"The local AWS at {before.endpoint} {'stopped' if not after.up else 'restarted'} during "
            "the check, so it says nothing about your work. "
            + ("Start it with `mastery up` (in a terminal), then " if not after.up else "Now ")
            + "re-run the notebook from the top and check again.")
    report = Report(str(path), results, sum(hidden_tests(release).values()), manual_points(release),
                    time.perf_counter() - t0, how="kernel")
    if record:
        with contextlib.suppress(OSError):
            record_progress(report)
    return report


# ----------------------------------------------------------------------------- progress


def progress_path() -> Path:
    if os.environ.get("MASTERY_PROGRESS"):
        return Path(os.environ["MASTERY_PROGRESS"])
    return Path.home() / ".mastery" / "progress.jsonl"


def progress_entry(report) -> dict:
    nb = Path(report.notebook)
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "month": month_of(nb) or "unknown",
        "exercise": nb.stem,
        "tests": [{"id": r.grade_id, "passed": r.passed, "points": r.points, "max": r.max_points}
                  for r in report.results],
        "hidden_points": report.hidden_points,
    }


def record_progress(report, path: str | os.PathLike | None = None) -> dict:
    """Append one report to the learner's own results (what ``mastery progress`` reads)."""
    entry = progress_entry(report)
    p = Path(path) if path else progress_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("a") as f:
        f.write(json.dumps(entry) + "\n")
    return entry
