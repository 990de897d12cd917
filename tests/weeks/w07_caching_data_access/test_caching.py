"""The caching week's plumbing: layers, clock, origin, replay and the DynamoDB call log."""

from __future__ import annotations

import collections
import threading
import uuid

import pandas as pd
import pytest

from mastery import aws
from mastery.weeks.w07_caching_data_access import caching
from mastery.weeks.w07_caching_data_access.caching import MISS


def test_miss_is_falsy_and_not_none():
    assert not MISS and MISS is not None and repr(MISS) == "MISS"


def test_fake_clock_moves_only_forward_by_set():
    clock = caching.FakeClock(10)
    assert clock() == 10
    assert clock.advance(5) == 15
    clock.set(12)  # never backwards
    assert clock() == 15
    clock.set(20)
    assert clock() == 20


def test_origin_counts_calls_per_key_across_threads():
    origin = caching.Origin({"a": {"x": 1}})
    threads = [threading.Thread(target=origin.get, args=("a",)) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert origin.calls["a"] == 20
    assert origin.get("zzz") is None and origin.calls["zzz"] == 1
    value = origin.get("a")
    value["x"] = 99  # callers get a copy, not the origin's row
    assert origin.rows["a"] == {"x": 1}
    origin.put("b", 2)
    assert origin.get("b") == 2 and origin.total() == 23
    origin.reset_counts()
    assert origin.total() == 0


def test_catalog_origin_reads_the_data_set():
    origin = caching.catalog_origin()
    assert len(origin.rows) == 360
    row = next(iter(origin.rows.values()))
    assert set(row) == {"id", "name", "price_cents"}


def test_redis_client_falls_back_to_fakeredis_when_nothing_answers():
    r, kind = caching.redis_client("redis://127.0.0.1:1/0", timeout=0.2)
    assert kind == "fakeredis"
    r.set("k", "v")
    r2, _ = caching.redis_client("redis://127.0.0.1:1/0", timeout=0.2)
    assert r2.get("k") == "v"  # one embedded server per process


def test_redis_layer_ttl_negative_entries_and_prefix_isolation():
    r, _ = caching.redis_client("redis://127.0.0.1:1/0", timeout=0.2)
    clock = caching.FakeClock()
    mine = caching.RedisLayer(r, f"t-{uuid.uuid4().hex}", clock)
    other = caching.RedisLayer(r, f"t-{uuid.uuid4().hex}", clock)
    mine.set("a", {"v": 1}, ttl=10)
    mine.set("gone", None, ttl=100)
    other.set("a", "theirs", ttl=10)
    assert mine.get("a") == {"v": 1} and other.get("a") == "theirs"
    assert mine.get("gone") is None and mine.get("never") is MISS
    assert mine.keys() == ["a", "gone"]
    clock.advance(10)
    assert mine.get("a") is MISS  # expired exactly at its TTL
    mine.delete("gone")
    assert mine.get("gone") is MISS
    mine.clear()
    assert mine.keys() == [] and other.keys() == ["a"]  # clear() touches only its own prefix


def test_s3_layer_round_trip(local_aws):
    s3 = aws.client("s3")
    clock = caching.FakeClock()
    bucket = aws.namespace("t-caching", "pytest").name("l3")
    layer = caching.S3Layer(s3, bucket, f"run-{uuid.uuid4().hex[:8]}", clock)
    layer.set("p1", {"price": 5}, ttl=60)
    layer.set("missing", None, ttl=60)
    assert layer.get("p1") == {"price": 5} and layer.get("missing") is None
    assert layer.get("nope") is MISS
    assert layer.keys() == ["missing", "p1"]
    clock.advance(61)
    assert layer.get("p1") is MISS
    layer.clear()
    assert layer.keys() == []
    caching.S3Layer(s3, bucket, "again", clock)  # the bucket exists: harmless


class _DictCache:
    """A one-layer cache that never expires: enough to exercise replay()."""

    def __init__(self, origin):
        self.origin, self.data, self.served = origin, {}, collections.Counter()

    def get(self, key):
        if key in self.data:
            self.served["l1"] += 1
            return self.data[key]
        self.served["origin"] += 1
        self.data[key] = self.origin.get(key)
        return self.data[key]

    def invalidate(self, key):
        self.data.pop(key, None)


def test_replay_records_layers_and_staleness():
    trace = pd.DataFrame({"t": [0.0, 1.0, 2.0, 3.0], "op": ["get", "get", "put", "get"],
                          "key": ["a", "a", "a", "a"]})
    origin = caching.Origin({"a": {"id": "a", "price_cents": 1}})
    cache = _DictCache(origin)
    out = caching.replay(trace, cache, origin, caching.FakeClock())
    assert out.layer.tolist() == ["origin", "l1", "", "origin"]
    assert not out.stale.any() and origin.rows["a"]["price_cents"] == 102
    summary = caching.summary(out)
    assert summary.loc["l1", "requests"] == 1 and summary.loc["origin", "requests"] == 2

    origin = caching.Origin({"a": {"id": "a", "price_cents": 1}})
    forgetful = _DictCache(origin)
    forgetful.invalidate = lambda key: None  # a cache that forgets to invalidate serves stale data
    out = caching.replay(trace, forgetful, origin, caching.FakeClock())
    assert out.stale.tolist() == [False, False, False, True]
    assert out.layer.tolist() == ["origin", "l1", "", "l1"]


def test_call_log_sees_scan_and_query(local_aws):
    ddb = aws.client("dynamodb")
    table = aws.ensure_table(aws.namespace("t-caching", "pytest").name("log"), "PK", "SK", ddb=ddb)
    with caching.CallLog(ddb) as log:
        ddb.query(TableName=table, KeyConditionExpression="PK = :p",
                  ExpressionAttributeValues={":p": {"S": "x"}})
        ddb.scan(TableName=table)
    assert log.ops() == collections.Counter({"Query": 1, "Scan": 1})
    assert log.tables() == {table} and len(log.reads()) == 2
    ddb.scan(TableName=table)  # after the block: not recorded
    assert log.ops()["Scan"] == 1


@pytest.mark.parametrize("ttl", [0.5, 30])
def test_envelope_expiry_is_strict(ttl):
    clock = caching.FakeClock()
    raw = caching._envelope("v", ttl, clock)
    assert caching._open(raw, clock) == "v"
    clock.advance(ttl)
    assert caching._open(raw, clock) is MISS


def test_partial_batch_client_returns_unprocessed_items_and_writes_the_rest(local_aws):
    ddb = aws.client("dynamodb")
    table = aws.ensure_table(f"t-partial-{uuid.uuid4().hex[:6]}", "PK")
    try:
        flaky = caching.PartialBatchClient(ddb, accept=10, partial_calls=2)
        puts = [{"PutRequest": {"Item": {"PK": {"S": f"k{i}"}}}} for i in range(25)]
        left = flaky.batch_write_item(RequestItems={table: puts})["UnprocessedItems"]
        assert left == {table: puts[10:]} and len(aws.scan_all(table, ddb)) == 10
        left = flaky.batch_write_item(RequestItems=left)["UnprocessedItems"]
        assert left == {table: puts[20:]}
        assert flaky.batch_write_item(RequestItems=left).get("UnprocessedItems") in (None, {})
        assert len(aws.scan_all(table, ddb)) == 25
        assert (flaky.calls, flaky.sent, flaky.returned) == (3, 25 + 15 + 5, 15 + 5)
        assert flaky.describe_table(TableName=table)["Table"]["TableName"] == table  # other calls pass
    finally:
        aws.delete_table(table, ddb=ddb)


def test_wire_records_what_is_sent_and_what_is_read(local_aws):
    ddb = aws.client("dynamodb")
    table = aws.ensure_table(f"t-wire-{uuid.uuid4().hex[:6]}", "PK", "SK", ddb=ddb)
    try:
        for i in range(6):
            item = {"PK": {"S": "a"}, "SK": {"S": f"{i}"}, "n": {"N": str(i)}}
            ddb.put_item(TableName=table, Item=item)
        with caching.Wire(ddb) as wire:
            ddb.get_item(TableName=table, Key={"PK": {"S": "a"}, "SK": {"S": "0"}}, ConsistentRead=True)
            ddb.query(TableName=table, KeyConditionExpression="PK = :p", Limit=4,
                      FilterExpression="n > :two",
                      ExpressionAttributeValues={":p": {"S": "a"}, ":two": {"N": "2"}})
        (op1, get), (op2, query) = wire.requests()
        assert (op1, op2) == ("GetItem", "Query") and get["ConsistentRead"] is True
        assert query["Limit"] == 4 and "ConsistentRead" not in query
        assert wire.requests("Query") == [("Query", query)]
        assert wire.items_read() == 4 and wire.scanned == [("Query", 4, 1)]  # a filter reads what it drops
        ddb.scan(TableName=table)  # after the block: not recorded
        assert len(wire.sent) == 2
    finally:
        aws.delete_table(table, ddb=ddb)


def test_failing_client_fails_the_named_commands_and_heals():
    import redis as redis_lib

    r, _ = caching.redis_client(url="redis://127.0.0.1:1/0", timeout=0.05)
    flaky = caching.FailingClient(r, {"get"}, caching.redis_timeout)
    layer = caching.RedisLayer(flaky, f"t-{uuid.uuid4().hex[:6]}", caching.FakeClock())
    layer.set("k", 1, ttl=10)  # set passes through
    with pytest.raises(redis_lib.exceptions.TimeoutError):
        layer.get("k")
    assert flaky.failed == collections.Counter({"get": 1})
    flaky.failing = set()
    assert layer.get("k") == 1
    err = caching.s3_throttled()
    assert err.response["Error"]["Code"] == "SlowDown"
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 503
