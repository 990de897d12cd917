"""A learner's own progress: which exercises and tests pass, per month.

Every ``mastery check`` appends its results to the learner's store (a JSON-lines file,
``~/.mastery/progress.jsonl`` or ``MASTERY_PROGRESS``); this module reads that store, never
the instructor's gradebook, and shows the newest result of each exercise as a table and a
small chart (tests passed per exercise, grouped by month).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from mastery import feedback, paths


def default_path() -> Path:
    return feedback.progress_path()


class Store:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_path()

    def record(self, report) -> dict:
        """Append one report (from ``mastery check`` or the in-notebook ``check()``)."""
        return feedback.record_progress(report, self.path)

    def entries(self) -> list[dict]:
        if not self.path.is_file():
            return []
        out = []
        for line in self.path.read_text().splitlines():
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn line (e.g. a full disk) loses that line only
            if isinstance(e, dict) and {"month", "exercise", "tests"} <= e.keys():
                out.append(e)
        return out

    def latest(self) -> dict[tuple[str, str], dict]:
        """(month, exercise) -> the newest check of that exercise."""
        out = {}
        for e in self.entries():
            out[(e["month"], e["exercise"])] = e
        return dict(sorted(out.items()))


def summary(latest: dict[tuple[str, str], dict]) -> list[dict]:
    rows = []
    for (month, exercise), e in latest.items():
        tests = e["tests"]
        rows.append({"month": month, "exercise": exercise, "passed": sum(t["passed"] for t in tests),
                     "tests": len(tests), "points": sum(t["points"] for t in tests),
                     "max": sum(t["max"] for t in tests),
                     "failing": [t["id"] for t in tests if not t["passed"]],
                     "checked": e["time"]})
    return rows


def exercises_of(month: str) -> list[str]:
    """The exercises a month has (its released notebooks), checked or not."""
    try:
        folder = paths.exercises_dir() / month
    except FileNotFoundError:
        return []
    if not folder.is_dir() and os.environ.get("MASTERY_EXCHANGE"):
        folder = Path(os.environ["MASTERY_EXCHANGE"]) / feedback.COURSE_ID / "outbound" / month
    return sorted(p.stem for p in folder.glob("*.ipynb")) if folder.is_dir() else []


def render(latest: dict[tuple[str, str], dict]) -> str:
    rows = summary(latest)
    if not rows:
        return ("no results yet: run `check()` in an exercise (or `mastery check month-01`) and "
                "your progress appears here")
    lines, month = [], None
    for r in rows:
        if r["month"] != month:
            month = r["month"]
            done = [x for x in rows if x["month"] == month]
            full = sum(x["passed"] == x["tests"] for x in done)
            # the denominator is the month's exercises, not only the ones checked so far
            every = set(exercises_of(month)) | {x["exercise"] for x in done}
            unchecked = sorted(every - {x["exercise"] for x in done})
            todo = f" ({len(unchecked)} not checked yet: {', '.join(unchecked)})" if unchecked else ""
            lines.append(f"{month}: {full}/{len(every)} exercises pass every visible test{todo}")
        bar = "#" * r["passed"] + "." * (r["tests"] - r["passed"])
        lines.append(f"  {r['exercise']:<32} {bar:<12} {r['passed']}/{r['tests']} tests, "
                     f"{r['points']:g}/{r['max']:g} points")
        if r["failing"]:
            lines.append(f"      failing: {', '.join(r['failing'])}")
    return "\n".join(lines)


def chart(latest: dict[tuple[str, str], dict], png: str | os.PathLike) -> Path:
    """Draw :func:`figure` into a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figure(latest)
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=90)
    plt.close(fig)
    return png


def show(store: str | os.PathLike | None = None):
    """In a notebook: ``from mastery import progress; progress.show()`` draws your progress."""
    latest = Store(store).latest()
    print(render(latest))
    return figure(latest) if latest else None


def figure(latest: dict[tuple[str, str], dict]):
    """Horizontal bars: share of visible tests passed per exercise, coloured by month."""
    import matplotlib.pyplot as plt

    rows = summary(latest)
    fig, ax = plt.subplots(figsize=(6, 0.45 * max(2, len(rows)) + 0.8))
    months = sorted({r["month"] for r in rows})
    colours = {m: plt.cm.tab10(i % 10) for i, m in enumerate(months)}
    labels = [f"{r['month']} {r['exercise']}" for r in rows]
    shares = [r["passed"] / r["tests"] if r["tests"] else 0 for r in rows]
    ax.barh(labels, shares, color=[colours[r["month"]] for r in rows])
    for i, r in enumerate(rows):
        ax.text(min(shares[i], 0.85) + 0.02, i, f"{r['passed']}/{r['tests']}", va="center")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("visible tests passed")
    ax.set_title("your progress (from mastery check)")
    fig.tight_layout()
    return fig
