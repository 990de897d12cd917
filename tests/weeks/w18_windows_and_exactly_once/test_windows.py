"""The plumbing of week 18: the windowed telemetry generator and its reference aggregate."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from mastery import aws
from mastery.weeks.w17_streams_and_lambda.telemetry import Put, reading_bytes
from mastery.weeks.w18_windows_and_exactly_once import windows

T = windows.epoch("2026-11-02T08:00:00Z")


def _put(device, seq, dt, temp="20.0"):
    when = datetime.fromtimestamp(T + dt, UTC)
    return Put(device, reading_bytes(device, seq, when, Decimal(temp)), "reading")


def test_the_stream_is_seeded_and_has_what_windowing_must_survive():
    a, b = windows.generate(seed=5), windows.generate(seed=5)
    assert a == b and a != windows.generate(seed=6)
    puts = windows.generate(seed=5, devices=20, readings=40)
    assert set(Counter(p.kind for p in puts)) == {"reading", "duplicate", "late"}
    ts = [windows.epoch(json.loads(p.data)["ts"]) for p in puts]
    assert any(t % windows.WINDOW_S == 0 for t in ts), "readings exactly on a window boundary"
    firsts = {}
    for p in puts:
        firsts.setdefault(p.key, windows.epoch(json.loads(p.data)["ts"]))
    assert max(firsts.values()) - min(firsts.values()) > 10 * windows.WINDOW_S, "device clocks disagree"
    for p in puts:
        if p.kind == "duplicate":
            assert any(q.data == p.data and q.kind != "duplicate" for q in puts)


def test_windows_are_half_open_and_keyed_by_device_and_start():
    assert windows.window_key("d", "2026-11-02T08:01:00Z") == "d#2026-11-02T08:01:00Z"
    assert windows.window_key("d", "2026-11-02T08:00:59Z") == "d#2026-11-02T08:00:00Z"
    assert windows.iso(windows.epoch("2026-11-02T08:00:59Z")) == "2026-11-02T08:00:59Z"


def test_lateness_boundary_and_dedupe_before_lateness():
    puts = [_put("a", 1, 0, "10.0"), _put("a", 2, 179), _put("a", 3, 30, "1.5"),    # 08:02:59: still open
            _put("a", 4, 180), _put("a", 5, 40),                                    # 08:03:00: closed
            _put("a", 1, 0, "10.0")]                                                # a counted reading again
    got, late = windows.expected(puts)
    assert late == {"a#5"}
    want = {"readings": 2, "total_c": Decimal("11.5"), "max_c": Decimal("10.0")}
    assert got["a#2026-11-02T08:00:00Z"] == want


def test_one_devices_clock_does_not_close_anothers_windows():
    puts = [_put("fast", 1, 3600), _put("slow", 1, 0), _put("slow", 2, 10)]
    got, late = windows.expected(puts)
    assert not late and got["slow#2026-11-02T08:00:00Z"]["readings"] == 2


def test_the_reference_depends_only_on_each_devices_own_order_over_thousands_of_records():
    puts = windows.generate(seed=99, devices=40, readings=60)
    assert len(puts) > 2000
    by_device: dict[str, list] = {}
    for p in puts:
        by_device.setdefault(p.key, []).append(p)
    regrouped = [p for d in sorted(by_device, reverse=True) for p in by_device[d]]
    assert windows.expected(regrouped) == windows.expected(puts)
    got, late = windows.expected(puts)
    counted = sum(w["readings"] for w in got.values())
    distinct = {(json.loads(p.data)["device"], json.loads(p.data)["seq"]) for p in puts}
    assert counted + len(late) == len(distinct), "every reading is counted once or late, never both"
    tagged = [json.loads(p.data) for p in puts if p.kind == "late"]
    assert late == {f"{r['device']}#{r['seq']}" for r in tagged}


def test_the_graded_streams_exercise_every_rule():
    full = windows.graded("full")
    kinds = Counter(p.kind for p in full)
    assert kinds["duplicate"] >= 2 and kinds["late"] >= 2
    assert windows.expected(windows.graded("retry"))[1], "a late reading inside a retried batch"
    assert all(len(windows.graded(f"crash{n}")) == 2 for n in range(1, 9))


@pytest.mark.usefixtures("local_aws")
def test_tables_read_back_exactly_and_by_prefix():
    table = aws.ensure_table(f"pytest-w18-{uuid.uuid4().hex[:6]}", "window")
    ddb = aws.client("dynamodb")
    for key in ("p1-001#2026-11-02T08:00:00Z", "p10-001#2026-11-02T08:00:00Z"):
        ddb.put_item(TableName=table, Item={"window": {"S": key}, "readings": {"N": "2"},
                                            "total_c": {"N": "42.3"}, "max_c": {"N": "21.2"},
                                            "other": {"S": "ignored"}})
    assert windows.items_with_prefix(table, "window", "p1") == {"p1-001#2026-11-02T08:00:00Z"}
    assert windows.items_with_prefix(table, "window", ("p1", "p10")) == {
        "p1-001#2026-11-02T08:00:00Z", "p10-001#2026-11-02T08:00:00Z"}
    assert windows.windows_of(table, ["p1-001#2026-11-02T08:00:00Z", "absent"]) == {
        "p1-001#2026-11-02T08:00:00Z": {"readings": 2, "total_c": Decimal("42.3"), "max_c": Decimal("21.2")}}
    aws.delete_table(table)
