"""The plumbing of week 24: the hash-chained audit trail and its verifier, the order stream and
fault schedules, the settlement ledger, the exchange's fault script (week 21's exchange, extended),
and the trusted checks reading the backend themselves."""

from __future__ import annotations

import json
import uuid

import pytest

from mastery import aws
from mastery.grading import integrity
from mastery.weeks.w24_trading_under_fire import checks, trading


def _chain(n: int) -> list[dict]:
    out, prev = [], trading.GENESIS
    for i in range(n):
        entry = {"order_id": f"o-{i}", "step": "execute", "phase": "intent", "at": float(i)}
        h = trading.link_hash(prev, entry)
        out.append({"seq": i, "prev": prev, "hash": h, "entry": entry})
        prev = h
    return out


def test_link_hash_is_sha256_over_prev_and_canonical_json():
    import hashlib

    entry = {"b": 1, "a": "é"}
    assert trading.canonical(entry) == '{"a":"é","b":1}'
    assert trading.link_hash(trading.GENESIS, entry) == hashlib.sha256(
        (trading.GENESIS + '{"a":"é","b":1}').encode()).hexdigest()
    assert trading.link_hash("x", {"a": "é", "b": 1}) == trading.link_hash("x", {"b": 1, "a": "é"})


def test_verifier_finds_every_kind_of_tampering():
    good = _chain(6)
    assert trading.verify_chain(good) == []
    assert trading.verify_chain(good, anchor=good[-1]["hash"]) == []
    edited = json.loads(json.dumps(good))
    edited[2]["entry"]["order_id"] = "o-x"
    assert any("record 2: hash" in p for p in trading.verify_chain(edited))
    deleted = good[:3] + good[4:]
    assert any("sequence" in p or "prev" in p for p in trading.verify_chain(deleted))
    rehashed = json.loads(json.dumps(good))        # an edit with its own hash recomputed
    rehashed[3]["entry"]["order_id"] = "o-y"
    rehashed[3]["hash"] = trading.link_hash(rehashed[3]["prev"], rehashed[3]["entry"])
    assert any("record 4: prev" in p for p in trading.verify_chain(rehashed))
    cut = good[:-1]                                # the tail cut off: only the anchor sees it
    assert trading.verify_chain(cut) == []
    assert trading.verify_chain(cut, anchor=good[-1]["hash"])


def test_stream_and_faults_are_seeded():
    a, b = trading.order_stream(30, seed=5, prefix="t"), trading.order_stream(30, seed=5, prefix="t")
    assert a == b and len({o["order_id"] for o in a}) == 30 and len(a) > 30   # duplicates delivered
    assert any(trading.risk_check(o) for o in a) and any(trading.risk_check(o) is None for o in a)
    f = trading.exchange_faults(1000, 0.2, seed=1)
    assert f == trading.exchange_faults(1000, 0.2, seed=1)
    assert 150 < sum(x != "ok" for x in f) < 250
    outage = trading.exchange_faults(50, 0.0, seed=1, outage=(10, 20))
    assert set(outage[10:20]) <= {"throttle", "fail", "down"} and set(outage[:10]) == {"ok"}
    assert trading.risk_check({"symbol": "ACME", "side": "BUY", "qty": trading.RISK_MAX_QTY}) is None
    assert "over" in trading.risk_check({"symbol": "ACME", "side": "BUY", "qty": trading.RISK_MAX_QTY + 1})


def test_retryable_errors_and_shed_load():
    from mastery.weeks.w21_failure_is_normal.retries import server_error, throttle, validation_error

    assert trading.is_retryable(throttle()) and trading.is_retryable(server_error())
    assert trading.is_retryable(trading.ExchangeDown("x")) and trading.is_retryable(TimeoutError())
    assert not trading.is_retryable(validation_error()) and not trading.is_retryable(ValueError())
    e = trading.Overloaded(retry_after=2.0)
    assert e.retryable and e.retry_after == 2.0


