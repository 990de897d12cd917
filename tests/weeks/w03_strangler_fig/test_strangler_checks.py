"""The week-3 trusted checks (run by the grading process, outside the learner's kernel) and the
modern service's throttled store seen as an outage: what the checks accept, what they refuse and
what they say."""

from __future__ import annotations

import json
import uuid

import pytest

from mastery import aws, faults
from mastery.grading.integrity import Context, run_trusted
from mastery.weeks.w03_strangler_fig import checks, strangler

GET, POST = checks.GET, checks.POST


@pytest.fixture
def world(local_aws):
    learner = f"pytest-{uuid.uuid4().hex[:6]}"
    stack = strangler.create_stack(aws.namespace(checks.EXERCISE, learner), seed=False)
    ctx = Context("03-strangler-fig", learner)
    yield stack, ctx
    checks._SEEN.pop((ctx.notebook, ctx.learner), None)


def _fallback(stack, route, unit="Count"):
    point = {"MetricName": strangler.FALLBACK_METRIC, "Value": 1,
             "Dimensions": [{"Name": "Route", "Value": route}]}
    if unit:
        point["Unit"] = unit
    aws.client("cloudwatch").put_metric_data(Namespace=stack.metric_namespace, MetricData=[point])


def _new_id(prefix):
    return f"{prefix}{uuid.uuid4().int % 10**6:06d}"


def test_the_trusted_checks_pass_the_state_the_reference_leaves(world):
    stack, ctx = world
    recs = strangler.records()
    oid = _new_id("ORD9")
    stack.legacy.create_order(oid + recs[5][10:])
    assert run_trusted(checks.serves_both_ways, ctx) is None
    for _ in range(6):
        _fallback(stack, GET)
    _fallback(stack, POST)
    stack.legacy.create_order(_new_id("ORD8") + recs[8][10:])
    assert run_trusted(checks.fallback_counted, ctx) is None
    assert run_trusted(checks.answers_not_fallbacks, ctx) is None
    stack.modern.create_order(dict(strangler.golden_orders()[4], orderId=_new_id("ORD6")))
    assert run_trusted(checks.writes_chosen_side, ctx) is None


def test_the_trusted_checks_refuse_what_a_kernel_could_not_tell(world):
    stack, ctx = world
    recs = strangler.records()
    stack.legacy.create_order(_new_id("ORD9") + recs[5][10:])
    assert run_trusted(checks.serves_both_ways, ctx) is None
    for _ in range(5):
        _fallback(stack, GET)
    _fallback(stack, GET, unit=None)  # one data point without its unit
    _fallback(stack, POST)
    stack.legacy.create_order(_new_id("ORD8") + recs[8][10:])
    assert "lack the unit Count" in run_trusted(checks.fallback_counted, ctx)
    _fallback(stack, POST)  # a 404 or 400 counted as a fallback
    assert "added" in run_trusted(checks.answers_not_fallbacks, ctx)
    dual = _new_id("ORD6")
    stack.modern.create_order(dict(strangler.golden_orders()[4], orderId=dual))
    stack.legacy.create_order(dual + recs[4][10:])
    assert "dual write" in run_trusted(checks.writes_chosen_side, ctx)


def test_a_check_without_the_snapshot_before_it_says_so(world):
    _, ctx = world
    assert "run the notebook from the top" in run_trusted(checks.fallback_counted, ctx)


def test_a_wrong_record_on_the_mainframe_is_named(world):
    stack, ctx = world
    oid = _new_id("ORD9")
    stack.legacy.create_order(oid + strangler.records()[6][10:])
    assert f"for {oid}, not its record" in run_trusted(checks.serves_both_ways, ctx)


@pytest.mark.usefixtures("local_aws")
def test_a_throttled_modern_store_is_service_unavailable():
    ns = aws.namespace(checks.EXERCISE, f"pytest-{uuid.uuid4().hex[:6]}")
    stack = strangler.create_stack(ns, seed=False)
    order = dict(strangler.golden_orders()[0], orderId=_new_id("ORD4"))
    stack.modern.create_order(order)
    with faults.injected([faults.rule(stack.modern.table, times=faults.FOREVER)]):
        with pytest.raises(strangler.ServiceUnavailable, match="throttled"):
            stack.modern.get_order(order["orderId"])
        with pytest.raises(strangler.ServiceUnavailable):
            stack.modern.create_order(dict(order, orderId=_new_id("ORD4")))
    assert json.loads(stack.modern.stored(order["orderId"])) == order
    assert stack.modern.get_order(order["orderId"]) == order
    with pytest.raises(strangler.OrderNotFound):  # an answer stays an answer
        stack.modern.get_order("ORD4999999")
