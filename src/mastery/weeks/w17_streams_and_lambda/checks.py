"""Trusted checks of the week-17 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients; the expected aggregates come from the seeded streams the hidden
tests replay (:data:`telemetry.GRADED`), recomputed here from the records' tags, so nothing the
learner's kernel prints, rebinds or writes into a notebook variable can change them.
"""

from __future__ import annotations

from decimal import Decimal

from boto3.dynamodb.types import TypeDeserializer

from mastery.grading import integrity
from mastery.weeks.w17_streams_and_lambda import telemetry

EXERCISE = "m05-streams"  # the exercise's namespace (its setup cell)
_de = TypeDeserializer()


def _tables(ctx):
    ns = ctx.namespace(EXERCISE)
    return ctx.client("dynamodb"), ns.name("device-stats"), ns.name("quarantine")


def _quarantined(ddb, table, prefix) -> list[bytes]:
    out, kw = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kw)
        out += [bytes(_de.deserialize(i["data"])) if "data" in i else b"" for i in page["Items"]
                if i.get("partitionKey", {}).get("S", "").startswith(prefix + "-")]
        if "LastEvaluatedKey" not in page:
            return sorted(out)
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _aggregates_match(ctx, prefix: str, quarantine: bool) -> None:
    ddb, stats, quarantine_table = _tables(ctx)
    puts = telemetry.graded(prefix)
    want = telemetry.expected(puts)
    got = telemetry.stats_of(stats, ddb=ddb, devices=want)
    bad = {d: (got.get(d), w) for d, w in want.items() if got.get(d) != w}
    assert not bad, ("on the backend, device-stats differs from the stream's readings: "
                     + "; ".join(f"{d}: {g} (expected {w})" for d, (g, w) in list(bad.items())[:3]))
    if quarantine:
        want_q = sorted(p.data for p in puts if p.kind == "poison")
        got_q = _quarantined(ddb, quarantine_table, prefix)
        assert got_q == want_q, (f"on the backend, quarantine holds {len(got_q)} records of this stream, "
                                 f"not its {len(want_q)} poison records (once each, with their bytes)")


def crashes(ctx) -> None:
    for n in range(1, 7):
        _aggregates_match(ctx, f"crash{n}", quarantine=False)


def boundaries(ctx) -> None:
    ddb, stats, quarantine_table = _tables(ctx)
    got = telemetry.stats_of(stats, ddb=ddb, devices=["edge-001"]).get("edge-001")
    want = {"readings": 3, "total_c": Decimal("250"), "max_c": Decimal("150"), "last_seq": 3}
    assert got == want, f"on the backend, edge-001's aggregates are {got}, not {want}"
    assert len(_quarantined(ddb, quarantine_table, "edge")) == 9, (
        "on the backend, quarantine does not hold exactly the 9 invalid edge records")


def _delivery_tags(ctx) -> set[str]:
    """The run tags of test-any-delivery's devices in device-stats."""
    ddb, stats, _ = _tables(ctx)
    return {m["tag"] for i in integrity.scan_items(ddb, stats)
            if (m := telemetry.DELIVERY_DEVICE.match(i.get("device", {}).get("S", "")))}


def any_delivery(ctx, before: set[str] | None) -> None:
    """The cell drew its cases with a fresh tag; the grader draws the same cases
    (:func:`telemetry.delivery_cases` is derandomized) and reads every case's devices."""
    ddb, stats, _ = _tables(ctx)
    new = _delivery_tags(ctx) - (before or set())
    assert len(new) == 1, (f"on the backend, device-stats holds {len(new)} new runs of the delivery cases, "
                           "not the one the test made")
    (tag,) = new
    for n, case in enumerate(telemetry.delivery_cases(tag)):
        want = telemetry.expected(case.puts)
        got = telemetry.stats_of(stats, ddb=ddb, devices=want)
        assert got == want, (f"on the backend, case {n}'s devices hold {got}, not the aggregates of "
                             f"their readings {want}")


any_delivery.before = _delivery_tags


TRUSTED = {
    "test-any-delivery": any_delivery,
    "test-full-stream": lambda ctx: _aggregates_match(ctx, "full", quarantine=True),
    "test-replay": lambda ctx: _aggregates_match(ctx, "replay", quarantine=True),
    "test-producer-duplicates": lambda ctx: _aggregates_match(ctx, "dup", quarantine=False),
    "test-throttled": lambda ctx: _aggregates_match(ctx, "thr", quarantine=False),
    "test-crash": crashes,
    "test-boundaries": boundaries,
}
