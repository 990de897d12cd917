"""Trusted checks of the week-10 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its test cell, against the learner's emulator,
with its own clients and its own expected values: what the learner's kernel prints or rebinds
cannot change them. Each restates what the exercise's spec says, and fails with the same kind of
hint as the kernel-side test.
"""

from __future__ import annotations

from datetime import datetime

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


def _audit(ctx, table: str) -> dict[str, dict]:
    """recommendationId -> item (raw DynamoDB attribute values) of the learner's audit table."""
    ddb = ctx.client("dynamodb")
    items, kwargs = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {i["recommendationId"]["S"]: i for i in items}


def _asked(ctx, ns) -> list[str]:
    url = ctx.client("sqs").get_queue_url(QueueName=ns.name("approvals"))["QueueUrl"]
    return sorted(m.get("recommendationId") for m in governance.messages(url, ctx.client("sqs")))


def _rules(ctx) -> list[dict]:
    bucket = ctx.namespace(EXERCISE).name(governance.LOGS_BUCKET)
    return ctx.client("s3").get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]


def _audit_rule_kept(rules: list[dict]) -> None:
    audit = [r for r in rules if r.get("ID") == "audit-retention"]
    ids = [r.get("ID") for r in rules]
    assert len(audit) == 1, f"the audit-retention rule is gone from the backend (rules: {ids})"
    assert audit[0].get("Expiration", {}).get("Days") == governance.AUDIT_RULE["Expiration"]["Days"] and \
        audit[0].get("Filter", {}).get("Prefix") == governance.AUDIT_RULE["Filter"]["Prefix"], (
        f"the audit-retention rule changed on the backend: {audit[0]}")


def budgets_rerun(ctx) -> None:
    """test-budget-rerun: after a re-run with limits 100 USD higher, one budget per team with the
    new limit and exactly two alerts."""
    ns = ctx.namespace(EXERCISE)
    mine = governance.budgets_of(ns, ctx.client("budgets"))
    want = {ns.name(f"{team}-monthly"): limit + 100 for team, limit in TEAM_BUDGETS.items()}
    assert set(mine) == set(want), f"the backend holds the budgets {sorted(mine)}, not one per team"
    for name, limit in want.items():
        amount = float(mine[name]["budget"]["BudgetLimit"]["Amount"])
        assert amount == limit, f"{name} is limited to {amount} on the backend after the re-run, not {limit}"
        assert len(mine[name]["notifications"]) == 2, f"{name} has {len(mine[name]['notifications'])} alerts"


def audit_rule_kept(ctx) -> None:
    """test-lifecycle-keeps-audit: the auditors' rule is on the bucket, unchanged, beside the new ones."""
    rules = _rules(ctx)
    _audit_rule_kept(rules)
    ids = [r.get("ID") for r in rules]
    assert "logs-cold-storage" in ids and "abort-incomplete-uploads" in ids, f"the bucket's rules: {ids}"


def read_error_kept_rules(ctx) -> None:
    """test-lifecycle-read-error: after failed reads the bucket holds the audit rule as it was,
    and at most the two new rules beside it (nothing lost, nothing twice)."""
    rules = _rules(ctx)
    _audit_rule_kept(rules)
    ids = sorted(r.get("ID") for r in rules)
    allowed = (["audit-retention"], ["abort-incomplete-uploads", "audit-retention", "logs-cold-storage"])
    assert ids in allowed, f"the bucket's rules on the backend after failed reads: {ids}"


# The last run of test-threshold-boundary: recommendation -> savings, decided with 85.50 USD.
EDGE_THRESHOLD = 85.50
EDGE_SAVINGS = {"edge-below": 85.49, "edge-equal": 85.50, "edge-above": 85.51, "edge-zero": 0.0,
                "edge-big": 1000.0}


def threshold_boundary(ctx) -> None:
    """test-threshold-boundary: with a threshold of 85.50, approval for exactly the savings above it."""
    ns = ctx.namespace(EXERCISE)
    audit = _audit(ctx, ns.name("audit"))
    assert set(audit) == set(EDGE_SAVINGS), f"the audit table holds {sorted(audit)}"
    want = {rid: "PENDING_APPROVAL" if s > EDGE_THRESHOLD else "AUTO_APPLIED"
            for rid, s in EDGE_SAVINGS.items()}
    got = {rid: i.get("status", {}).get("S") for rid, i in audit.items()}
    assert got == want, f"statuses in the audit table with a threshold of {EDGE_THRESHOLD}: {got}"
    pending = sorted(rid for rid, s in want.items() if s == "PENDING_APPROVAL")
    assert _asked(ctx, ns) == pending, f"the approvals queue holds {_asked(ctx, ns)}, not {pending}"


