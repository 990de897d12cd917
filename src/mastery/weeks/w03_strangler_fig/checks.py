"""Trusted checks of the week-3 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its test cell, against the learner's emulator,
with its own clients: the two services' tables and the ``ModernFallback`` metric, read back
here, never through the learner's kernel. Expected values come from the order file itself
(a record's columns after the id are the golden record's), not from a translator: this module
is importable by the kernel and must not hold the answer.

The hidden tests make orders with ids by cell: ``ORD9…`` (test-serves-both-ways, a legacy POST
of order 5), ``ORD8…`` (test-fallback-counted, a POST of order 8 during the outage), ``ORD7…``
(a contract-breaking POST on a modern route), ``ORD6…`` (a POST of order 4 on a modern route),
``ORD5…`` (an order too long for the record, on a legacy route). The order file's own ids are
``ORD0…``.

Fallbacks are counted as differences between the metric after one cell and after the cell
before it (the checks run in that order in one grading process), so cells the learner added or
ran before change nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from mastery.weeks.w03_strangler_fig import strangler

EXERCISE = "m01-strangle"  # the exercise's namespace (its setup cell)
GET, POST = "GET /orders/{orderId}", "POST /orders"

# (notebook, learner) -> {route: (sum, samples, samples with unit Count)} after the last check
_SEEN: dict[tuple, dict[str, tuple[float, int, int]]] = {}


def _scan(ddb, table: str) -> dict[str, str]:
    items, kwargs = {}, {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        for i in page["Items"]:
            items[i["orderId"]["S"]] = i.get("body", {}).get("S")
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _tables(ctx) -> tuple[dict[str, str], dict[str, str]]:
    """(legacy, modern): orderId -> stored body, for the orders the notebook created (not the file's)."""
    ns = ctx.namespace(EXERCISE)
    ddb = ctx.client("dynamodb")
    seeded = {r[:10].rstrip() for r in strangler.records()}
    legacy = _scan(ddb, ns.name("legacy-orders"))
    modern = _scan(ddb, ns.name("modern-orders"))
    return ({k: v for k, v in legacy.items() if k not in seeded},
            {k: v for k, v in modern.items() if k not in seeded})


def _made(stored: dict[str, str], prefix: str) -> dict[str, str]:
    return {k: v for k, v in stored.items() if k.startswith(prefix) and len(k) == 10}


def _record_of(golden_index: int, order_id: str) -> str:
    """The golden record ``golden_index`` with another order id: what the mainframe must hold."""
    return order_id.ljust(10) + strangler.records()[golden_index][10:]


def _order_of(golden_index: int, order_id: str) -> dict:
    return dict(strangler.golden_orders()[golden_index], orderId=order_id)


def _fallbacks(ctx) -> dict[str, tuple[float, int, int]]:
    ns = ctx.namespace(EXERCISE)
    cw = ctx.client("cloudwatch")
    now = dt.datetime.now(dt.UTC)
    out = {}
    for route in (GET, POST):
        common = dict(Namespace=f"Mastery/{ns.prefix}", MetricName=strangler.FALLBACK_METRIC,
                      Dimensions=[{"Name": "Route", "Value": route}], StartTime=now - dt.timedelta(hours=6),
                      EndTime=now + dt.timedelta(minutes=5), Period=60)
        points = cw.get_metric_statistics(Statistics=["Sum", "SampleCount"], **common)["Datapoints"]
        counted = cw.get_metric_statistics(Statistics=["SampleCount"], Unit="Count", **common)["Datapoints"]
        out[route] = (float(sum(p["Sum"] for p in points)), int(sum(p["SampleCount"] for p in points)),
                      int(sum(p["SampleCount"] for p in counted)))
    return out


def _added(ctx) -> dict[str, tuple[float, int, int]]:
    """What the last cell added to the fallback metric, per route (and remember where it stands)."""
    key = (ctx.notebook, ctx.learner)
    now = _fallbacks(ctx)
    before = _SEEN.get(key)
    _SEEN[key] = now
    if before is None:
        raise AssertionError("the fallback metric was not read after the visible router test, so what this "
                             "cell added cannot be told (run the notebook from the top)")
    return {r: tuple(a - b for a, b in zip(now[r], before[r], strict=True)) for r in now}


def serves_both_ways(ctx) -> None:
    """test-serves-both-ways: the legacy POST of order 5 is on the mainframe as its record, only there.
    Also notes where the fallback metric stands, for the next cells' checks."""
    _SEEN[(ctx.notebook, ctx.learner)] = _fallbacks(ctx)
    legacy, modern = _tables(ctx)
    made = _made(legacy, "ORD9")
    assert made, "the legacy table on the backend holds no order created by the POST on a legacy route"
    for oid, body in made.items():
        assert body == _record_of(5, oid), f"the legacy table holds {body!r} for {oid}, not its record"
    assert not _made(modern, "ORD9"), "an order POSTed on a legacy route is in the backend's modern table"


def fallback_counted(ctx) -> None:
    """test-fallback-counted: 6 GET (5 down, 1 throttled) and 1 POST fallbacks, one data point of
    1 Count each; the order taken during the outage is on the mainframe as its record, not on modern."""
    added = _added(ctx)
    for route, n in ((GET, 6), (POST, 1)):
        total, samples, counted = added[route]
        assert (total, samples) == (n, n), (
            f"the backend's {strangler.FALLBACK_METRIC} metric (Route={route}) went up by {total:g} in "
            f"{samples} data point(s) during this test, not {n} in {n}")
        assert counted == n, f"{n - counted} fallback data point(s) for {route} lack the unit Count"
    legacy, modern = _tables(ctx)
    made = _made(legacy, "ORD8")
    assert made, "the legacy table on the backend holds no order taken during the outage"
    for oid, body in made.items():
        assert body == _record_of(8, oid), f"the legacy table holds {body!r} for {oid}, not its record"
    assert not _made(modern, "ORD8"), "the modern table on the backend holds an order taken while it was down"


def answers_not_fallbacks(ctx) -> None:
    """test-answers-are-not-fallbacks: a 404 and a 400 count nothing; the refused order is stored nowhere."""
    added = _added(ctx)
    assert all(v == (0, 0, 0) for v in added.values()), (
        f"a 404 and a 400 added {added} to the backend's fallback metric")
    legacy, modern = _tables(ctx)
    assert not _made(legacy, "ORD7") and not _made(modern, "ORD7"), (
        "an order that breaks the contract was stored on the backend")


def writes_chosen_side(ctx) -> None:
    """test-writes-chosen-side: the POST on a modern route is in the modern table only, as sent; the
    order too long for the record is nowhere; nothing was counted."""
    added = _added(ctx)
    assert all(v == (0, 0, 0) for v in added.values()), (
        f"requests without an outage added {added} to the backend's fallback metric")
    legacy, modern = _tables(ctx)
    made = _made(modern, "ORD6")
    assert made, "the modern table on the backend holds no order created by the POST on a modern route"
    for oid, body in made.items():
        assert body is not None and json.loads(body) == _order_of(4, oid), (
            f"the modern table holds {body!r} for {oid}, not the order as sent")
    assert not _made(legacy, "ORD6"), "a modern route's POST is in the legacy table too (dual write)"
    assert not _made(legacy, "ORD5") and not _made(modern, "ORD5"), (
        "an order the record cannot hold was stored on the backend")


TRUSTED = {
    "test-serves-both-ways": serves_both_ways,
    "test-fallback-counted": fallback_counted,
    "test-answers-are-not-fallbacks": answers_not_fallbacks,
    "test-writes-chosen-side": writes_chosen_side,
}
