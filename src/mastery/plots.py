"""The course's reusable pictures."""

from __future__ import annotations

from mastery import workflows

COLORS = {"ok": "#2a9d8f", "failed": "#e76f51", "compensation": "#e9c46a"}


def execution_timeline(events: list[dict], title: str = "", compensations=(), ax=None):
    """A Gantt-style picture of one Step Functions execution: one bar per state visit, in the
    order entered; failed steps red, compensations amber. Returns the matplotlib axes."""
    import matplotlib.pyplot as plt

    rows = workflows.timeline(events)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 1) + 0.8))
    for i, r in enumerate(rows):
        kind = "compensation" if r["state"] in compensations and r["outcome"] == "ok" else r["outcome"]
        # Emulated steps take milliseconds; give each bar a visible minimum width.
        width = max(r["end"] - r["start"], 0.004)
        ax.barh(i, width, left=r["start"], color=COLORS[kind], edgecolor="black", linewidth=0.5)
        ax.text(r["start"] + width, i, f"  {r['state']}", va="center", fontsize=9)
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.set_xlabel("seconds since the execution started")
    ax.set_title(title)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in COLORS.values()]
    ax.legend(handles, ["step", "failed step", "compensation"], fontsize=8,
              loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_xlim(left=0, right=max((r["end"] for r in rows), default=0.01) * 1.45 + 0.004)
    return ax
