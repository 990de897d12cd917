"""The strangler-fig plumbing: layout, contract, services, flags, events and metric read-back."""

from __future__ import annotations

import copy
import uuid

import pytest

from mastery import aws
from mastery.weeks.w03_strangler_fig import strangler


def test_layout_tiles_the_80_columns_without_gaps():
    fields = strangler.layout()
    assert fields[0].start == 0
    for a, b in zip(fields, fields[1:], strict=False):
        assert a.end == b.start, f"{a.name} and {b.name} overlap or leave a gap"
    assert fields[-1].end == strangler.RECORD_LENGTH


def test_data_file_and_golden_file_agree_in_size_and_order():
    recs, gold = strangler.records(), strangler.golden_orders()
    assert len(recs) == len(gold) == 300
    assert all(len(r) == strangler.RECORD_LENGTH and r.isascii() for r in recs)
    assert [r[:10] for r in recs] == [o["orderId"] for o in gold]


def test_every_golden_order_follows_the_contract():
    for o in strangler.golden_orders():
        assert strangler.contract_errors(o) == [], o["orderId"]


@pytest.mark.parametrize(("path", "value"), [
    (("item", "unitPrice"), 0.29),            # money as a float
    (("item", "unitPrice"), "29"),            # implied decimal ignored
    (("customer", "name"), "ANN LEE       "),  # padding kept
    (("shippedOn",), "0000-00-00"),            # zeros taken for a date
    (("orderDate",), "2024-02-30"),            # matches the pattern, not the calendar
    (("item", "quantity"), "3"),               # number as text
])
def test_contract_catches_the_usual_translation_mistakes(path, value):
    o = copy.deepcopy(strangler.golden_orders()[0])
    target = o
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    assert strangler.contract_errors(o), f"{path}={value!r} should break the contract"
    with pytest.raises(strangler.ContractViolation):
        strangler.check_contract(o)


def test_http_event_has_the_payload_2_shape():
    e = strangler.http_event("GET", "GET /orders/{orderId}", "u-1", {"orderId": "ORD0000001"})
    assert e["routeKey"] == "GET /orders/{orderId}" and e["rawPath"] == "/orders/ORD0000001"
    assert e["pathParameters"] == {"orderId": "ORD0000001"} and strangler.user_of(e) == "u-1"
    assert "body" not in e
    post = strangler.http_event("POST", "POST /orders", "u-2", body={"a": 1})
    assert post["body"] == '{"a": 1}' and "pathParameters" not in post


@pytest.fixture(scope="module")
def stack(local_aws):
    return strangler.create_stack(aws.namespace("m01-strangle-unit", "pytest"))


@pytest.mark.usefixtures("local_aws")
def test_services_store_what_they_speak(stack):
    rec = strangler.records()[2]
    assert stack.legacy.get_order("ORD0000003") == rec
    assert stack.modern.get_order("ORD0000003") == strangler.golden_orders()[2]
    with pytest.raises(strangler.OrderNotFound):
        stack.legacy.get_order("ORD9999999")
    with pytest.raises(strangler.ContractViolation):
        stack.legacy.create_order(rec[:79])
    bad = dict(strangler.golden_orders()[0], orderId="ORD8000001", express="Y")
    with pytest.raises(strangler.ContractViolation):
        stack.modern.create_order(bad)
    assert stack.modern.stored("ORD8000001") is None


@pytest.mark.usefixtures("local_aws")
def test_outage_fails_calls_and_ends_with_the_block(stack):
    with stack.modern.outage(), pytest.raises(strangler.ServiceUnavailable):
        stack.modern.get_order("ORD0000001")
    assert not stack.modern.down
    assert stack.modern.get_order("ORD0000001")["orderId"] == "ORD0000001"


@pytest.mark.usefixtures("local_aws")
def test_flags_are_read_fresh_and_per_user(stack):
    flag = f"f-{uuid.uuid4().hex[:6]}"
    assert not stack.flags.is_on(flag, "ann")
    stack.flags.set(flag, True, users=["ann"])
    assert stack.flags.is_on(flag, "ann") and not stack.flags.is_on(flag, "bob")
    stack.flags.set(flag, True)
    assert stack.flags.is_on(flag, "bob")
    stack.flags.set(flag, False)
    assert not stack.flags.is_on(flag, "ann")


@pytest.mark.usefixtures("local_aws")
def test_metric_sum_reads_back_what_was_put(stack):
    cw = aws.client("cloudwatch")
    route = f"GET /r-{uuid.uuid4().hex[:6]}"
    assert strangler.metric_sum(stack.metric_namespace, "M", {"Route": route}) == 0
    cw.put_metric_data(Namespace=stack.metric_namespace, MetricData=[
        {"MetricName": "M", "Dimensions": [{"Name": "Route", "Value": route}], "Value": 1, "Unit": "Count"}
    ] * 2)
    assert strangler.metric_sum(stack.metric_namespace, "M", {"Route": route}) == 2
    assert strangler.metric_sum(stack.metric_namespace, "M", {"Route": route + "x"}) == 0
