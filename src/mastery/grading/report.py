"""Cohort analytics from the gradebook: one self-contained HTML file with embedded PNGs.

* the score distribution of each month (learners who submitted, score in % of the maximum);
* item difficulty: each autograded test's failure rate among the learners who submitted its
  notebook, hardest first (what to re-teach);
* each learner's progress across months (score % per month, a heat map and a table).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path

import pandas as pd


def cell_table(cohort) -> pd.DataFrame:
    """One row per learner, month, notebook and graded cell, from the gradebook.
    ``attempted`` says whether the learner submitted that notebook (an absent notebook is
    graded 0 by nbgrader but says nothing about the test's difficulty)."""
    rows = []
    with cohort.api.gradebook as gb:
        for a in gb.assignments:
            for sub in a.submissions:
                sid = sub.student.id
                for nb in sub.notebooks:
                    attempted = (cohort.root / "submitted" / sid / a.name / f"{nb.name}.ipynb").is_file()
                    readable = (cohort.root / "autograded" / sid / a.name / f"{nb.name}.ipynb").is_file()
                    for g in nb.grades:
                        rows.append({
                            "month": a.name, "student": sid, "notebook": nb.name, "cell": g.name,
                            "kind": "manual" if g.cell_type == "markdown" else "auto",
                            "score": float(g.score or 0), "max": float(g.max_score or 0),
                            "attempted": attempted, "graded": readable,
                            "late": sub.total_seconds_late > 0,
                        })
    cols = ["month", "student", "notebook", "cell", "kind", "score", "max", "attempted", "graded", "late"]
    return pd.DataFrame(rows, columns=cols)


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
    """Per autograded test: learners who attempted it, how many failed, the failure rate."""
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

    out = {}
    months = list(scores.columns) if len(scores) else []
    fig, axes = plt.subplots(1, max(1, len(months)), figsize=(4 * max(1, len(months)), 3), squeeze=False)
    for ax, m in zip(axes[0], months, strict=False):
        ax.hist(scores[m].dropna(), bins=range(0, 105, 5), color="#4C72B0")
        ax.set_title(f"{m}: {scores[m].notna().sum()} submitted")
        ax.set_xlabel("score (% of maximum)")
        ax.set_ylabel("learners")
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


def write_report(cohort, to: str | Path | None = None) -> Path:
    cells = cell_table(cohort)
    scores = month_scores(cohort)
    items = item_difficulty(cells)
    figs = _figures(scores, items)
    out = Path(to) if to else cohort.root / "reports" / "cohort-report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = scores.describe().T[["count", "mean", "50%", "min", "max"]].round(1) if len(scores) else scores
    items_view = items.assign(failure_rate=[f"{100 * x:.0f} %" for x in items.failure_rate])
    errors = {m: cohort.grading_errors(m) for m in scores.columns} if len(scores) else {}
    err_rows = "".join(f"<li>{html.escape(m)} / {html.escape(s)}: {html.escape(nb)}: {html.escape(why)}</li>"
                       for m, by in errors.items() for s, e in by.items() for nb, why in e.items())
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Cohort report: {html.escape(cohort.root.name)}</title>
<style>body{{font-family:sans-serif;max-width:980px;margin:2em auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}} img{{max-width:100%}}</style></head><body>
<h1>Cohort {html.escape(cohort.root.name)}</h1>
<p>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC from the gradebook: {scores.shape[0]} learners,
{scores.shape[1]} month(s). Scores are after late penalties (policy: {html.escape(cohort.late_policy)});
manually graded answers count once an instructor grades them.</p>
<h2>Score distribution per month</h2><img alt="score distribution" src="{figs['distribution']}">
{summary.to_html()}
<h2>Item difficulty</h2>
<p>Failure rate of each autograded test among the learners who submitted its notebook; re-teach
from the top.</p>
<img alt="item difficulty" src="{figs['difficulty']}">
{items_view.to_html(index=False)}
<h2>Progress across months</h2><img alt="progress" src="{figs['progress']}">
{scores.round(1).to_html(na_rep="-")}
<h2>Grading problems</h2><ul>{err_rows or "<li>none</li>"}</ul>
</body></html>
"""
    out.write_text(page)
    return out
