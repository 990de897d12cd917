"""Cohort analytics from the gradebook: one self-contained HTML file with embedded PNGs.

* the score distribution of each month (learners who submitted, score in % of the maximum);
* item difficulty: each autograded test's failure rate among the learners who worked on its
  notebook (submitted it with at least one answer cell changed: a blank submission says nothing
  about a test's difficulty), hardest first (what to re-teach);
* manual grading still to do: answers and points nobody has graded in the formgrader yet;
* each learner's progress across months (score % per month, a heat map and a table).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path

import pandas as pd


def _answers(path: Path) -> dict[str, str] | None:
    """grade_id -> source of each answer (solution) cell of a notebook; None if unreadable."""
    import warnings

    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.read(path, as_version=4)
        return {c.metadata["nbgrader"]["grade_id"]: c.source.strip() for c in nb.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    except Exception:
        return None


def is_blank(submitted: Path, released: Path) -> bool:
    """A submitted notebook whose every answer cell is as released: never worked on."""
    mine, given = _answers(submitted), _answers(released)
    return bool(mine is not None and given and all(mine.get(k, v) == v for k, v in given.items()))


def cell_table(cohort) -> pd.DataFrame:
    """One row per learner, month, notebook and graded cell, from the gradebook.
    ``submitted``: the learner handed that notebook in (an absent notebook is graded 0 by
    nbgrader); ``blank``: handed in with every answer cell as released; ``attempted``:
    submitted and not blank (only those say anything about a test's difficulty);
    ``pending``: a manually graded answer nobody has graded yet."""
    rows = []
    with cohort.api.gradebook as gb:
        for a in gb.assignments:
            for sub in a.submissions:
                sid = sub.student.id
                for nb in sub.notebooks:
                    path = cohort.root / "submitted" / sid / a.name / f"{nb.name}.ipynb"
                    submitted = path.is_file()
                    released = cohort.root / "release" / a.name / f"{nb.name}.ipynb"
                    blank = submitted and is_blank(path, released)
                    readable = (cohort.root / "autograded" / sid / a.name / f"{nb.name}.ipynb").is_file()
                    for g in nb.grades:
                        rows.append({
                            "month": a.name, "student": sid, "notebook": nb.name, "cell": g.name,
                            "kind": "manual" if g.cell_type == "markdown" else "auto",
                            "score": float(g.score or 0), "max": float(g.max_score or 0),
                            "submitted": submitted, "blank": blank, "attempted": submitted and not blank,
                            "graded": readable, "pending": bool(g.needs_manual_grade),
                            "late": sub.total_seconds_late > 0,
                        })
    cols = ["month", "student", "notebook", "cell", "kind", "score", "max", "submitted", "blank",
            "attempted", "graded", "pending", "late"]
    return pd.DataFrame(rows, columns=cols)


def manual_pending(cells: pd.DataFrame) -> pd.DataFrame:
    """Per month: manually graded answers nobody has graded yet, their points, and learners."""
    cols = ["month", "answers", "points", "learners"]
    todo = cells[cells.pending & cells.submitted]
    if todo.empty:
        return pd.DataFrame(columns=cols)
    g = todo.groupby("month").agg(answers=("cell", "size"), points=("max", "sum"),
                                  learners=("student", "nunique")).reset_index()
    return g[cols]


def month_scores(cohort) -> pd.DataFrame:
    """learner x month: score (after late penalties) as % of the month's maximum; NaN = no submission."""
    rows = []
    with cohort.api.gradebook as gb:
        students = sorted(s.id for s in gb.students)
        for a in sorted(gb.assignments, key=lambda a: a.name):
            for sid in students:
                try:
                    sub = gb.find_submission(a.name, sid)
                except Exception:
                    rows.append({"student": sid, "month": a.name, "pct": float("nan")})
                    continue
                pct = 100 * float(sub.score - (sub.late_submission_penalty or 0)) / float(a.max_score or 1)
                rows.append({"student": sid, "month": a.name, "pct": pct})
    df = pd.DataFrame(rows, columns=["student", "month", "pct"])
    return df.pivot(index="student", columns="month", values="pct") if len(df) else df


def item_difficulty(cells: pd.DataFrame) -> pd.DataFrame:
    """Per autograded test: learners who worked on its notebook (``attempted``: submitted, not
    blank), how many of them failed it, the failure rate."""
    auto = cells[(cells.kind == "auto") & cells.attempted]
    if auto.empty:
        return pd.DataFrame(columns=["month", "notebook", "cell", "attempted", "failed", "failure_rate"])
    auto = auto.assign(failed=auto.score < auto["max"])
    g = auto.groupby(["month", "notebook", "cell"]).agg(attempted=("student", "nunique"),
                                                        failed=("failed", "sum")).reset_index()
    g["failure_rate"] = g.failed / g.attempted
    return g.sort_values(["failure_rate", "attempted"], ascending=[False, False]).reset_index(drop=True)


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _figures(scores: pd.DataFrame, items: pd.DataFrame) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    out = {}
    months = list(scores.columns) if len(scores) else []
    fig, axes = plt.subplots(1, max(1, len(months)), figsize=(4 * max(1, len(months)), 3), squeeze=False)
    for ax, m in zip(axes[0], months, strict=False):
        ax.hist(scores[m].dropna(), bins=range(0, 105, 5), color="#4C72B0")
        ax.set_title(f"{m}: {scores[m].notna().sum()} submitted")
        ax.set_xlabel("score (% of maximum)")
        ax.set_ylabel("learners")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole learners only
    out["distribution"] = _png(fig)

    top = items.head(15)
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(3, len(top)) + 0.8))
    ax.barh([f"{r.notebook}:{r.cell}" for r in top.itertuples()], 100 * top.failure_rate, color="#C44E52")
    for i, r in enumerate(top.itertuples()):
        ax.text(min(100 * r.failure_rate, 85) + 1, i, f"{r.failed}/{r.attempted}", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the learners who submitted the notebook that fail the test")
    ax.set_title("item difficulty: the tests most learners fail")
    out["difficulty"] = _png(fig)

    fig, ax = plt.subplots(figsize=(1.2 * max(2, len(months)) + 2, 0.22 * max(5, len(scores)) + 1))
    im = ax.imshow(scores.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn", vmin=0, vmax=100)
    ax.set_xticks(range(len(months)), months)
    ax.set_yticks(range(len(scores)), list(scores.index), fontsize=7)
    fig.colorbar(im, ax=ax, label="score %")
    ax.set_title("progress across months (blank: nothing submitted)")
    out["progress"] = _png(fig)
    return out


def _label(root: Path) -> str:
    """The cohort's name: its folder's, or parent/folder when the folder is just "cohort"."""
    return f"{root.parent.name}/{root.name}" if root.name.lower().startswith("cohort") else root.name


def write_report(cohort, to: str | Path | None = None) -> Path:
    cells = cell_table(cohort)
    scores = month_scores(cohort)
    items = item_difficulty(cells)
    pending = manual_pending(cells)
    figs = _figures(scores, items)
    out = Path(to) if to else cohort.root / "reports" / "cohort-report.html"
    title = f"Cohort report · {_label(cohort.root)}"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = scores.describe().T[["count", "mean", "50%", "min", "max"]].round(1) if len(scores) else scores
    items_view = items.assign(failure_rate=[f"{100 * x:.0f} %" for x in items.failure_rate])
    errors = {m: cohort.grading_errors(m) for m in scores.columns} if len(scores) else {}
    blanks = (cells[cells.blank].drop_duplicates(["month", "student", "notebook"])
              .groupby(["month", "notebook"]).student.nunique() if len(cells) else pd.Series(dtype=int))
    blank_note = ("; ".join(f"{m} {nb}: {n}" for (m, nb), n in blanks.items()) if len(blanks)
                  else "none")
    if len(pending):
        pending_html = ("<p><strong>Not final:</strong> " + "; ".join(
            f"{html.escape(r.month)}: {r.answers} answer(s) worth {r.points:g} point(s), from "
            f"{r.learners} learner(s), still to grade" for r in pending.itertuples())
            + ". Their scores above count those answers as 0 until you grade them in the formgrader "
            "(<code>mastery cohort lab</code>, Nbgrader &gt; Formgrader).</p>" + pending.to_html(index=False))
    else:
        pending_html = "<p>Every manually graded answer is graded.</p>"
    err_rows = "".join(f"<li>{html.escape(m)} / {html.escape(s)}: {html.escape(nb)}: {html.escape(why)}</li>"
                       for m, by in errors.items() for s, e in by.items() for nb, why in e.items())
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:980px;margin:2em auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}} img{{max-width:100%}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC from the gradebook of
<code>{html.escape(str(cohort.root))}</code>:
{scores.shape[0]} learners, {scores.shape[1]} month(s). Scores are after late penalties
(policy: {html.escape(cohort.late_policy)}); manually graded answers count once an instructor grades them.</p>
<h2>Manual grading</h2>
{pending_html}
<h2>Score distribution per month</h2><img alt="score distribution" src="{figs['distribution']}">
{summary.to_html()}
<h2>Item difficulty</h2>
<p>Failure rate of each autograded test among the learners who worked on its notebook; re-teach
from the top. Blank submissions (every answer cell as released) are left out: {html.escape(blank_note)}.</p>
<img alt="item difficulty" src="{figs['difficulty']}">
{items_view.to_html(index=False)}
<h2>Progress across months</h2><img alt="progress" src="{figs['progress']}">
{scores.round(1).to_html(na_rep="-")}
<h2>Grading problems</h2><ul>{err_rows or "<li>none</li>"}</ul>
</body></html>
"""
    out.write_text(page)
    return out
