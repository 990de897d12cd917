"""telemetry: in-memory tracing, the Lambda arguments, output capture, EMF -> CloudWatch."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mastery import aws
from mastery.weeks.w08_observability_slos import telemetry


def test_span_tree_nests_children_under_the_current_span():
    tracer, exporter = telemetry.in_memory_tracing("svc")
    with tracer.start_as_current_span("root"):
        with tracer.start_as_current_span("a"):
            pass
        with tracer.start_as_current_span("b"):
            with tracer.start_as_current_span("b1"):
                pass
    with tracer.start_as_current_span("other"):
        pass
    spans = exporter.get_finished_spans()
    assert telemetry.span_tree(spans) == [("root", [("a", []), ("b", [("b1", [])])]), ("other", [])]
    text = telemetry.format_tree(spans)
    assert text.splitlines()[0].startswith("root  [INTERNAL, UNSET") and "    b1" in text


def test_span_whose_parent_is_missing_is_a_root():
    tracer, exporter = telemetry.in_memory_tracing("svc")
    with tracer.start_as_current_span("root"):
        exporter.clear()  # the root has not finished yet; only the child will be exported
        with tracer.start_as_current_span("child"):
            pass
        spans = exporter.get_finished_spans()
    assert telemetry.span_tree(spans) == [("child", [])]


def test_resource_names_the_service():
    tracer, exporter = telemetry.in_memory_tracing("orders")
    with tracer.start_as_current_span("x"):
        pass
    assert exporter.get_finished_spans()[0].resource.attributes["service.name"] == "orders"


def test_lambda_context_and_http_event_have_the_real_shapes():
    c1, c2 = telemetry.lambda_context("fn"), telemetry.lambda_context("fn")
    assert c1.aws_request_id != c2.aws_request_id
    assert c1.invoked_function_arn == f"arn:aws:lambda:{aws.REGION}:{aws.ACCOUNT_ID}:function:fn"
    assert c1.get_remaining_time_in_millis() > 0
    e = telemetry.http_event("POST", "/orders", {"a": 1})
    assert e["version"] == "2.0" and e["routeKey"] == "POST /orders"
    assert e["requestContext"]["http"]["method"] == "POST" and json.loads(e["body"]) == {"a": 1}


def test_invoke_splits_logs_emf_and_other_output():
    def handler(event, context):
        print(json.dumps({"level": "INFO", "message": "hi"}))
        print(json.dumps({"_aws": {"Timestamp": 0, "CloudWatchMetrics": []}}))
        print("plain text")
        return {"statusCode": 200}

    inv = telemetry.invoke(handler, {}, telemetry.lambda_context("fn"))
    assert inv.result == {"statusCode": 200}
    assert inv.logs == [{"level": "INFO", "message": "hi"}]
    assert len(inv.emf) == 1 and inv.other_output == "plain text"


def test_invoke_propagates_the_handler_exception():
    def handler(event, context):
        raise ValueError("boom")

    with pytest.raises(ValueError):
        telemetry.invoke(handler, {}, telemetry.lambda_context("fn"))


def test_powertools_output_is_captured_through_the_stdout_proxy():
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit

    logger = Logger(service="t", stream=telemetry.StdoutProxy())
    metrics = Metrics(namespace="Test", service="t")

    @logger.inject_lambda_context
    @metrics.log_metrics
    def handler(event, context):
        metrics.add_metric(name="Hits", unit=MetricUnit.Count, value=2)
        logger.info("hello")
        return 1

    ctx = telemetry.lambda_context("fn")
    inv = telemetry.invoke(handler, {}, ctx)
    assert [line["message"] for line in inv.logs] == ["hello"]
    assert inv.logs[0]["function_request_id"] == ctx.aws_request_id
    hits = [d for d in inv.emf if "Hits" in d]
    assert hits and hits[0]["Hits"] == [2.0]


EMF = {
    "_aws": {"Timestamp": 1_790_000_000_000, "CloudWatchMetrics": [{
        "Namespace": "Shop", "Dimensions": [["service"], ["service", "stage"]],
        "Metrics": [{"Name": "Placed", "Unit": "Count"}, {"Name": "Latency", "Unit": "Milliseconds"}]}]},
    "service": "orders", "stage": "prod", "Placed": [1.0, 2.0], "Latency": 12.5,
}


def test_emf_becomes_one_datum_per_value_metric_and_dimension_set():
    [(namespace, data)] = telemetry.emf_metric_data(EMF)
    assert namespace == "Shop"
    assert len(data) == 2 * (2 + 1)  # two dimension sets x (two Placed values + one Latency)
    placed = [d for d in data if d["MetricName"] == "Placed" and len(d["Dimensions"]) == 2]
    assert [d["Value"] for d in placed] == [1.0, 2.0]
    assert placed[0]["Dimensions"] == [{"Name": "service", "Value": "orders"},
                                       {"Name": "stage", "Value": "prod"}]
    assert placed[0]["Unit"] == "Count"
    assert placed[0]["Timestamp"] == datetime.fromtimestamp(1_790_000_000, tz=UTC)


@pytest.mark.usefixtures("local_aws")
def test_published_emf_can_be_read_back_from_cloudwatch():
    ns = aws.namespace("test-telemetry")
    cw = aws.client("cloudwatch")
    since = telemetry.next_second()
    doc = json.loads(json.dumps(EMF))
    doc["_aws"]["Timestamp"] = int(datetime.now(UTC).timestamp() * 1000)
    doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] = ns.prefix
    assert telemetry.publish_emf([doc], cw) == 6
    assert telemetry.metric_sum(ns.prefix, "Placed", {"service": "orders", "stage": "prod"}, since, cw) == 3.0
    assert telemetry.metric_sum(ns.prefix, "Missing", {"service": "orders"}, since, cw) == 0.0
