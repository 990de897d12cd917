"""Trusted checks of the week-24 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients. Each hidden test makes its own run with ``trading.make_deps(ns,
run)`` (tables ``run-orders``, ``run-settlements``, bucket ``run-audit``, queue ``run-dlq``) from a
seeded stream; the check draws the same stream again (:data:`RUNS`) and proves the scorecard's
property from the backend: the exchange's fills (written by week 21's exchange, never by the
learner), the settlement ledger's items, the audit objects and the DLQ.
"""

from __future__ import annotations

from mastery.weeks.w24_trading_under_fire import trading

EXERCISE = "m06-trading"  # the exercise's namespace (its setup cell)

# run -> the order_stream arguments of the hidden test that uses it
RUNS = {
    "lost": dict(n=24, seed=2420, prefix="lost", risky=0.15),
    "once": dict(n=14, seed=2430, prefix="once", duplicates=0.5),
    "redrive": dict(n=10, seed=2460, prefix="redrive", duplicates=0.0, risky=0.0),
    "audit": dict(n=10, seed=2440, prefix="audit", duplicates=0.2, risky=0.2),
}


def _names(ctx, run: str) -> dict[str, str]:
    ns = ctx.namespace(EXERCISE)
    return {"orders": ns.name(f"{run}-orders"), "settlements": ns.name(f"{run}-settlements"),
            "bucket": ns.name(f"{run}-audit").lower()[:63], "dlq": ns.name(f"{run}-dlq")}


def _expected(run: str) -> dict[str, bool]:
    """order_id -> whether the risk check lets it through (it must then fill exactly once)."""
    return {o["order_id"]: trading.risk_check(o) is None for o in trading.order_stream(**RUNS[run])}


def _dlq_depth(ctx, name: str) -> int:
    sqs = ctx.client("sqs")
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return 0
    return trading.queue_depth(sqs, url)


def _fills_and_settlements(ctx, run: str, settled: bool) -> None:
    names, ddb = _names(ctx, run), ctx.client("dynamodb")
    fills = {k: len(v) for k, v in trading.orders_by_key(names["orders"], f"{run}-", ddb=ddb).items()}
    stl = trading.settlements_by_key(names["settlements"], f"{run}-", ddb=ddb) if settled else {}
    bad = []
    for oid, passes in _expected(run).items():
        want = 1 if passes else 0
        got = (fills.get(oid, 0), stl.get(oid, 0) if settled else want)
        if got != (want, want):
            bad.append(f"{oid}: {got[0]} fill(s)" + (f", {got[1]} settlement(s)" if settled else "")
                       + f", expected {want}")
    assert not bad, (f"on the backend, {len(bad)} order(s) of the run '{run}' are not executed "
                     f"{'and settled ' if settled else ''}exactly once (or never, if refused): "
                     + "; ".join(bad[:4]))


def no_order_lost(ctx) -> None:
    _fills_and_settlements(ctx, "lost", settled=False)
    left = _dlq_depth(ctx, _names(ctx, "lost")["dlq"])
    assert left == 0, f"on the backend, {left} message(s) are still in the run's DLQ after the redrive"


def exactly_once(ctx) -> None:
    _fills_and_settlements(ctx, "once", settled=True)


def redriven(ctx) -> None:
    _fills_and_settlements(ctx, "redrive", settled=True)
    left = _dlq_depth(ctx, _names(ctx, "redrive")["dlq"])
    assert left == 0, f"on the backend, {left} message(s) are still in the DLQ after the redrive"


def audit_chain(ctx) -> None:
    """The run's audit objects form a chain the week's verifier accepts, and every fill the
    exchange recorded has an execute intent written before the fill (its ``at`` earlier than the
    fill's ``filled_at``: the exchange's latency moves the clock before it fills) and an outcome."""
    names = _names(ctx, "audit")
    records = trading.read_chain(ctx.client("s3"), names["bucket"])
    problems = trading.verify_chain(records)
    assert records and not problems, (f"on the backend, the audit chain ({len(records)} objects) does not "
                                      f"verify: {problems[:3] or 'it is empty'}")
    entries = [r["entry"] for r in records]
    fills = trading.orders_by_key(names["orders"], "audit-", ddb=ctx.client("dynamodb"))
    bad = []
    for oid, fs in fills.items():
        mine = [e for e in entries if isinstance(e, dict) and e.get("order_id") == oid]
        intents = [e for e in mine if e.get("step") == "execute" and e.get("phase") == "intent"
                   and isinstance(e.get("at"), (int, float)) and e["at"] < min(f["filled_at"] for f in fs)]
        outcomes = [e for e in mine if e.get("step") == "execute" and e.get("phase") == "outcome"]
        if not intents or not outcomes:
            missing = "no execute intent written before the fill" if not intents else "no execute outcome"
            bad.append(f"{oid}: {missing}")
    assert fills and not bad, ("on the backend, the audit trail does not explain every fill: "
                               + ("; ".join(bad[:4]) or "no fills at all"))


TRUSTED = {"test-no-order-lost": no_order_lost, "test-exactly-once": exactly_once,
           "test-redrive": redriven, "test-audit": audit_chain}
