"""The event-sourcing plumbing: wire format, snapshots, the EventBridge -> SQS pipeline, the
Lambda-shaped delivery loop and the client spy that stages races."""

from __future__ import annotations

import json
import uuid

import pytest

from mastery import aws
from mastery.weeks.w01_event_sourcing_cqrs import eventstore


def test_item_round_trip_keeps_types():
    event = {"type": "Deposited", "data": {"amount": 12, "note": "café", "tags": ["a"]}}
    item = eventstore.to_item("acc-1", 10, event)
    assert item["version"] == {"N": "10"} and item["aggregateId"] == {"S": "acc-1"}
    back = eventstore.from_item(item)
    assert back == {"aggregateId": "acc-1", "version": 10, **event}
    assert isinstance(back["data"]["amount"], int)


@pytest.mark.parametrize("bad", [0, -1, 1.0, "1", True])
def test_item_needs_a_positive_int_version(bad):
    with pytest.raises(ValueError):
        eventstore.to_item("a", bad, {"type": "X"})


def test_concurrency_error_says_what_to_do():
    e = eventstore.ConcurrencyError("acc-1", 3)
    assert e.aggregate_id == "acc-1" and e.expected_version == 3
    assert "version 3" in str(e) and "reload" in str(e)


def test_sqs_event_has_the_lambda_shape():
    msgs = [{"MessageId": "m1", "ReceiptHandle": "r1", "Body": "{}", "MD5OfBody": "x"}]
    event = eventstore.sqs_event(msgs, "arn:aws:sqs:us-east-1:000000000000:q")
    (r,) = event["Records"]
    assert r["messageId"] == "m1" and r["body"] == "{}" and r["eventSource"] == "aws:sqs"
    assert r["eventSourceARN"].endswith(":q")


def test_lambda_context_answers_like_lambda():
    ctx = eventstore.lambda_context("f", timeout_ms=1234)
    assert ctx.function_name == "f" and 1000 < ctx.get_remaining_time_in_millis() <= 1234
    assert ctx.invoked_function_arn.endswith(":function:f")


class _FakeClient:
    def __init__(self):
        self.log = []

    def put_item(self, **kw):
        self.log.append("put")
        return {}

    def query(self, **kw):
        self.log.append("query")
        return {"Items": [{}, {}, {}]}


def test_spy_runs_the_hook_once_before_the_first_write():
    fake = _FakeClient()
    spy = eventstore.ClientSpy(fake, before_write=lambda: fake.log.append("other writer"))
    spy.query(TableName="t")
    spy.put_item(TableName="t")
    spy.put_item(TableName="t")
    assert fake.log == ["query", "other writer", "put", "put"]
    assert spy.operations() == ["query", "put_item", "put_item"]
    assert spy.items_read("t") == 3 and spy.items_read("other") == 0


def test_spy_counts_items_read_through_paginators():
    class Paginated(_FakeClient):
        def get_paginator(self, op):
            class P:
                def paginate(self, **kw):
                    yield {"Items": [{}, {}]}
                    yield {"Items": [{}]}

            return P()

    spy = eventstore.ClientSpy(Paginated())
    pages = list(spy.get_paginator("query").paginate(TableName="t"))
    assert len(pages) == 2 and spy.items_read("t") == 3


# ------------------------------------------------------------------ against the emulator


@pytest.fixture
def ns(local_aws):
    return aws.namespace("m01-es-test", learner=f"t{uuid.uuid4().hex[:6]}")


def test_store_is_queried_in_numeric_version_order(ns):
    ddb = aws.client("dynamodb")
    table = eventstore.create_store(ns.name("events"))
    try:
        for v in (10, 2, 1, 9):
            ddb.put_item(TableName=table, Item=eventstore.to_item("a", v, {"type": "T", "data": {"v": v}}))
        assert [e["version"] for e in eventstore.stream(ddb, table, "a")] == [1, 2, 9, 10]
        assert eventstore.create_store(ns.name("events")) == table  # idempotent
    finally:
        aws.delete_table(table, ddb=ddb)


def test_snapshot_keeps_the_newest(ns):
    ddb = aws.client("dynamodb")
    table = eventstore.create_snapshots(ns.name("snapshots"))
    try:
        assert eventstore.get_snapshot(ddb, table, "a") == (None, 0)
        eventstore.save_snapshot(ddb, table, "a", 5, {"balance": 5})
        eventstore.save_snapshot(ddb, table, "a", 3, {"balance": 3})  # older: ignored
        assert eventstore.get_snapshot(ddb, table, "a") == ({"balance": 5}, 5)
    finally:
        aws.delete_table(table, ddb=ddb)


def test_pipeline_delivers_published_events_and_retries_failures(ns):
    pipe = eventstore.ensure_pipeline(ns, source="test.source")
    assert eventstore.ensure_pipeline(ns, source="test.source") == pipe  # idempotent
    eventstore.discard(pipe)
    events = [{"aggregateId": "a", "version": v, "type": "T", "data": {}} for v in range(1, 13)]
    eventstore.publish(pipe, events)  # 12 events: two PutEvents calls
    seen, refused = [], set()

    def handler(event, context):
        failures = []
        for r in event["Records"]:
            detail = json.loads(r["body"])["detail"]
            if detail["version"] == 3 and 3 not in refused:  # refuse once, accept on redelivery
                refused.add(3)
                failures.append({"itemIdentifier": r["messageId"]})
            else:
                seen.append(detail["version"])
        return {"batchItemFailures": failures}

    done = eventstore.deliver(pipe, handler)
    assert sorted(seen) == list(range(1, 13)) and len(done) == 12
    assert eventstore.discard(pipe) == 0


