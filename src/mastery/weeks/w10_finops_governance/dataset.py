"""Make data/finops_estate/: a small cloud estate of three teams for the FinOps governance week.

* ``resources.csv``       one row per resource: logical name, service (s3, dynamodb, sqs, sns),
                          its tags as JSON, and last month's cost in USD;
* ``recommendations.csv`` cost-optimisation recommendations against those resources, with the
                          monthly saving each one promises.

The hand-written rows plant the tagging mistakes the week is about (no tags at all, a key in
the wrong case, a value outside the allowed list, a malformed cost centre, a missing key). The
``worker-NN`` fleet makes the estate larger than one page of the Resource Groups Tagging API
(at most 100 tags a page: 20 resources with five tags each), and a few of its queues are
mis-tagged too. Costs come from Python's ``random.Random`` with a fixed seed (its sequence is
stable across versions for an int seed), so the files are the same byte for byte everywhere.

    mastery data finops_estate [--out DIR]
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

SEED = 20261010
FLEET = 24
OK = {
    "payments": {"team": "payments", "environment": "prod", "cost-center": "CC-1001"},
    "search": {"team": "search", "environment": "prod", "cost-center": "CC-2002"},
    "platform": {"team": "platform", "environment": "prod", "cost-center": "CC-3003"},
}

# name, service, tags, cost (USD last month)
HAND = [
    ("payments-ledger", "dynamodb", OK["payments"], 912.40),
    ("payments-receipts", "s3", OK["payments"], 143.75),
    ("payments-retry", "sqs", {**OK["payments"], "environment": "staging"}, 3.10),
    ("search-index", "dynamodb", {**OK["search"], "environment": "production"}, 388.20),
    ("search-crawl", "sqs", {"Team": "search", "environment": "prod", "cost-center": "CC-2002"}, 21.35),
    ("search-snapshots", "s3", {}, 412.00),
    ("search-events", "sns", {**OK["search"], "cost-center": "2002"}, 2.00),
    ("platform-logs", "s3", OK["platform"], 268.90),
    ("platform-alerts", "sns", {"team": "platform", "environment": "prod"}, 0.85),
    ("legacy-export", "sqs", {}, 0.40),
    ("tmp-experiment", "dynamodb", {}, 100.00),
]

# (id, resource, action, monthly saving in USD)
RECOMMENDATIONS = [
    ("rec-01", "legacy-export", "delete-queue", 0.40),
    ("rec-02", "search-events", "delete-topic", 2.00),
    ("rec-03", "tmp-experiment", "delete-table", 100.00),
    ("rec-04", "search-snapshots", "delete-bucket", 100.01),
    ("rec-05", "payments-ledger", "set-provisioned", 640.00),
    ("rec-06", "search-index", "set-provisioned", 85.50),
    ("rec-07", "worker-19", "delete-queue", 150.00),
]


def fleet(rng: random.Random):
    for i in range(FLEET):
        tags = dict(OK["platform"])
        if i % 10 == 9:  # worker-09, -19, ...: a tagging script once wrote these wrong
            tags["environment"] = "qa"
        if i == 22:
            del tags["cost-center"]
        yield f"worker-{i:02d}", "sqs", tags, round(rng.uniform(0.5, 12.0), 2)


def write(out: Path) -> list[Path]:
    """Write ``finops_estate/`` under ``out``."""
    rng = random.Random(SEED)
    folder = out / "finops_estate"
    folder.mkdir(parents=True, exist_ok=True)
    res = folder / "resources.csv"
    with res.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "service", "tags", "monthly_cost"])
        for name, service, tags, cost in [*HAND, *fleet(rng)]:
            w.writerow([name, service, json.dumps(tags, sort_keys=True), f"{cost:.2f}"])
    rec = folder / "recommendations.csv"
    with rec.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["recommendation_id", "resource", "action", "monthly_savings"])
        for rid, name, action, saving in RECOMMENDATIONS:
            w.writerow([rid, name, action, f"{saving:.2f}"])
    return [res, rec]
