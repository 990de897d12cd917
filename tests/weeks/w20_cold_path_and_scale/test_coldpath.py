"""The plumbing of week 20: the Firehose-shaped feeds, what the lake must hold, the hot path and
the 1 TB/day arithmetic."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from mastery import facts
from mastery.weeks.w20_cold_path_and_scale import coldpath


def test_feeds_are_seeded_and_keyed_as_firehose_keys_objects():
    assert coldpath.graded("main") == coldpath.graded("main")
    for o in coldpath.graded("main"):
        m = re.fullmatch(r"main/raw/(\d{4})/(\d{2})/(\d{2})/(\d{2})/"
                         r"telemetry-fh-1-(\d{4}-\d{2}-\d{2}-\d{2})-\d{2}-\d{2}-\w+", o.key)
        assert m, o.key
        assert "-".join(m.group(1, 2, 3, 4)) == m.group(5), "the prefix hour is the delivery hour"
        assert o.body.endswith(b"\n") and o.body.count(b"\n") == len(o.lines)


def test_main_feed_has_every_kind_of_line_and_crosses_midnight():
    objects = coldpath.graded("main")
    kinds = Counter(line.kind for o in objects for line in o.lines)
    assert {"reading", "duplicate", "late", "poison"} <= set(kinds)
    days = {d for _, d in coldpath.expected_daily(objects)}
    assert days == {"2026-11-02", "2026-11-03"}
    # some reading of the 2nd is delivered in an object of the 3rd: arrival and event time disagree
    assert any(o.arrival.day == 3 and any(line.kind != "poison" and b"2026-11-02T" in line.data
                                          for line in o.lines) for o in objects)


def test_the_first_delivered_copy_wins():
    objects = coldpath.graded("main")
    resample = objects[-1]
    assert resample.key.endswith("0resample")
    line = resample.lines[0]
    import json

    r = json.loads(line.data, parse_float=Decimal)
    ts, temp = coldpath.expected_rows(objects)[(r["device"], r["seq"])]
    assert temp != r["temp_c"], "the re-sampled copy arrives last and loses"


def test_errors_are_the_poison_lines_by_key_and_line_number():
    objects = coldpath.graded("main")
    errors = coldpath.expected_errors(objects)
    assert len(errors) == sum(line.kind == "poison" for o in objects for line in o.lines) > 0
    keys = {o.key: o for o in objects}
    for key, n in errors:
        assert keys[key].lines[n - 1].kind == "poison"


def test_edge_cases_state_their_utc_day():
    for _, _, ts, _, day in coldpath.EDGE:
        assert coldpath.day(coldpath.parse_ts(ts)) == day, ts
    assert coldpath.day(datetime(2026, 11, 3, tzinfo=UTC)) == "2026-11-03"


def test_midnight_draws_are_seeded_and_near_midnight():
    a, b = coldpath.midnight_lines(), coldpath.midnight_lines()
    assert a == b and len(a) == coldpath.MIDNIGHT_CASES + 4   # four explicit examples first
    midnight = datetime(2026, 11, 3, tzinfo=UTC)
    for _, _, ts, _ in a:
        assert abs((coldpath.parse_ts(ts) - midnight).total_seconds()) <= 2
    assert {coldpath.day(coldpath.parse_ts(ts)) for _, _, ts, _ in a} == {"2026-11-02", "2026-11-03"}


def test_late_arrival_belongs_to_an_earlier_day_than_its_delivery():
    extra = coldpath.late_arrival()
    assert extra.arrival.day == 3
    rows = coldpath.expected_rows([*coldpath.graded("late"), extra])
    assert coldpath.day(rows[("dev-009", 1)][0]) == "2026-11-02"


def test_sizing_of_one_terabyte_a_day():
    s = coldpath.sizing(10**12, 1_000)
    assert round(s.mb_per_s, 2) == 11.57 and round(s.records_per_s) == 11_574
    assert s.shards_for_bytes == s.shards_for_records == s.shards == 24
    hours = 730
    payload = 11_574.074074 * 86_400 * 30 / 1e6 * facts.value("kinesis_put_payload_unit_per_million_usd")
    assert s.provisioned_usd_month == pytest.approx(24 * hours * 0.015 + payload, abs=0.01)
    assert s.ondemand_usd_month > s.provisioned_usd_month
    assert s.athena_full_scan_usd == 0.5
    small = coldpath.sizing(10**12, 100)
    assert small.shards_for_records > small.shards_for_bytes, "small records hit the records limit first"
    packed = coldpath.sizing(10**12, 5_000)
    assert packed.firehose_usd_month == pytest.approx(s.firehose_usd_month / 5, rel=0.01)


def test_athena_bills_at_least_ten_megabytes():
    assert coldpath.athena_cost_usd(1) == coldpath.athena_cost_usd(10 * 10**6) == pytest.approx(0.00005)
    assert coldpath.athena_cost_usd(10**12) == 5.0


def test_parquet_bytes_keep_the_schema_and_exact_decimals(tmp_path):
    import pyarrow.parquet as pq

    t = datetime(2026, 11, 2, 23, 59, 59, 999000, tzinfo=UTC)
    data = coldpath.parquet_bytes([{"device": "d", "seq": 1, "ts": t, "temp_c": Decimal("21.3")}])
    (tmp_path / "f.parquet").write_bytes(data)
    table = pq.read_table(tmp_path / "f.parquet")
    assert table.schema.remove_metadata().equals(coldpath.schema())
    assert table.to_pylist()[0]["temp_c"] == Decimal("21.3") and table.to_pylist()[0]["ts"] == t
    assert set(coldpath.column_bytes(tmp_path / "f.parquet")) == {"device", "seq", "ts", "temp_c"}


@pytest.mark.usefixtures("local_aws")
def test_the_hot_path_counts_each_reading_once_per_utc_day():
    import uuid

    from mastery import aws

    objects = coldpath.graded("main")
    run = uuid.uuid4().hex[:6]
    daily = aws.ensure_table(f"w20-test-daily-{run}", "key")
    seen = aws.ensure_table(f"w20-test-seen-{run}", "reading")
    try:
        got = coldpath.hot_path(objects, daily, seen, name=f"w20-test-{run}")
        assert got == coldpath.expected_daily(objects)
    finally:
        aws.delete_table(daily)
        aws.delete_table(seen)
