"""Make data/cost_analytics/: the week-9 (cost analytics) data set of a fictional company.

* ``focus_billing.csv``      7 months of daily cost rows in FinOps FOCUS 1.2 columns: teams and
  environments in ``Tags``, untagged spend, weekly seasonality, growth, a Savings Plan bought
  up front, three planted anomalies;
* ``orders.csv``             orders per month (for unit cost);
* ``ec2_utilization.csv``    hourly CloudWatch CPUUtilization of an EC2 fleet, two weeks;
* ``lambda_invocations.csv`` per-invocation REPORT lines (memory, duration, architecture);
* ``power_tuning.csv``       durations per memory size, as AWS Lambda Power Tuning measures them.

The generators live in ``mastery.finops`` (the exercise's hidden test makes a second company
with them). numpy's ``default_rng`` (PCG64) with fixed seeds makes the files identical byte
for byte on every run.

    python data/make_cost_analytics.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from mastery import finops  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    finops.write_all(args.out / "cost_analytics")


if __name__ == "__main__":
    main()
