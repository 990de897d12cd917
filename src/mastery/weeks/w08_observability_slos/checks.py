"""Trusted checks of the week-8 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its test cell, against the learner's emulator,
with its own clients and its own expected values: what the learner's kernel prints, rebinds or
fakes (a replaced ``telemetry.metric_sum``, a CloudWatch client whose answers are made up)
cannot change them. Each restates what the exercise's spec says.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mastery.grading import integrity
from mastery.weeks.w08_observability_slos import slo, telemetry

EXERCISE = "m02-observab"  # the exercise's namespace (its setup cell)
SERVICE = {"service": "orders"}  # the only dimension the spec allows
SLO = 0.999  # the setup's SLO
ALT_SLO = 0.99  # the second SLO the hidden alarm test deploys, under ns.name("alt")
PERIODS = {"1h": 3600, "5m": 300}


def _items(ddb, table: str) -> list[dict]:
    return integrity.scan_items(ddb, table)


def orders_stored(ctx) -> None:
    """test-span-tree: the order of 30 is in the orders table, stored as the spec says."""
    ns = ctx.namespace(EXERCISE)
    items = _items(ctx.client("dynamodb"), ns.name("orders"))
    bad = [i for i in items if "S" not in i.get("orderId", {}) or not ({"N", "S"} & set(i.get("amount", {})))]
    assert not bad, f"orders on the backend without an orderId and an amount: {bad[:2]}"

    def amount(item):
        try:
            return float(item["amount"].get("N", item["amount"].get("S")))
        except ValueError:
            return None

    assert any(amount(i) == 30 for i in items), "the orders table on the backend holds no order of amount 30"


def metrics_in_cloudwatch(ctx) -> None:
    """test-metrics-in-cloudwatch: in the learner's metric namespace, OrdersPlaced and
    OrderErrors exist with only the ``service=orders`` dimension, every datapoint a Count of 1 (or 0),
    at least the 4 placed and 2 failed orders the test published."""
    ns = ctx.namespace(EXERCISE)
    namespace, cw = f"Mastery/{ns.prefix}", ctx.client("cloudwatch")
    since = datetime.now(UTC) - timedelta(hours=6)
    for metric, at_least in (("OrdersPlaced", 4), ("OrderErrors", 2)):
        dims = telemetry.dimension_sets(namespace, metric, cw)
        assert dims, f"CloudWatch has no metric {metric} in {namespace}"
        assert all(d == SERVICE for d in dims), (
            f"{metric} on the backend has the dimension sets {dims}; the spec allows only service=orders")
        every = telemetry.metric_stats(namespace, metric, SERVICE, since, cw)
        counts = telemetry.metric_stats(namespace, metric, SERVICE, since, cw, unit="Count")
        assert counts["SampleCount"] == every["SampleCount"], (
            f"{every['SampleCount'] - counts['SampleCount']:g} of {every['SampleCount']:g} {metric} "
            "datapoints on the backend are not in the unit Count")
        assert every["Maximum"] == 1.0 and every["Minimum"] in (0.0, 1.0), (
            f"{metric} datapoints on the backend range from {every['Minimum']} to {every['Maximum']}; "
            "each should be 1 (one per order; a 0 is allowed)")
        assert every["Sum"] >= at_least, f"CloudWatch counts only {every['Sum']:g} {metric}"


def _check_alarms(cw, prefix: str, target: float, namespace: str) -> None:
    found = {a["AlarmName"]: a for a in cw.describe_alarms(AlarmNamePrefix=prefix + "-burn-")["MetricAlarms"]}
    want = {f"{prefix}-burn-{s}" for s in PERIODS}
    assert set(found) == want, f"the backend has the alarms {sorted(found)}, not {sorted(want)}"
    for suffix, period in PERIODS.items():
        a = found[f"{prefix}-burn-{suffix}"]
        assert (a["Threshold"], a["ComparisonOperator"], a["EvaluationPeriods"]) == (
            14.4, "GreaterThanThreshold", 1), f"{a['AlarmName']} on the backend: {a['Threshold']} " \
            f"{a['ComparisonOperator']} over {a['EvaluationPeriods']} period(s)"
        assert a.get("TreatMissingData") == "notBreaching", f"{a['AlarmName']}: TreatMissingData"
        queries = a.get("Metrics", [])
        stats = {q["Id"]: q for q in queries if "MetricStat" in q}
        names = sorted(q["MetricStat"]["Metric"]["MetricName"] for q in stats.values())
        assert names == ["OrderErrors", "OrdersPlaced"], f"{a['AlarmName']} queries {names}"
        for q in stats.values():
            s = q["MetricStat"]
            assert (s["Period"], s["Stat"], s["Metric"]["Namespace"], s["Metric"].get("Dimensions")) == (
                period, "Sum", namespace, [{"Name": "service", "Value": "orders"}]), (
                f"{a['AlarmName']}: {s['Metric']['MetricName']} is not the Sum over {period} s of "
                f"{namespace} service=orders")
            assert q.get("ReturnData") is False, f"{a['AlarmName']}: query {q['Id']} should not return data"
        expr = [q for q in queries if q.get("Expression") and q.get("ReturnData", True)]
        assert len(expr) == 1, f"{a['AlarmName']}: {len(expr)} expressions return data, not one"
        for errors, good in ((12, 588), (0, 50), (30, 0), (7, 993)):
            ids = {qid: float(errors if q["MetricStat"]["Metric"]["MetricName"] == "OrderErrors" else good)
                   for qid, q in stats.items()}
            got = slo.expression_value(expr[0]["Expression"], ids)
            want_value = errors / (errors + good) / (1 - target)
            assert abs(got - want_value) <= 1e-6 * max(1.0, want_value), (
                f"{a['AlarmName']} on the backend: with {errors} errors and {good} good requests its "
                f"expression gives {got:g}, the burn rate is {want_value:g}")


def page_alarms(ctx) -> None:
    """test-cloudwatch-alarms: the alarms on the backend, as the last calls configured them
    (SLO for the exercise's prefix, ALT_SLO for its ``alt`` prefix)."""
    ns, cw = ctx.namespace(EXERCISE), ctx.client("cloudwatch")
    namespace = f"Mastery/{ns.prefix}"  # METRICS_NAMESPACE, whatever the alarms' prefix
    _check_alarms(cw, ns.prefix, SLO, namespace)
    _check_alarms(cw, ns.name("alt"), ALT_SLO, namespace)


TRUSTED = {
    "test-span-tree": orders_stored,
    "test-metrics-in-cloudwatch": metrics_in_cloudwatch,
    "test-cloudwatch-alarms": page_alarms,
}
