"""Make data/canary_traffic/traffic.csv: per-minute request and error counts of three canary
rollouts of the same checkout service, each with its baseline.

Scenarios (the canary's share of traffic follows the ramp in RAMP below):

* ``good``  the canary fails as often as the baseline (1.0 % of requests);
* ``bad``   the canary fails 2.5 % of requests (a regression the analysis must catch);
* ``thin``  a rollout stopped after 4 minutes at 1 %: too few canary requests to judge.

Every request is one Bernoulli draw from Python's ``random.Random`` (Mersenne Twister, whose
``random()`` sequence is stable across Python versions for a given integer seed), so the file
is the same byte for byte on every machine.

    mastery data canary_traffic [--out DIR]
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 20260404
REQUESTS_PER_MINUTE = 1000
BASELINE_ERROR_RATE = 0.010
# minute ranges (start inclusive) -> canary share in percent
RAMP = [(0, 1), (5, 5), (10, 25), (20, 50)]
SCENARIOS = {
    "good": {"minutes": 30, "canary_error_rate": 0.010},
    "bad": {"minutes": 30, "canary_error_rate": 0.025},
    "thin": {"minutes": 4, "canary_error_rate": 0.010},
}


def canary_percent(minute: int) -> int:
    return [p for start, p in RAMP if minute >= start][-1]


def rows():
    rng = random.Random(SEED)
    for scenario, spec in SCENARIOS.items():
        for minute in range(spec["minutes"]):
            pct = canary_percent(minute)
            n_canary = REQUESTS_PER_MINUTE * pct // 100
            for version, n, rate in (
                ("baseline", REQUESTS_PER_MINUTE - n_canary, BASELINE_ERROR_RATE),
                ("canary", n_canary, spec["canary_error_rate"]),
            ):
                errors = sum(rng.random() < rate for _ in range(n))
                yield {"scenario": scenario, "minute": minute, "version": version,
                       "canary_percent": pct, "requests": n, "errors": errors}


def write(out: Path) -> None:
    """Write ``canary_traffic/traffic.csv`` under ``out``."""
    folder = out / "canary_traffic"
    folder.mkdir(parents=True, exist_ok=True)
    fields = ["scenario", "minute", "version", "canary_percent", "requests", "errors"]
    with open(folder / "traffic.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows())
