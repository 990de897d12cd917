"""The request logs of week 8 and the plumbing around SLO alerts: loading, episodes, pictures.

The SLO arithmetic itself (SLIs, error budgets, burn rates, the alert rules) is what the
lesson teaches and the exercise asks for, so it is not here.
"""

from __future__ import annotations

from mastery import data


def load_requests():
    """Per-minute request counts: a DataFrame indexed by ``minute`` (UTC, one row a minute,
    no gaps) with columns ``requests``, ``errors`` (HTTP 5xx) and ``slow`` (> 300 ms)."""
    df = data.read_csv("request_logs/requests_per_minute.csv", parse_dates=["minute"], index_col="minute")
    return df.asfreq("min")


def load_incidents():
    """The incidents planted in the logs: ``incident``, ``start``, ``end`` (exclusive), ``error_rate``."""
    return data.read_csv("request_logs/incidents.csv", parse_dates=["start", "end"])


def episodes(firing) -> list[tuple]:
    """Maximal runs of ``True`` in a boolean Series with a DatetimeIndex, as ``(start, end)``
    where ``end`` is the first index after the run (or the last index + 1 step at the end)."""
    import pandas as pd

    s = firing.fillna(False).astype(bool)
    if s.empty:
        return []
    step = s.index[1] - s.index[0] if len(s) > 1 else pd.Timedelta(minutes=1)
    out, start = [], None
    for t, v in s.items():
        if v and start is None:
            start = t
        elif not v and start is not None:
            out.append((start, t))
            start = None
    if start is not None:
        out.append((start, s.index[-1] + step))
    return out


def explain(episode_list, incidents, tail) -> list[str | None]:
    """For each episode, the incident it belongs to: the one whose ``[start, end + tail)``
    contains the whole episode; ``None`` for an episode outside every incident (a false alarm)."""
    import pandas as pd

    tail = pd.Timedelta(tail)
    out = []
    for a, b in episode_list:
        hit = incidents[(incidents.start <= a) & (b <= incidents.end + tail)]
        out.append(hit.incident.iloc[0] if len(hit) else None)
    return out


def expression_value(expression: str, values: dict[str, float]) -> float:
    """The value of a CloudWatch metric-math expression made only of query ids, numbers,
    ``+ - * /`` and parentheses (what the exercise allows), with each id replaced by its
    value in ``values``. Anything else (a function, an attribute, an unknown id) raises
    ``ValueError``; nothing is ever passed to ``eval``."""
    import ast
    import operator

    ops = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}

    def value(node):
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in ops:
            return ops[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = value(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in values:
            return float(values[node.id])
        raise ValueError(f"not allowed in the expression: {ast.dump(node)[:80]}")

    if not isinstance(expression, str) or len(expression) > 1000:
        raise ValueError("the expression should be a short string")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as e:
        raise ValueError(f"not an arithmetic expression: {expression!r}") from e
    return value(tree)


def _dates(ax) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def plot_burn_rates(burn: dict, thresholds: dict | None = None, incidents=None, ax=None, title: str = ""):
    """Burn-rate curves (log scale) with alert thresholds as dashed lines and incidents shaded."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 3.6))
    for label, series in burn.items():
        ax.plot(series.index, series.values, label=label, linewidth=0.9)
    for label, value in (thresholds or {}).items():
        ax.axhline(value, linestyle="--", linewidth=0.8, color="grey")
        ax.annotate(label, (1.0, value), xycoords=("axes fraction", "data"), fontsize=8,
                    va="bottom", ha="right", color="dimgray")
    if incidents is not None and burn:
        lo = min(x.index[0] for x in burn.values())
        hi = max(x.index[-1] for x in burn.values())
        for r in incidents.itertuples():
            if r.end > lo and r.start < hi:  # only the incidents inside the plotted range
                ax.axvspan(max(r.start, lo), min(r.end, hi), color="#e76f51", alpha=0.15)
    _dates(ax)
    ax.set_yscale("log")
    ax.set_ylabel("burn rate (x budget)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title)
    return ax


def plot_alerts(alerts, incidents=None, ax=None, title: str = ""):
    """One row per alert (a column of booleans): a bar where it fires; incidents shaded."""
    import matplotlib.pyplot as plt

    cols = list(alerts.columns)
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.5 * len(cols) + 1.2))
    for i, c in enumerate(cols):
        for a, b in episodes(alerts[c]):
            ax.barh(i, b - a, left=a, height=0.6, color="#264653")
    if incidents is not None:
        for r in incidents.itertuples():
            ax.axvspan(r.start, r.end, color="#e76f51", alpha=0.25)
            ax.annotate(r.incident, (r.start, len(cols) - 0.4), fontsize=8, color="#9d3a22")
    _dates(ax)
    ax.set_yticks(range(len(cols)), cols)
    ax.set_ylim(-0.6, len(cols) - 0.1)
    ax.invert_yaxis()
    ax.set_title(title)
    return ax
