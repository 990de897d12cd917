"""The plumbing of week 17: the seeded telemetry stream and its expected aggregates."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from decimal import Decimal

import pytest

from mastery import aws
from mastery.weeks.w17_streams_and_lambda import telemetry


def test_the_stream_is_seeded_and_has_every_kind_of_record():
    a, b = telemetry.generate(seed=5), telemetry.generate(seed=5)
    assert a == b and a != telemetry.generate(seed=6)
    kinds = Counter(p.kind for p in telemetry.generate(seed=5, devices=30))
    assert set(kinds) == {"reading", "duplicate", "late", "poison"}


def test_duplicates_repeat_a_reading_and_late_ones_arrive_after_a_later_seq():
    puts = telemetry.generate(seed=9, devices=20, readings=8)
    readings = [p for p in puts if p.kind in ("reading", "late")]
    for d in (p for p in puts if p.kind == "duplicate"):
        assert any(r.data == d.data for r in readings)
    for i, p in enumerate(puts):
        if p.kind == "late":
            r = p.reading()
            before = [q.reading()["seq"] for q in puts[:i] if q.kind == "reading" and q.key == p.key]
            assert any(s > r["seq"] for s in before), "a late reading arrives after a later one"


def test_poison_is_never_a_valid_reading():
    for p in (p for p in telemetry.generate(seed=3, devices=60) if p.kind == "poison"):
        try:
            r = json.loads(p.data, parse_float=Decimal)
        except (UnicodeDecodeError, ValueError):
            continue
        valid = (isinstance(r, dict) and isinstance(r.get("seq"), int) and r["seq"] >= 1
                 and isinstance(r.get("temp_c"), (int, Decimal))
                 and telemetry.TEMP_RANGE[0] <= r["temp_c"] <= telemetry.TEMP_RANGE[1])
        assert not valid, p


def test_expected_counts_each_reading_once_with_exact_sums():
    when = telemetry.datetime(2026, 1, 1)
    puts = [telemetry.Put("d-1", telemetry.reading_bytes("d-1", s, when, Decimal(t)), k)
            for s, t, k in ((1, "21.1", "reading"), (2, "21.2", "reading"), (2, "21.2", "duplicate"),
                            (4, "-3.5", "reading"), (3, "30.0", "late"))]
    puts.append(telemetry.Put("d-1", b"\xff", "poison"))
    assert telemetry.expected(puts) == {"d-1": {"readings": 4, "total_c": Decimal("68.8"),
                                                "max_c": Decimal("30.0"), "last_seq": 4}}


@pytest.mark.usefixtures("local_aws")
def test_put_keeps_order_per_key_and_stats_read_back_exactly():
    arn = telemetry.create_stream(f"pytest-telemetry-{uuid.uuid4().hex[:6]}", shards=1)
    assert telemetry.create_stream(arn.rsplit("/", 1)[1], shards=1) == arn  # idempotent
    puts = telemetry.generate(seed=4, devices=2, readings=3)
    seqs = telemetry.put(arn, puts)
    assert len(seqs) == len(puts) and seqs == sorted(seqs, key=int)
    table = aws.ensure_table(f"pytest-stats-{uuid.uuid4().hex[:6]}", "device")
    aws.client("dynamodb").put_item(TableName=table, Item={
        "device": {"S": "d"}, "readings": {"N": "2"}, "total_c": {"N": "42.3"}, "max_c": {"N": "21.2"},
        "last_seq": {"N": "2"}, "other": {"S": "ignored"}})
    assert telemetry.stats_of(table, ["d", "absent"]) == {
        "d": {"readings": 2, "total_c": Decimal("42.3"), "max_c": Decimal("21.2"), "last_seq": 2}}
    aws.delete_table(table)


def test_delivery_cases_are_the_same_in_every_process():
    """test-any-delivery's trusted check draws the kernel's cases again in the grading process:
    the draw must not depend on the process (a graded kernel runs with PYTHONHASHSEED=0, the
    grader with a random one)."""
    import os
    import subprocess
    import sys

    code = ("from mastery.weeks.w17_streams_and_lambda import telemetry as t\n"
            "print(repr(t.delivery_cases('abc123')))")
    outs = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout
            for seed in ("0", "1", "random")}
    assert len(outs) == 1
    cases = telemetry.delivery_cases("abc123")
    assert repr(cases) + "\n" in outs and len(cases) == telemetry.DELIVERY_CASES + 1
    assert all(telemetry.DELIVERY_DEVICE.match(p.key)["tag"] == "abc123" for c in cases for p in c.puts)
    assert any(len(b) > 1 for c in cases for b in c.batches), "batches of several records"
    assert any(c.batches.count(b) > 1 for c in cases for b in c.batches), "some batch delivered twice"
