"""Request logs of the `orders` API for 30 days, counted per minute, with planted incidents.

One row per minute (what CloudWatch Logs Insights' ``stats count(*) by bin(1m)`` gives you from
the structured request logs): ``minute`` (UTC, ISO 8601), ``requests``, ``errors`` (HTTP 5xx)
and ``slow`` (answered in more than 300 ms). Traffic follows a daily cycle (Poisson counts);
errors are binomial with a background rate of 0.02 % (0.2x the budget rate of a 99.9 % SLO).
Three incidents are planted and listed in ``incidents.csv`` (``end`` is exclusive):

* ``outage``   30 minutes at 20 % errors (a fast, obvious failure);
* ``degraded`` 8 hours at 0.9 % errors (9x burn: a slow leak of budget);
* ``creeping`` 3 days at 0.2 % errors (2x burn: a bad deploy nobody noticed).

Usage: ``mastery data request_logs [--out DIR]`` writes ``DIR/request_logs/``.
Deterministic: same seed, same bytes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

SEED = 8
START = datetime(2026, 10, 1)
DAYS = 30
BACKGROUND_ERROR_RATE = 0.0002
BACKGROUND_SLOW_RATE = 0.004
INCIDENTS = [  # name, start, duration, error rate, slow rate
    ("outage", START + timedelta(days=5, hours=14, minutes=20), timedelta(minutes=30), 0.20, 0.30),
    ("degraded", START + timedelta(days=12, hours=8), timedelta(hours=8), 0.009, 0.02),
    ("creeping", START + timedelta(days=21), timedelta(days=3), 0.002, 0.006),
]


def write(out: Path) -> list[Path]:
    """Write ``request_logs/`` under ``out``."""
    rng = np.random.default_rng(SEED)
    n = DAYS * 24 * 60
    minutes = np.arange(n)
    hour_of_day = (minutes % 1440) / 60.0
    # busiest at 15:00 UTC, quietest at 03:00; a bit more traffic on weekdays
    weekday = ((minutes // 1440) + START.weekday()) % 7 < 5
    mean = 450 + 300 * np.sin((hour_of_day - 9) / 24 * 2 * np.pi) + 60 * weekday
    requests = rng.poisson(mean)
    err_p = np.full(n, BACKGROUND_ERROR_RATE)
    slow_p = np.full(n, BACKGROUND_SLOW_RATE)
    for _, start, length, e, s in INCIDENTS:
        i = int((start - START).total_seconds() // 60)
        j = i + int(length.total_seconds() // 60)
        err_p[i:j], slow_p[i:j] = e, s
    errors = rng.binomial(requests, err_p)
    slow = rng.binomial(requests - errors, slow_p)

    folder = out / "request_logs"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["minute,requests,errors,slow"]
    for k in range(n):
        t = (START + timedelta(minutes=k)).strftime("%Y-%m-%dT%H:%M")
        lines.append(f"{t},{requests[k]},{errors[k]},{slow[k]}")
    logs = folder / "requests_per_minute.csv"
    logs.write_text("\n".join(lines) + "\n")
    inc = folder / "incidents.csv"
    rows = ["incident,start,end,error_rate"]
    for name, start, length, e, _ in INCIDENTS:
        rows.append(f"{name},{start:%Y-%m-%dT%H:%M},{start + length:%Y-%m-%dT%H:%M},{e}")
    inc.write_text("\n".join(rows) + "\n")
    return [logs, inc]