@pytest.mark.usefixtures("local_aws")
def test_exchange_script_audit_log_and_ledger_on_the_emulator():
    ns = aws.namespace("t24-plumbing", f"t-{uuid.uuid4().hex[:6]}")
    deps = trading.make_deps(ns, "p")
    deps.exchange.script = ["throttle", "fail", "down", "ok"]
    order = {"order_id": "p-1", "account": "a", "symbol": "ACME", "side": "BUY", "qty": 2}
    for kind in ("ThrottlingException", "ServiceUnavailable", "ExchangeDown"):
        with pytest.raises(Exception) as raised:
            deps.exchange.execute("p-1", order)
        assert kind in (getattr(raised.value, "response", {}).get("Error", {}).get("Code", "")
                        or type(raised.value).__name__)
    t0 = deps.clock.now()
    fill = deps.exchange.execute("p-1", order)
    assert deps.clock.now() > t0 and fill["filled_at"] == deps.clock.now()
    assert {k: len(v) for k, v in trading.orders_by_key(deps.orders, "p-").items()} == {"p-1": 1}

    deps.ledger.fail_after = 1
    with pytest.raises(TimeoutError):
        deps.ledger.settle("p-1", fill, idempotency_key="p-1")
    deps.ledger.settle("p-1", fill, idempotency_key="p-1")
    assert trading.settlements_by_key(deps.settlements, "p-") == {"p-1": 1}
    deps.ledger.settle("p-1", fill)
    deps.ledger.settle("p-1", fill)
    assert trading.settlements_by_key(deps.settlements, "p-") == {"p-1": 3}

    other = trading.AuditLog(deps.bucket, "audit/")       # a second writer with its own head
    deps.audit.append({"order_id": "p-1", "n": 1})
    other.append({"order_id": "p-1", "n": 2})             # reads the head: links after entry 0
    deps.audit.append({"order_id": "p-1", "n": 3})        # its cached head is stale: 412, then re-link
    records = deps.audit.records()
    assert [r["entry"]["n"] for r in records] == [1, 2, 3] and trading.verify_chain(records) == []


@pytest.mark.usefixtures("local_aws")
def test_trusted_checks_read_the_backend_themselves():
    """The checks recompute the test's stream and read the runs' tables, bucket and DLQ: fills
    faked nowhere but in the kernel cannot pass, a doubled fill or a left message fails."""
    learner = f"w24-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("24-trading-under-fire", learner)
    ns = aws.namespace(checks.EXERCISE, learner)
    deps = trading.make_deps(ns, "redrive")
    run = lambda check: integrity.run_trusted(check, ctx)  # noqa: E731
    assert "not executed and settled" in run(checks.redriven)
    orders = {o["order_id"]: o for o in trading.order_stream(**checks.RUNS["redrive"])}
    for oid, o in orders.items():
        fill = deps.exchange.execute(oid, o)
        deps.ledger.settle(oid, fill, idempotency_key=oid)
    assert run(checks.redriven) is None
    deps.sqs.send_message(QueueUrl=deps.dlq, MessageBody="{}")
    assert "still in the DLQ" in run(checks.redriven)
    trading.empty(deps.sqs, deps.dlq)
    deps.exchange.execute(next(iter(orders)), orders[next(iter(orders))])
    assert "2 fill(s)" in run(checks.redriven)

    audit = trading.make_deps(ns, "audit")
    assert "does not verify" in run(checks.audit_chain)
    a = {o["order_id"]: o for o in trading.order_stream(**checks.RUNS["audit"])}
    oid = next(k for k, o in a.items() if trading.risk_check(o) is None)
    fill = audit.exchange.execute(oid, a[oid])           # the effect first, its intent after
    audit.audit.append({"order_id": oid, "step": "execute", "phase": "intent", "at": audit.clock.now()})
    audit.audit.append({"order_id": oid, "step": "execute", "phase": "outcome", "at": audit.clock.now()})
    assert "no execute intent written before the fill" in run(checks.audit_chain)
    audit.audit.append({"order_id": oid, "step": "execute", "phase": "intent", "at": fill["filled_at"] - 1})
    assert run(checks.audit_chain) is None
