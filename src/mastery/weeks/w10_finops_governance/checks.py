"""Trusted checks of the week-10 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its test cell, against the learner's emulator,
with its own clients and its own expected values: what the learner's kernel prints or rebinds
cannot change them. Each restates what the exercise's spec says, and fails with the same kind of
hint as the kernel-side test.
"""

from __future__ import annotations

from mastery.weeks.w10_finops_governance import governance

EXERCISE = "m03-finops"  # the exercise's namespace (its setup cell)
TEAM_BUDGETS = {"payments": 1200, "search": 800, "platform": 1500}  # the spec's limits, USD/month
COST_THRESHOLD = 100.0  # USD of monthly savings


def budgets_configured(ctx) -> None:
    """test-budget-config: one MONTHLY COST budget per team, its limit, and only its team's cost."""
    ns = ctx.namespace(EXERCISE)
    mine = governance.budgets_of(ns, ctx.client("budgets"))
    for team, limit in TEAM_BUDGETS.items():
        name = ns.name(f"{team}-monthly")
        assert name in mine, f"the backend has no budget named {name}"
        b = mine[name]["budget"]
        assert b["BudgetType"] == "COST" and b["TimeUnit"] == "MONTHLY", (
            f"{name} is not a MONTHLY COST budget")
        assert float(b["BudgetLimit"]["Amount"]) == limit and b["BudgetLimit"]["Unit"] == "USD", (
            f"{name} is limited to {b['BudgetLimit']} on the backend, not {limit} USD")
        assert b.get("CostFilters", {}).get("TagKeyValue") == [f"user:team${team}"], (
            f"{name} does not count only {team}'s cost on the backend")


def budget_alerts(ctx) -> None:
    """test-budget-alerts: actual > 80 % and forecasted > 100 %, as percentages, on every budget."""
    ns = ctx.namespace(EXERCISE)
    mine = governance.budgets_of(ns, ctx.client("budgets"))
    assert len(mine) == len(TEAM_BUDGETS), f"the backend holds {sorted(mine)}, not one budget per team"
    for name, b in mine.items():
        alerts = {(n["NotificationType"], n["ComparisonOperator"], float(n["Threshold"]),
                   n.get("ThresholdType")) for n in b["notifications"]}
        assert alerts == {("ACTUAL", "GREATER_THAN", 80.0, "PERCENTAGE"),
                          ("FORECASTED", "GREATER_THAN", 100.0, "PERCENTAGE")}, (
            f"{name}'s alerts on the backend are {sorted(alerts)}")


def cold_storage(ctx) -> None:
    """test-lifecycle-cold: the two rules once each, as the spec states them, on the logs bucket."""
    bucket = ctx.namespace(EXERCISE).name(governance.LOGS_BUCKET)
    rules = ctx.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    ids = [r.get("ID") for r in rules]
    assert ids.count("logs-cold-storage") == 1 and ids.count("abort-incomplete-uploads") == 1, (
        f"the bucket's rules on the backend are {ids}")
    cold = next(r for r in rules if r.get("ID") == "logs-cold-storage")
    steps = sorted((t["Days"], t["StorageClass"]) for t in cold.get("Transitions", []))
    assert cold.get("Filter", {}).get("Prefix") == "logs/" and cold.get("Status") == "Enabled"
    assert steps == [(30, "STANDARD_IA"), (90, "GLACIER")], f"transitions on the backend: {steps}"
    assert cold.get("Expiration", {}).get("Days") == 365
    assert "audit-retention" in ids, "the audit-retention rule is gone from the backend"


def approvals(ctx) -> None:
    """test-approval-threshold: every recommendation audited once; approval asked for exactly the
    savings above the threshold (the audit table and the queue, read by the grader)."""
    ns = ctx.namespace(EXERCISE)
    recs = governance.recommendations(ns)
    want_pending = {r["recommendationId"] for r in recs if r["monthlySavings"] > COST_THRESHOLD}
    ddb = ctx.client("dynamodb")
    table = ns.name("audit")
    items, kwargs = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    audit = {i["recommendationId"]["S"]: i.get("status", {}).get("S") for i in items}
    assert set(audit) == {r["recommendationId"] for r in recs}, f"the audit table holds {sorted(audit)}"
    pending = {k for k, s in audit.items() if s == "PENDING_APPROVAL"}
    assert pending == want_pending, f"PENDING_APPROVAL in the audit table: {sorted(pending)}"
    assert all(s == "AUTO_APPLIED" for k, s in audit.items() if k not in want_pending)
    url = ctx.client("sqs").get_queue_url(QueueName=ns.name("approvals"))["QueueUrl"]
    asked = sorted(m.get("recommendationId") for m in governance.messages(url, ctx.client("sqs")))
    assert asked == sorted(want_pending), f"the approvals queue holds {asked}"


TRUSTED = {
    "test-budget-config": budgets_configured,
    "test-budget-alerts": budget_alerts,
    "test-lifecycle-cold": cold_storage,
    "test-approval-threshold": approvals,
}
