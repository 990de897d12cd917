"""Trusted checks of the week-1 exercise (event sourcing and CQRS; see :mod:`mastery.grading.integrity`).

The grading process runs each one around its test cell, against the learner's emulator, with its
own client: ``before`` lists the aggregates (or read-model rows) already there, the check reads
what the cell added (the tests name their items with random SKUs, which only the kernel knows)
and compares it with the outcome the spec fixes, computed here. What the learner's kernel
rebinds, patches or prints cannot change them; rows the learner's code wrote to the tables
itself must still be the ones the spec asks for.

Kernel-side only (they check a function's return value, not state): test-load, test-snapshot,
test-load-pages (what ``load`` returns and sends), test-projection-order (its event streams are
drawn by Hypothesis inside the kernel; the read-model rows it writes are not known outside).
"""

from __future__ import annotations

import json

from mastery.grading import integrity
from mastery.weeks.w01_event_sourcing_cqrs import eventstore

EXERCISE = "m01-es"  # the exercise's namespace (its setup cell)


# ------------------------------------------------------------------ reading the backend


def _scan(ctx, table: str) -> list[dict]:
    return integrity.scan_items(ctx.client("dynamodb"), table)


def _streams(ctx) -> dict[str, list[tuple[int, str, dict]]]:
    """aggregateId -> [(version, type, data)] in version order, from the event store."""
    out: dict[str, list] = {}
    for it in _scan(ctx, ctx.namespace(EXERCISE).name("events")):
        data = it.get("data", {}).get("S")
        out.setdefault(it["aggregateId"]["S"], []).append(
            (int(it["version"]["N"]), it.get("type", {}).get("S"), json.loads(data) if data else {}))
    return {k: sorted(v, key=lambda e: e[0]) for k, v in out.items()}


def _rows(ctx) -> dict[str, dict]:
    """sku -> the read model's row (sku, name, onHand, version) as plain values."""
    out = {}
    for it in _scan(ctx, ctx.namespace(EXERCISE).name("stock-view")):
        row = {"sku": it["sku"]["S"], "name": it.get("name", {}).get("S"), "onHand": None, "version": None}
        for k in ("onHand", "version"):
            if "N" in it.get(k, {}):
                n = float(it[k]["N"])
                row[k] = int(n) if n == int(n) else n
        out[row["sku"]] = row
    return out


def _new_streams(ctx, before) -> dict[str, list]:
    return {k: v for k, v in _streams(ctx).items() if k not in (before or set())}


def _aggregates(ctx) -> set[str]:
    return set(_streams(ctx))


def _row_skus(ctx) -> set[str]:
    return set(_rows(ctx))


def _before(snapshot):
    def wrap(check):
        check.before = snapshot
        return check
    return wrap


# ------------------------------------------------------------------ the spec's fold


def fold(stream) -> dict | None:
    """The item's state after its events (the setup cell's ``evolve``, restated)."""
    state = None
    for _, kind, data in stream:
        if kind == "ItemRegistered":
            state = {"name": data["name"], "onHand": 0}
        elif kind == "StockReceived":
            state["onHand"] += data["quantity"]
        elif kind == "StockShipped":
            state["onHand"] -= data["quantity"]
    return state


def _shape(stream) -> list:
    return [(t, d.get("quantity") if t != "ItemRegistered" else d.get("name")) for _, t, d in stream]


def _contiguous(sku, stream) -> None:
    versions = [v for v, _, _ in stream]
    assert versions == list(range(1, len(stream) + 1)), (
        f"the stream of {sku} on the backend has versions {versions}, not 1..{len(stream)} without gaps")


def _one_new(ctx, before, want: list, what: str) -> None:
    new = _new_streams(ctx, before)
    got = sorted(_shape(s) for s in new.values())
    assert got == [want], f"{what}: the event store on the backend gained {got}, not [{want}]"
    for sku, s in new.items():
        _contiguous(sku, s)


