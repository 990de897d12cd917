"""checks: the week-8 trusted checks read the backend themselves (orders, metrics with their
units and dimensions, alarms and their expression), and the safe expression evaluator they and
the hidden test share never runs anything but arithmetic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mastery import aws
from mastery.grading import integrity
from mastery.weeks.w08_observability_slos import checks, slo, telemetry


def test_expression_value_is_arithmetic_on_query_ids_only():
    v = {"errors": 12.0, "good": 588.0}
    assert slo.expression_value("errors / (errors + good) / 0.001", v) == pytest.approx(20.0)
    assert slo.expression_value("-errors + 2 * (good - -1)", v) == pytest.approx(1166.0)
    for bad in ("__import__('os').system('true')", "errors.real", "METRICS(errors)", "errors ** 2",
                "unknown / 2", "'a'", "[errors]", "errors if good else 1", "", "errors /"):
        with pytest.raises(ValueError):
            slo.expression_value(bad, v)


def test_the_week_registers_its_state_based_tests():
    assert set(integrity.trusted_checks("08-observability-slos")) == {
        "test-span-tree", "test-metrics-in-cloudwatch", "test-cloudwatch-alarms"}


def _ctx():
    learner = f"t{uuid.uuid4().hex[:8]}"
    return integrity.Context("08-observability-slos", learner), aws.namespace(checks.EXERCISE, learner)


def _stat(ns, qid, metric, period):
    return {"Id": qid, "ReturnData": False, "MetricStat": {"Metric": {
        "Namespace": f"Mastery/{ns.prefix}", "MetricName": metric,
        "Dimensions": [{"Name": "service", "Value": "orders"}]}, "Period": period, "Stat": "Sum"}}


def _alarms(cw, ns, prefix, budget, op="GreaterThanThreshold"):
    for suffix, period in checks.PERIODS.items():
        cw.put_metric_alarm(
            AlarmName=f"{prefix}-burn-{suffix}", Threshold=14.4, ComparisonOperator=op,
            EvaluationPeriods=1, TreatMissingData="notBreaching",
            Metrics=[_stat(ns, "e", "OrderErrors", period), _stat(ns, "g", "OrdersPlaced", period),
                     {"Id": "b", "Expression": f"e / (e + g) / {budget}", "ReturnData": True}])


@pytest.mark.usefixtures("local_aws")
def test_alarms_are_read_from_the_backend_and_their_expression_evaluated():
    ctx, ns = _ctx()
    cw = aws.client("cloudwatch")
    assert "not" in integrity.run_trusted(checks.page_alarms, ctx)  # nothing deployed
    _alarms(cw, ns, ns.prefix, "0.001")
    _alarms(cw, ns, ns.name("alt"), "0.001")  # the alternative SLO's alarms with 99.9 %'s budget
    assert "burn rate is" in integrity.run_trusted(checks.page_alarms, ctx)
    _alarms(cw, ns, ns.name("alt"), "0.01")
    assert integrity.run_trusted(checks.page_alarms, ctx) is None
    _alarms(cw, ns, ns.prefix, "0.001", op="GreaterThanOrEqualToThreshold")
    assert "GreaterThanOrEqualToThreshold" in integrity.run_trusted(checks.page_alarms, ctx)


def _put(cw, ns, metric, unit="Count", dims=None, value=1.0, n=1):
    dims = dims or {"service": "orders"}
    cw.put_metric_data(Namespace=f"Mastery/{ns.prefix}", MetricData=[
        {"MetricName": metric, "Value": value, "Unit": unit, "Timestamp": datetime.now(UTC),
         "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()]}] * n)


@pytest.mark.usefixtures("local_aws")
@pytest.mark.parametrize(("fault", "message"), [
    (None, None),
    ({"unit": "Milliseconds"}, "not in the unit Count"),
    ({"dims": {"service": "orders", "function": "f"}}, "dimension sets"),
    ({"value": 2.0}, "each should be 1"),
    ({"value": 0.0}, None),
])
def test_metrics_are_read_back_with_units_dimensions_and_values(fault, message):
    ctx, ns = _ctx()
    cw = aws.client("cloudwatch")
    _put(cw, ns, "OrdersPlaced", n=4)
    _put(cw, ns, "OrderErrors", n=2)
    if fault:
        _put(cw, ns, "OrdersPlaced", **fault)
    problem = integrity.run_trusted(checks.metrics_in_cloudwatch, ctx)
    assert problem is None if message is None else message in problem


@pytest.mark.usefixtures("local_aws")
def test_metric_read_back_sums_every_period():
    ns = aws.namespace("w08-periods", f"t{uuid.uuid4().hex[:8]}")
    cw = aws.client("cloudwatch")
    since = (datetime.now(UTC) - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    data = [{"MetricName": "M", "Value": 1.0, "Unit": "Count",
             "Timestamp": since + timedelta(minutes=m, seconds=30),
             "Dimensions": [{"Name": "service", "Value": "orders"}]} for m in range(0, 59, 7)]
    cw.put_metric_data(Namespace=ns.prefix, MetricData=data)
    until = since + timedelta(hours=1)
    stats = telemetry.metric_stats(ns.prefix, "M", {"service": "orders"}, since, cw, until=until)
    assert stats == {"Sum": 9.0, "SampleCount": 9.0, "Minimum": 1.0, "Maximum": 1.0}
    assert telemetry.metric_stats(ns.prefix, "M", {"service": "orders"}, since, cw, until=until,
                                  unit="Seconds")["Sum"] == 0
    assert telemetry.dimension_sets(ns.prefix, "M", cw) == [{"service": "orders"}]


@pytest.mark.usefixtures("local_aws")
def test_orders_are_read_from_the_table():
    ctx, ns = _ctx()
    ddb = aws.client("dynamodb")
    table = aws.ensure_table(ns.name("orders"), "orderId")
    ddb.put_item(TableName=table, Item={"orderId": {"S": "a"}, "amount": {"N": "25"}})
    assert "no order of amount 30" in integrity.run_trusted(checks.orders_stored, ctx)
    ddb.put_item(TableName=table, Item={"orderId": {"S": "b"}, "amount": {"N": "30"}})
    assert integrity.run_trusted(checks.orders_stored, ctx) is None
    ddb.put_item(TableName=table, Item={"orderId": {"S": "c"}, "amount": {"S": "30"}})  # no type is fixed
    assert integrity.run_trusted(checks.orders_stored, ctx) is None
    ddb.put_item(TableName=table, Item={"orderId": {"S": "d"}, "total": {"N": "30"}})
    assert "without an orderId and an amount" in integrity.run_trusted(checks.orders_stored, ctx)
