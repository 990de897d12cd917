"""Trusted checks of the week-18 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients; the expected windows and late readings come from the seeded
streams the hidden tests replay (:data:`windows.GRADED`), recomputed here by
:func:`windows.expected`, so nothing the learner's kernel prints, rebinds or writes into a
notebook variable can change them. Every window of the test's devices is read, so an extra
(fake or misplaced) window fails as a missing one does.
"""

from __future__ import annotations

from decimal import Decimal

from mastery.grading import integrity
from mastery.weeks.w18_windows_and_exactly_once import windows

EXERCISE = "m05-windows-and-exactly-once"  # the exercise's namespace (its setup cell)


def _tables(ctx):
    ns = ctx.namespace(EXERCISE)
    return ctx.client("dynamodb"), ns.name("windows"), ns.name("late")


def _match(ctx, prefix: str, want: dict, want_late: set[str]) -> None:
    ddb, table, late_table = _tables(ctx)
    keys = windows.items_with_prefix(table, "window", prefix, ddb=ddb) | set(want)
    got = windows.windows_of(table, keys, ddb=ddb)
    bad = [k for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)]
    assert not bad, ("on the backend, WINDOWS differs from the stream's readings: "
                     + "; ".join(f"{k}: {got.get(k)} (expected {want.get(k)})" for k in bad[:3]))
    got_late = windows.items_with_prefix(late_table, "reading", prefix, ddb=ddb)
    assert got_late == want_late, (f"on the backend, LATE holds {len(got_late)} readings of this stream, "
                                   f"not its {len(want_late)} late ones")


def _graded(prefix: str):
    return lambda ctx: _match(ctx, prefix, *windows.expected(windows.graded(prefix)))


def crashes(ctx) -> None:
    for n in range(1, 9):
        _graded(f"crash{n}")(ctx)


def _w(n: int, total: str, top: str) -> dict:
    return {"readings": n, "total_c": Decimal(total), "max_c": Decimal(top)}


EDGE = {"edge-001#2026-11-02T08:00:00Z": _w(2, "21.0", "11.0"),
        "edge-001#2026-11-02T08:01:00Z": _w(2, "26.0", "14.0"),
        "edge-001#2026-11-02T08:03:00Z": _w(1, "13.0", "13.0"),
        "edge-002#2026-11-02T08:00:00Z": _w(1, "21.0", "21.0"),
        "edge-002#2026-11-02T08:02:00Z": _w(1, "20.0", "20.0")}


def _delivery_tags(ctx) -> set[str]:
    ddb, table, _ = _tables(ctx)
    return {m["tag"] for it in integrity.scan_items(ddb, table)
            if (m := windows.DELIVERY_DEVICE.match(it.get("window", {}).get("S", "")))}


def any_delivery(ctx, before: set[str] | None) -> None:
    """test-any-delivery drew its cases under a fresh tag; the grader draws the same cases
    (:func:`windows.delivery_cases`) and reads every case's windows and late readings."""
    new = _delivery_tags(ctx) - (before or set())
    assert len(new) == 1, (f"on the backend, WINDOWS holds {len(new)} new runs of the delivery cases, "
                           "not the one the test made")
    for case in windows.delivery_cases(new.pop()):
        _match(ctx, case.prefix, *windows.expected(case.puts))


any_delivery.before = _delivery_tags


TRUSTED = {
    "test-any-delivery": any_delivery,
    "test-full-stream": _graded("full"),
    "test-replay": _graded("replay"),
    "test-producer-duplicates": _graded("dup"),
    "test-batch-retry": _graded("retry"),
    "test-order-independence": _graded("order"),
    "test-crash": crashes,
    "test-boundaries": lambda ctx: _match(ctx, "edge", EDGE, {"edge-001#5"}),
}
