"""The plumbing of week 15: the spec's model of frames, the seeded workloads and connections, the
task table's stream as the emulator writes it, and the gateway's wire."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from mastery import aws
from mastery.weeks.w15_real_time_updates import realtime


def _record(seq, name, tenant="t", task="x", new=None, old=None, attr_tenant=None):
    d = {"Keys": {"pk": {"S": f"TENANT#{tenant}"}, "sk": {"S": f"TASK#{task}"}}, "SequenceNumber": str(seq)}
    for key, image in (("NewImage", new), ("OldImage", old)):
        if image is not None:
            d[key] = {"tenant": {"S": attr_tenant or tenant}, **{k: {"S": v} for k, v in image.items()}}
    return {"eventID": uuid.uuid4().hex, "eventName": name, "dynamodb": d}


def test_frames_follow_the_spec():
    ins = _record(10, "INSERT", new={"title": "a", "status": "open"}, attr_tenant="someone-else")
    assert realtime.message_for(ins) == {"seq": "10", "change": "INSERT", "tenant": "t", "task_id": "x",
                                         "task": {"title": "a", "status": "open"}}
    same = _record(11, "MODIFY", new={"title": "a", "status": "open"}, old={"title": "a", "status": "open"})
    assert realtime.message_for(same) is None
    rem = _record(12, "REMOVE", old={"title": "a", "status": "open"})
    assert realtime.message_for(rem)["task"] is None


def test_expected_and_after_order_by_sequence_number_as_numbers():
    recs = [_record(100, "INSERT", new={"title": "b", "status": "open"}),
            _record(99, "INSERT", tenant="u", new={"title": "a", "status": "open"}),
            _record(9, "INSERT", new={"title": "c", "status": "open"}, task="y")]
    want = realtime.expected(recs, {"t": ["c1"], "u": [], "v": ["c2"]})
    assert [f["seq"] for f in want["c1"]] == ["9", "100"] and want["c2"] == []
    assert [f["seq"] for f in realtime.after(recs, "t", "9")] == ["100"]
    assert realtime.after(recs, "t", "100") == []
    assert [f["seq"] for f in realtime.after(recs, "t", None)] == ["9", "100"]


def test_graded_workloads_and_connections_are_seeded():
    assert realtime.graded_ops("mix") == realtime.graded_ops("mix")
    conns = realtime.graded_connections("mix")
    assert conns == realtime.graded_connections("mix")
    assert any(not c for c in conns.values()), "some tenant must have no connection"
    assert len(realtime.graded_connections("fail")["fail0"]) == 3  # gone, throttled, healthy


def test_the_fan_out_workload_ends_with_a_burst_of_one_task():
    """test-fan-out's workload ends with 12 changes in a row of one task of the tenant with three
    connections: however the stream cuts it into batches of 10, one batch holds 6 or more of
    them, so a handler that reorders a batch (by the random eventID, say) is caught whatever
    ids the emulator draws, not in most gradings only."""
    ops = realtime.graded_ops("mix")
    burst = ops[-realtime.BURSTS["mix"]:]
    assert {(o.tenant, o.task_id) for o in burst} == {("mix0", "task-burst")}
    assert [o.kind for o in burst] == ["create"] + ["update"] * 11
    assert len({(o.title, o.status) for o in burst}) == 12, "every change visible to a subscriber"
    assert len(realtime.graded_connections("mix")["mix0"]) == 3
    assert not any(o.task_id == "task-burst" for o in realtime.graded_ops("cu")), "a burst only where asked"
    for prefix in ("redo", "fail", "thr"):
        assert realtime.graded_ops(prefix)[-1].task_id == "task-burst"
        assert realtime.graded_connections(prefix)[f"{prefix}0"], f"{prefix}: its burst has subscribers"


@pytest.mark.usefixtures("local_aws")
def test_the_stream_holds_every_kind_of_change_and_the_wire_keeps_order():
    ns = aws.namespace(f"pytest-w15-{uuid.uuid4().hex[:6]}")
    table, arn = realtime.task_table(ns)
    assert realtime.task_table(ns) == (table, arn)  # idempotent
    writes = realtime.apply(table, realtime.graded_ops("redo"))
    records = realtime.stream_records(arn)
    assert len(records) == writes
    assert {r["eventName"] for r in records} == {"INSERT", "MODIFY", "REMOVE"}
    assert all("NewImage" in r["dynamodb"] and "OldImage" in r["dynamodb"]
               for r in records if r["eventName"] == "MODIFY")
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs) and len(set(r["eventID"] for r in records)) == len(records)
    wire = realtime.wire_table(ns)
    gw = realtime.Gateway(wire, gone={"g"}, throttled={"s"})
    for n in range(3):
        gw.post_to_connection(ConnectionId="c", Data=json.dumps({"n": n}).encode())
    assert realtime.received(wire, "c") == [{"n": 0}, {"n": 1}, {"n": 2}]
    for cid, code in (("g", "GoneException"), ("s", "LimitExceededException")):
        with pytest.raises(ClientError) as e:
            gw.post_to_connection(ConnectionId=cid, Data=b"{}")
        assert e.value.response["Error"]["Code"] == code
    realtime.forget(wire, "c")
    assert realtime.received(wire, "c") == []
    for t in (table, wire):
        aws.delete_table(t)