def auto_applied(ctx) -> None:
    """test-auto-applied: what is at or below the threshold was applied, what is above untouched."""
    ns = ctx.namespace(EXERCISE)
    ddb = ctx.client("dynamodb")

    def exists(rec) -> bool:
        service, name = rec["resourceArn"].split(":")[2], governance.name_of(rec["resourceArn"])
        try:
            if service == "s3":
                ctx.client("s3").head_bucket(Bucket=name)
            elif service == "dynamodb":
                ddb.describe_table(TableName=name)
            elif service == "sqs":
                ctx.client("sqs").get_queue_url(QueueName=name)
            else:
                ctx.client("sns").get_topic_attributes(TopicArn=rec["resourceArn"])
            return True
        except Exception:
            return False

    for rec in governance.recommendations(ns):
        name, auto = governance.name_of(rec["resourceArn"]), rec["monthlySavings"] <= COST_THRESHOLD
        if rec["action"] == "set-provisioned":
            t = ddb.describe_table(TableName=name)["Table"]
            mode = t.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
            assert mode == ("PROVISIONED" if auto else "PAY_PER_REQUEST"), (
                f"{rec['recommendationId']} ({rec['monthlySavings']} USD): {name} is {mode} on the backend")
        else:
            assert exists(rec) != auto, (
                f"{rec['recommendationId']} ({rec['monthlySavings']} USD): {name} "
                + ("still exists on the backend" if auto else "was removed without approval"))


def audit_trail(ctx) -> None:
    """test-audit-trail: one item per recommendation, with its resource, action, savings as a
    number and decidedAt as an ISO 8601 UTC time."""
    ns = ctx.namespace(EXERCISE)
    recs = {r["recommendationId"]: r for r in governance.recommendations(ns)}
    audit = _audit(ctx, ns.name("audit"))
    assert set(audit) == set(recs), f"the audit table holds {sorted(audit)}"
    for rid, item in audit.items():
        rec = recs[rid]
        assert item.get("resourceArn", {}).get("S") == rec["resourceArn"] and \
            item.get("action", {}).get("S") == rec["action"], f"{rid}: wrong resource or action"
        assert "N" in item.get("monthlySavings", {}) and \
            abs(float(item["monthlySavings"]["N"]) - rec["monthlySavings"]) < 1e-9, (
            f"{rid}: monthlySavings is {item.get('monthlySavings')} on the backend, not a number")
        try:
            at = datetime.fromisoformat(item.get("decidedAt", {}).get("S", "").replace("Z", "+00:00"))
        except ValueError:
            at = None
        assert at is not None and at.utcoffset() is not None and at.utcoffset().total_seconds() == 0, (
            f"{rid}: decidedAt is {item.get('decidedAt')} on the backend, not an ISO 8601 UTC time")


def workflow_rerun(ctx) -> None:
    """test-workflow-rerun: after two runs (and the estate restored in between) one audit item
    and at most one approval request per recommendation, and nothing applied twice."""
    ns = ctx.namespace(EXERCISE)
    recs = governance.recommendations(ns)
    audit = _audit(ctx, ns.name("audit"))
    assert set(audit) == {r["recommendationId"] for r in recs}, f"the audit table holds {sorted(audit)}"
    want = sorted(r["recommendationId"] for r in recs if r["monthlySavings"] > COST_THRESHOLD)
    assert _asked(ctx, ns) == want, f"after a re-run the approvals queue holds {_asked(ctx, ns)}, not {want}"
    legacy = ns.name("legacy-export")
    try:
        ctx.client("sqs").get_queue_url(QueueName=legacy)
    except Exception:
        raise AssertionError("legacy-export, restored after the first run, was deleted again by the "
                             "re-run") from None


def action_failed(ctx) -> None:
    """test-action-fails: after a run whose capacity change was throttled, a run whose approvals
    queue was missing and one good run, everything is decided, applied and asked exactly as
    after one good run (a decision recorded before an action that failed is never carried out)."""
    approvals(ctx)
    auto_applied(ctx)


TRUSTED = {
    "test-budget-config": budgets_configured,
    "test-budget-alerts": budget_alerts,
    "test-lifecycle-cold": cold_storage,
    "test-approval-threshold": approvals,
    "test-budget-rerun": budgets_rerun,
    "test-lifecycle-keeps-audit": audit_rule_kept,
    "test-lifecycle-read-error": read_error_kept_rules,
    "test-threshold-boundary": threshold_boundary,
    "test-auto-applied": auto_applied,
    "test-audit-trail": audit_trail,
    "test-workflow-rerun": workflow_rerun,
    "test-action-fails": action_failed,
}
