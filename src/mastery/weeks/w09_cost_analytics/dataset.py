"""Make data/cost_analytics/: the week-9 (cost analytics) data set of a fictional company.

* ``focus_billing.csv``      7 months of daily cost rows in FinOps FOCUS 1.2 columns: teams and
  environments in ``Tags``, untagged spend, weekly seasonality, growth, a Savings Plan bought
  up front, three planted anomalies;
* ``orders.csv``             orders per month (for unit cost);
* ``ec2_utilization.csv``    hourly CloudWatch CPUUtilization of an EC2 fleet, two weeks;
* ``lambda_invocations.csv`` per-invocation REPORT lines (memory, duration, architecture);
* ``power_tuning.csv``       durations per memory size, as AWS Lambda Power Tuning measures them.

The generators live in ``finops`` beside this module (the exercise's hidden test makes a
second company with them). numpy's ``default_rng`` (PCG64) with fixed seeds makes the files identical byte
for byte on every run.

    mastery data cost_analytics [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from mastery.weeks.w09_cost_analytics import finops


def write(out: Path) -> None:
    """Write ``cost_analytics/`` under ``out``."""
    finops.write_all(out / "cost_analytics")