# ------------------------------------------------------------------ the checks


@_before(_aggregates)
def store_append(ctx, before) -> None:
    """test-append: one new stream, registered, received 5, shipped 1, versions 1..3."""
    _one_new(ctx, before, [("ItemRegistered", "lamp"), ("StockReceived", 5), ("StockShipped", 1)],
             "append with a conflicting writer")


@_before(_aggregates)
def store_rejected(ctx, before) -> None:
    """test-rejected-commands: only the valid commands reached the store."""
    _one_new(ctx, before, [("ItemRegistered", "lamp"), ("StockReceived", 3), ("StockShipped", 3)],
             "seven invalid commands between valid ones")


@_before(_aggregates)
def store_race(ctx, before) -> None:
    """test-race: B's event only in the first stream; exactly one of 8 racers in the second."""
    new = _new_streams(ctx, before)
    shapes = sorted(_shape(s) for s in new.values())
    assert len(shapes) == 2 and all(len(s) == 2 and s[0] == ("ItemRegistered", "lamp")
                                    and s[1][0] == "StockReceived" for s in shapes), (
        f"two races should leave two streams of 2 events each on the backend; they hold {shapes}")
    quantities = sorted(s[1][1] for s in shapes)
    assert 1 in quantities and 100 not in quantities, (
        f"the overwritten writer's event (quantity 100) is on the backend, or B's is missing: {shapes}")
    for sku, s in new.items():
        _contiguous(sku, s)


@_before(_aggregates)
def store_failures(ctx, before) -> None:
    """test-append-failures: a failed append leaves no event; a split append never half-lands."""
    new = _new_streams(ctx, before)
    reg = ("ItemRegistered", "lamp")
    allowed = [[reg], [reg, ("StockReceived", 5)],
               [reg, *[("StockReceived", q) for q in range(1, 6)]],
               [reg, *[("StockReceived", q) for q in range(1, 31)]]]
    shapes = [_shape(s) for s in new.values()]
    assert len(shapes) == 6, f"the test appends to 6 new streams; the backend gained {len(shapes)}"
    bad = [s for s in shapes if s not in allowed]
    assert not bad, (f"streams on the backend hold events of failed or partial appends: "
                     f"{[s[:4] + ['...'] if len(s) > 4 else s for s in bad]}")
    assert sum(s == [reg] for s in shapes) >= 2, (
        "appends whose every write failed left events on the backend")
    for sku, s in new.items():
        _contiguous(sku, s)


@_before(_aggregates)
def store_stale(ctx, before) -> None:
    """test-stale-decision: two clerks shipped 6 of 10; the store keeps one shipment, 4 on hand."""
    _one_new(ctx, before, [("ItemRegistered", "lamp"), ("StockReceived", 10), ("StockShipped", 6)],
             "two clerks shipping 6 of 10")


@_before(_aggregates)
def store_publish(ctx, before) -> None:
    """test-publish-after-append: the shipment whose every write was throttled (4) is not stored,
    and the other clerk's (5) is. (What the stale shipment of 6 does next is test-stale-decision's
    to judge; this test only checks what was published against what was stored.)"""
    new = _new_streams(ctx, before)
    shapes = [_shape(s) for s in new.values()]
    assert len(shapes) == 1, f"the test registers one item; the event store on the backend gained {shapes}"
    got = shapes[0]
    assert got[:3] == [("ItemRegistered", "lamp"), ("StockReceived", 10), ("StockShipped", 5)] and (
        ("StockShipped", 4) not in got), (
        f"a throttled shipment of 4, then another clerk's 5: the event store on the backend holds {got}")
    for sku, s in new.items():
        _contiguous(sku, s)