def test_deliver_gives_up_on_a_message_that_always_fails(ns):
    pipe = eventstore.ensure_pipeline(ns, source="test.source", name="stuck")
    eventstore.discard(pipe)
    eventstore.publish(pipe, [{"aggregateId": "a", "version": 1, "type": "T", "data": {}}])

    def always_fail(event, context):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    assert eventstore.deliver(pipe, always_fail, max_rounds=3) == []
    assert eventstore.discard(pipe) == 1


# -------------------------------------------------- the failures the hidden tests inject


def test_run_batches_redelivers_reported_records_and_whole_batches_that_raise():
    records = [eventstore.sqs_record({"aggregateId": "a", "version": v, "type": "T", "data": {}}, f"m{v}")
               for v in (1, 2, 3)]
    assert json.loads(records[0]["body"])["detail"]["version"] == 1 and records[0]["messageId"] == "m1"
    calls = []

    def handler(event, context):
        ids = [r["messageId"] for r in event["Records"]]
        calls.append(ids)
        if len(calls) == 1:
            raise RuntimeError("throttled")
        if len(calls) == 2:
            return {"batchItemFailures": [{"itemIdentifier": "m3"}]}
        return {"batchItemFailures": []}

    log = eventstore.run_batches(handler, [records])
    assert calls == [["m1", "m2", "m3"], ["m1", "m2", "m3"], ["m3"]]
    assert [d["failed"] for d in log] == [["m1", "m2", "m3"], ["m3"], []]
    assert isinstance(log[0]["raised"], RuntimeError) and log[1]["raised"] is None


def test_run_batches_stops_after_max_rounds():
    record = eventstore.sqs_record({"aggregateId": "a", "version": 1, "type": "T", "data": {}})

    def never(event, context):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}

    assert len(eventstore.run_batches(never, [[record]], max_rounds=4)) == 4


@pytest.fixture
def store(ns):
    ddb = aws.client("dynamodb")
    table = eventstore.create_store(ns.name("events"))
    yield ddb, table
    aws.delete_table(table, ddb=ddb)


def test_faulty_client_fails_writes_as_dynamodb_does_and_writes_nothing(store):
    ddb, table = store
    item = eventstore.to_item("a", 1, {"type": "T"})
    put = {"Put": {"TableName": table, "Item": item}}
    faulty = eventstore.FaultyClient(ddb, fail="always", error="throttle")
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        faulty.transact_write_items(TransactItems=[put, put])
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["ThrottlingError", "None"]
    with pytest.raises(ddb.exceptions.ProvisionedThroughputExceededException):
        faulty.put_item(TableName=table, Item=item)
    conflict = eventstore.FaultyClient(ddb, fail={1}, error="conflict")
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as e:
        conflict.transact_write_items(TransactItems=[put])
    assert e.value.response["CancellationReasons"][0]["Code"] == "TransactionConflict"
    with pytest.raises(ddb.exceptions.TransactionConflictException):
        eventstore.FaultyClient(ddb, error="conflict").update_item(
            TableName=table, Key={"aggregateId": {"S": "a"}, "version": {"N": "1"}})
    assert eventstore.stream(ddb, table, "a") == []
    conflict.put_item(TableName=table, Item=item)  # only the first write failed
    assert len(eventstore.stream(conflict, table, "a")) == 1  # reads pass through
    assert (faulty.faults, faulty.writes, conflict.faults, conflict.writes) == (2, 2, 1, 2)
    with pytest.raises(ValueError):
        eventstore.FaultyClient(ddb, error="gremlins")


def test_request_log_sees_paginators_and_caps_pages(store):
    ddb, table = store
    for v in range(1, 6):
        ddb.put_item(TableName=table, Item=eventstore.to_item("a", v, {"type": "T"}))
    log = eventstore.RequestLog(aws.client("dynamodb"), page_size=2)
    pages = list(log.client.get_paginator("query").paginate(
        TableName=table, KeyConditionExpression="aggregateId = :a",
        ExpressionAttributeValues={":a": {"S": "a"}}))
    assert [len(p["Items"]) for p in pages][:3] == [2, 2, 1]
    sent = log.sent("Query", table)
    assert len(sent) == len(pages) and all(q["Limit"] == 2 and "ConsistentRead" not in q for q in sent)
    log.client.query(TableName=table, KeyConditionExpression="aggregateId = :a", ConsistentRead=True,
                     ExpressionAttributeValues={":a": {"S": "a"}}, Limit=1)
    assert log.sent("Query")[-1]["Limit"] == 1 and log.sent("Query")[-1]["ConsistentRead"] is True
    assert log.sent("Scan") == [] and log.sent("Query", "other") == []


def test_queued_events_drains_the_queue(ns):
    pipe = eventstore.ensure_pipeline(ns, source="test.source", name="drain")
    eventstore.discard(pipe)
    events = [{"aggregateId": "a", "version": v, "type": "T", "data": {}} for v in (1, 2)]
    eventstore.publish(pipe, events)
    assert sorted(eventstore.queued_events(pipe), key=lambda e: e["version"]) == events
    assert eventstore.queued_events(pipe) == []


def test_read_model_row_reads_plain_values(ns):
    ddb = aws.client("dynamodb")
    table = aws.ensure_table(ns.name("view"), "sku")
    try:
        assert eventstore.read_model_row(table, "s") is None
        ddb.put_item(TableName=table, Item={"sku": {"S": "s"}, "onHand": {"N": "3"}, "version": {"N": "2"}})
        assert eventstore.read_model_row(table, "s") == {"sku": "s", "onHand": 3, "version": 2}
    finally:
        aws.delete_table(table, ddb=ddb)
