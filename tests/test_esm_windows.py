"""Tumbling windows in the event source mapping runner (`mastery.esm`), against the rules of
https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html (checked 2026-12-02):
windows by arrival time, one window per batch, state carried between invocations of a window,
a final invocation with isFinalInvokeForWindow, a response without state is a failure, a state
over 1 MB ends the window early, TumblingWindowInSeconds from 0 to 900.

The emulator stamps arrival with the wall clock, so these tests give each record its arrival
time from its data (a subclass of the runner) to put records in windows they choose."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from mastery import aws, esm
from mastery.errors import MasteryError

pytestmark = pytest.mark.usefixtures("local_aws")
T0 = 1_790_000_000 - 1_790_000_000 % 60  # a minute boundary


class Arrival(esm.StreamMapping):
    """The runner, with each record's arrival read from its data's "t" (seconds)."""

    def _convert(self, shard, r):
        rec = super()._convert(shard, r)
        rec.arrival = json.loads(r["Data"])["t"]
        return rec


def _stream(values) -> str:
    k, name = aws.client("kinesis"), f"esmw-{uuid.uuid4().hex[:8]}"
    k.create_stream(StreamName=name, ShardCount=1)
    arn = k.describe_stream(StreamName=name)["StreamDescription"]["StreamARN"]
    for v in values:
        k.put_record(StreamARN=arn, Data=json.dumps(v).encode(), PartitionKey="k")
    return arn


class Summer:
    """Sums "n" per window in the state; remembers every event; fails as told."""

    def __init__(self, fail_once=lambda event: False, state_pad=0):
        self.events, self.finals, self.failed, self.fail_once, self.pad = [], [], set(), fail_once, state_pad

    def __call__(self, event, context):
        self.events.append(event)
        if event["isFinalInvokeForWindow"]:
            self.finals.append((event["window"]["start"], event["state"], event["isWindowTerminatedEarly"]))
            return {"state": {}}
        key = (event["window"]["start"], event["Records"][0]["kinesis"]["sequenceNumber"])
        if self.fail_once(event) and key not in self.failed:
            self.failed.add(key)
            raise RuntimeError("crash after folding half the batch")
        n = sum(json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] for r in event["Records"])
        state = {"sum": event["state"].get("sum", 0) + n}
        if self.pad:
            state["pad"] = "x" * self.pad
        return {"state": state}


def test_batches_hold_one_window_and_the_state_is_carried_to_a_final_invocation():
    values = [{"t": T0 + s, "n": n} for n, s in enumerate((0, 10, 59, 60, 61, 150), start=1)]
    arn = _stream(values)
    h = Summer()
    Arrival(h, arn, BatchSize=2, TumblingWindowInSeconds=60, clock=lambda: T0 + 10_000).drain()
    batches = [[json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] for r in e["Records"]]
               for e in h.events if not e["isFinalInvokeForWindow"]]
    assert batches == [[1, 2], [3], [4, 5], [6]]  # 59 s is the first window, 60 s the second
    assert [e["state"] for e in h.events[:2]] == [{}, {"sum": 3}]
    assert [st for _, st, _ in h.finals] == [{"sum": 6}, {"sum": 9}, {"sum": 6}]
    assert all(not e["Records"] for e in h.events if e["isFinalInvokeForWindow"])
    e = h.events[0]
    assert e["window"]["end"] > e["window"]["start"] and e["shardId"].startswith("shardId-")
    assert e["eventSourceARN"] == arn and e["isWindowTerminatedEarly"] is False


def test_an_open_window_gets_its_final_invocation_only_after_its_end():
    arn = _stream([{"t": T0 + 5, "n": 1}])
    now = [T0 + 30]
    h = Summer()
    m = Arrival(h, arn, TumblingWindowInSeconds=60, clock=lambda: now[0])
    m.drain()
    assert not h.finals, "the window is still open: no final invocation yet"
    now[0] = T0 + 60
    m.poll()
    assert [st for _, st, _ in h.finals] == [{"sum": 1}]


def test_a_failed_batch_is_retried_with_the_state_before_it():
    arn = _stream([{"t": T0 + s, "n": 1} for s in range(6)])
    h = Summer(fail_once=lambda e: True)
    Arrival(h, arn, BatchSize=3, TumblingWindowInSeconds=60, clock=lambda: T0 + 999).drain()
    assert [st for _, st, _ in h.finals] == [{"sum": 6}], "each record folded into the state once"


def test_a_response_without_state_is_a_failed_invocation():
    arn = _stream([{"t": T0, "n": 1}])
    calls = []

    def handler(event, context):
        calls.append(event)
        return None if len(calls) == 1 else {"state": {"ok": True}}

    report = Arrival(handler, arn, TumblingWindowInSeconds=60, MaximumRetryAttempts=3).drain()
    assert [i.outcome for i in report.invocations][:2] == ["error", "success"]
    assert "state" in report.invocations[0].error


def test_a_state_over_1_mb_ends_the_window_early():
    arn = _stream([{"t": T0 + s, "n": 1} for s in range(2)])
    h = Summer(state_pad=esm.WINDOW_STATE_LIMIT)
    Arrival(h, arn, BatchSize=1, TumblingWindowInSeconds=60, clock=lambda: T0 + 30).drain()
    assert [(st["sum"], early) for _, st, early in h.finals] == [(1, True), (1, True)]
    assert h.events[2]["state"] == {}, "after an early end the window goes on from a fresh state"


def test_tumbling_window_bounds():
    arn = _stream([])
    for bad in (-1, 901, True):
        with pytest.raises(MasteryError):
            esm.StreamMapping(Summer(), arn, TumblingWindowInSeconds=bad)
    esm.StreamMapping(Summer(), arn, TumblingWindowInSeconds=900)