@_before(_aggregates)
def store_rules(ctx, before) -> None:
    """test-command-rules: every stream the cell made obeys the spec's rules: a named registration
    first, positive whole quantities, never more shipped than on hand."""
    new = _new_streams(ctx, before)
    assert len(new) >= 2, f"the test registers at least 2 valid items; the backend gained {len(new)}"
    for sku, s in new.items():
        _contiguous(sku, s)
        kinds = [t for _, t, _ in s]
        named = s[0][2].get("name")
        assert kinds[0] == "ItemRegistered" and kinds.count("ItemRegistered") == 1 and named, (
            f"{sku} on the backend does not start with one named registration: {_shape(s)}")
        on_hand = 0
        for _, kind, data in s[1:]:
            q = data.get("quantity")
            assert kind in ("StockReceived", "StockShipped") and type(q) is int and q > 0, (
                f"{sku} on the backend holds an invalid event: {kind} {q!r}")
            on_hand += q if kind == "StockReceived" else -q
            assert on_hand >= 0, f"{sku} on the backend ships more than it has on hand: {_shape(s)}"


@_before(_aggregates)
def projected(ctx, before) -> None:
    """test-projection and test-duplicates: for every item the cell made, the read model's row is
    the replay of its stream (name, stock, version), once."""
    new = _new_streams(ctx, before)
    assert new, "the cell's commands left no stream on the backend"
    rows = _rows(ctx)
    for sku, s in new.items():
        _contiguous(sku, s)
        want = {"sku": sku, **fold(s), "version": len(s)}
        assert rows.get(sku) == want, (
            f"the read model on the backend shows {rows.get(sku)} for {sku}; its events replay to {want}")


def _want_rows(want: list[tuple[str, int, int]], what: str):
    """A check that the cell added read-model rows (name, onHand, version) exactly ``want``."""
    @_before(_row_skus)
    def check(ctx, before) -> None:
        rows = [r for k, r in _rows(ctx).items() if k not in (before or set())]
        got = sorted((r["name"], r["onHand"], r["version"]) for r in rows)
        assert got == sorted(want), f"{what}: the read model on the backend gained {got}, not {sorted(want)}"
    return check


projection_instances = _want_rows([("lamp", 16, 4), ("lamp", 12, 3)],
                                  "another instance applied version 3 (5+7+4 at 4, then 5+7 at 3)")
projection_failures = _want_rows([("lamp", 9, 4)], "a throttled write in a batch of 4 (2+3+4 at version 4)")


def _order_tags(ctx) -> set[str]:
    return {m["tag"] for sku in _rows(ctx) if (m := eventstore.PROJECTION_SKU.match(sku))}


@_before(_order_tags)
def projection_order(ctx, before) -> None:
    """test-projection-order: the cell drew its cases under a fresh tag; the grader draws the
    same cases (:func:`eventstore.projection_cases`) and reads each item's row, which must be the
    replay of its events, whatever order and batches they came in."""
    rows = _rows(ctx)
    tags = {m["tag"] for sku in rows if (m := eventstore.PROJECTION_SKU.match(sku))} - (before or set())
    assert len(tags) == 1, (f"the read model on the backend holds {len(tags)} new runs of the delivery "
                            "cases, not the one the test made")
    for case in eventstore.projection_cases(tags.pop()):
        stream = [(e["version"], e["type"], e["data"]) for e in case.events]
        want = {"sku": case.sku, **fold(stream), "version": len(stream)}
        assert rows.get(case.sku) == want, (f"the read model on the backend shows {rows.get(case.sku)} for "
                                            f"{case.sku}; its events replay to {want}")


TRUSTED = {
    "test-projection-order": projection_order,
    "test-append": store_append,
    "test-rejected-commands": store_rejected,
    "test-race": store_race,
    "test-append-failures": store_failures,
    "test-stale-decision": store_stale,
    "test-publish-after-append": store_publish,
    "test-command-rules": store_rules,
    "test-projection": projected,
    "test-duplicates": projected,
    "test-projection-instances": projection_instances,
    "test-projection-failures": projection_failures,
}
