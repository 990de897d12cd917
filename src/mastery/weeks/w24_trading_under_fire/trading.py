"""Plumbing of week 24 (the trading workflow under fire): what the lesson and the exercise share,
never the learner's answer. One home per concept: the simulated clock, the exchange (its fault
``script`` and ``latency``), percentiles and error constructors are week 21's
(:mod:`mastery.weeks.w21_failure_is_normal.retries`); the breaker's error and counted-failure
rule and the SQS helpers are week 22's (:mod:`mastery.weeks.w22_containing_failure.breakers`).

* the **audit trail**: :func:`canonical`, :func:`link_hash`, :class:`AuditLog` (one S3 object per
  entry, each holding the SHA-256 of the previous hash and its canonical JSON, appended with a
  conditional put so no entry is ever overwritten) and :func:`verify_chain`, the week's verifier;
* the **workflow's dependencies**: :func:`risk_check`, :class:`Ledger` (a settlement service that
  writes a new settlement per call unless given an idempotency key), :class:`Deps`,
  :func:`make_deps`, :class:`Overloaded` (the retryable error of shed load);
* the **load**: :func:`order_stream` (seeded orders, with duplicate deliveries and orders the risk
  check refuses), :func:`exchange_faults` (a seeded fault schedule at a given error rate, with an
  optional outage);
* **measuring**: :func:`run_stream` (drives ``process_order`` on the simulated clock and reports
  each order's latency and outcome), :func:`settlements_by_key`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import uuid
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from mastery.weeks.w21_failure_is_normal.retries import (
    Exchange,
    ExchangeDown,
    SimClock,
    orders_by_key,
    percentile,
)
from mastery.weeks.w22_containing_failure.breakers import (
    CircuitOpenError,
    empty,
    is_dependency_failure,
    queue_bodies,
    queue_depth,
)

__all__ = ["empty", "GENESIS", "MAX_ATTEMPTS", "BASE", "CAP", "BREAKER_THRESHOLD", "BREAKER_RESET",
           "MAX_INFLIGHT", "SLO_SUCCESS", "SLO_P99", "SLO_ERROR_RATE", "AuditLog", "CircuitOpenError",
           "Deps", "Exchange", "ExchangeDown", "Ledger", "Overloaded", "SimClock", "canonical",
           "exchange_faults", "is_retryable", "is_dependency_failure", "link_hash", "make_deps",
           "order_stream", "orders_by_key", "percentile", "queue_bodies", "queue_depth", "read_chain",
           "risk_check", "run_stream", "settlements_by_key", "verify_chain", "fragile_process_order",
           "scorecard", "PROPERTIES", "SCENARIOS"]

# ------------------------------------------------------------------------------ the stated numbers

MAX_ATTEMPTS = 4          # calls to one dependency per order, at most (the first and 3 retries)
BASE, CAP = 0.05, 1.0     # seconds: full jitter over min(CAP, BASE * 2**n) before retry n
BREAKER_THRESHOLD = 5     # consecutive dependency failures that open the breaker
BREAKER_RESET = 30.0      # seconds (simulated) the breaker stays open before one probe
MAX_INFLIGHT = 8          # orders in flight at which intake sheds (8 in flight: shed; 7: accept)
SLO_SUCCESS = 0.99        # share of orders settled or refused with a reason on the first pass
SLO_P99 = 1.0             # seconds, p99 of process_order on the simulated clock
SLO_ERROR_RATE = 0.20     # the SLO holds up to and including this exchange error rate

SYMBOLS = ("ACME", "INIT", "GLOBX", "UMBR", "WAYNE")
RISK_MAX_QTY = 1_000

# ------------------------------------------------------------------------------ audit trail

GENESIS = "0" * 64


def canonical(entry: dict) -> str:
    """The canonical JSON of an entry: keys sorted, no spaces, UTF-8 kept (RFC 8785 in spirit)."""
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def link_hash(prev: str, entry: dict) -> str:
    """SHA-256 (hex) over the previous hash followed by the entry's canonical JSON."""
    return hashlib.sha256((prev + canonical(entry)).encode()).hexdigest()


class AuditLog:
    """An append-only, hash-chained audit trail in S3: entry ``n`` is the object
    ``{prefix}{n:010d}.json`` holding ``{"seq", "prev", "hash", "entry"}``. ``append`` writes with
    ``IfNoneMatch="*"`` (S3's conditional write: it fails with 412 if the key exists), so two
    writers (two processes) can never overwrite each other's entry: the loser reads the new head
    and links after it. ``appended`` counts this object's successful appends."""

    def __init__(self, bucket: str, prefix: str = "audit/", s3=None):
        from mastery import aws

        self.bucket, self.prefix, self.s3 = bucket, prefix, s3 or aws.client("s3")
        self._head: tuple[int, str] | None = None
        self.appended = 0

    def key(self, seq: int) -> str:
        return f"{self.prefix}{seq:010d}.json"

    def head(self) -> tuple[int, str]:
        """(the next sequence number, the hash to link to), read from the bucket."""
        records = read_chain(self.s3, self.bucket, self.prefix)
        return (records[-1]["seq"] + 1, records[-1]["hash"]) if records else (0, GENESIS)

    def append(self, entry: dict) -> dict:
        seq, prev = self._head if self._head is not None else self.head()
        for _ in range(100):
            record = {"seq": seq, "prev": prev, "hash": link_hash(prev, entry), "entry": entry}
            try:
                self.s3.put_object(Bucket=self.bucket, Key=self.key(seq), Body=canonical(record).encode(),
                                   ContentType="application/json", IfNoneMatch="*")
            except ClientError as e:
                if e.response["Error"]["Code"] not in ("PreconditionFailed", "412",
                                                       "ConditionalRequestConflict"):
                    raise
                seq, prev = self.head()            # another writer took the slot: link after it
                continue
            self._head, self.appended = (seq + 1, record["hash"]), self.appended + 1
            return record
        raise RuntimeError("could not append to the audit trail after 100 conflicts")

    def records(self) -> list[dict]:
        return read_chain(self.s3, self.bucket, self.prefix)


def read_chain(s3, bucket: str, prefix: str = "audit/") -> list[dict]:
    """Every record under ``prefix``, in key order (every page of ``ListObjectsV2``)."""
    keys, kwargs = [], {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = s3.list_objects_v2(**kwargs)
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            break
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
    return [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in sorted(keys)]


def verify_chain(records: list[dict], anchor: str | None = None) -> list[str]:
    """The problems of a chain (empty: it verifies): sequence numbers 0, 1, 2, … without a gap,
    each ``prev`` the previous record's ``hash`` (``GENESIS`` first), each ``hash`` recomputed from
    ``prev`` and the entry, and (``anchor``) the last hash equal to one kept elsewhere — the only
    defence against an attacker who rewrites the tail and recomputes every hash after an edit."""
    problems, prev = [], GENESIS
    for i, r in enumerate(records):
        if r.get("seq") != i:
            problems.append(f"record {i}: sequence number {r.get('seq')} (a record missing or added)")
        if r.get("prev") != prev:
            problems.append(f"record {i}: prev does not match the hash of record {i - 1}")
        if r.get("hash") != link_hash(r.get("prev", ""), r.get("entry", {})):
            problems.append(f"record {i}: hash does not match its entry (the entry was changed)")
        prev = r.get("hash", "")
    if anchor is not None and prev != anchor:
        problems.append("the last hash differs from the anchor (the tail was rewritten or cut)")
    return problems


# ------------------------------------------------------------------------------ dependencies


class Overloaded(Exception):
    """Shed load: the order was **not** accepted and nothing was called; retry after
    ``retry_after`` seconds (a retryable error, like HTTP 429/503 with ``Retry-After``)."""

    retryable = True

    def __init__(self, message: str = "overloaded: retry later", retry_after: float = 1.0):
        super().__init__(message)
        self.retry_after = retry_after


def is_retryable(error: BaseException) -> bool:
    """What a later attempt may succeed past: week 22's dependency failures plus
    :class:`ExchangeDown` raised *before* a fill (the exchange's schedules in this week)."""
    return isinstance(error, ExchangeDown) or is_dependency_failure(error)


def risk_check(order: dict) -> str | None:
    """The pre-trade risk check: ``None`` (pass) or the reason the order is refused."""
    if order.get("symbol") not in SYMBOLS:
        return f"risk: unknown symbol {order.get('symbol')!r}"
    qty = order.get("qty")
    if not isinstance(qty, int) or qty <= 0:
        return f"risk: quantity {qty!r} is not a positive whole number"
    if qty > RISK_MAX_QTY:
        return f"risk: quantity {qty} over the {RISK_MAX_QTY}-share limit"
    if order.get("side") not in ("BUY", "SELL"):
        return f"risk: side {order.get('side')!r}"
    return None


class Ledger:
    """The settlement service: ``settle(order_id, fill, idempotency_key=None)`` records one
    settlement item in ``table`` (``settlement_id``, ``order_id``, ``amount``) and returns it.
    Without an idempotency key every call is a **new** settlement; with one, a repeat returns the
    first settlement (a conditional write on the key). ``fail_after``: how many of the next calls
    write and then lose their reply (raise ``TimeoutError``). Each call takes ``latency`` seconds."""

    def __init__(self, table: str, clock: SimClock, ddb=None, latency: float = 0.01):
        from mastery import aws

        self.table, self.clock, self.ddb, self.latency = table, clock, ddb or aws.client("dynamodb"), latency
        self.calls, self.fail_after, self._n = 0, 0, 0

    def settle(self, order_id: str, fill: dict, idempotency_key: str | None = None) -> dict:
        self.calls += 1
        self.clock.advance(self.latency)
        self._n += 1
        amount = f"{float(fill['price']) * int(fill['qty']):.2f}"
        sid = (f"stl-{idempotency_key}" if idempotency_key
               else f"stl-{order_id}-{self._n}-{uuid.uuid4().hex[:8]}")
        item = {"settlement_id": {"S": sid}, "order_id": {"S": order_id}, "amount": {"N": amount}}
        try:
            self.ddb.put_item(TableName=self.table, Item=item,
                              **({"ConditionExpression": "attribute_not_exists(settlement_id)"}
                                 if idempotency_key else {}))
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        if self.fail_after > 0:
            self.fail_after -= 1
            raise TimeoutError("settlement: read timed out (the settlement was written)")
        return {"settlement_id": sid, "order_id": order_id, "amount": amount}


def settlements_by_key(table: str, prefix: str, ddb=None) -> dict[str, int]:
    """order_id -> how many settlements ``table`` holds for it (orders whose id starts with
    ``prefix``; every page, strongly consistent)."""
    from mastery import aws

    ddb, out, kwargs = ddb or aws.client("dynamodb"), {}, {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        for it in page["Items"]:
            oid = it.get("order_id", {}).get("S", "")
            if oid.startswith(prefix):
                out[oid] = out.get(oid, 0) + 1
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@dataclass
class Deps:
    """Everything ``process_order`` may use. ``inflight``: orders the intake has in flight now
    (the gauge load shedding reads); ``rand``: the seeded jitter source; ``state``: the table
    (hash key ``order_id``) the workflow keeps its own per-order records in."""

    clock: SimClock
    rand: random.Random
    exchange: Exchange
    ledger: Ledger
    audit: AuditLog
    ddb: object
    state: str
    sqs: object
    dlq: str
    inflight: int = 0
    orders: str = ""
    settlements: str = ""
    bucket: str = ""
    extra: dict = field(default_factory=dict)


def make_deps(ns, run: str, *, seed: int = 24, clock: SimClock | None = None, latency_seed: int | None = None,
              reset: bool = True) -> Deps:
    """The dependencies of one run named ``run`` in namespace ``ns``: tables ``run-orders`` (the
    exchange's fills), ``run-settlements``, ``run-state``; bucket ``run-audit`` (versioned);
    queue ``run-dlq``. ``reset`` empties them (a fresh chain, no fills). Exchange calls take a
    seeded log-normal latency around 30 ms."""
    from mastery import aws

    ddb, s3, sqs = aws.client("dynamodb"), aws.client("s3"), aws.client("sqs")
    clock = clock or SimClock()
    orders = aws.ensure_table(ns.name(f"{run}-orders"), "order_id", reset=reset, ddb=ddb)
    settlements = aws.ensure_table(ns.name(f"{run}-settlements"), "settlement_id", reset=reset, ddb=ddb)
    state = aws.ensure_table(ns.name(f"{run}-state"), "order_id", reset=reset, ddb=ddb)
    bucket = aws.ensure_bucket(ns.name(f"{run}-audit").lower()[:63], s3=s3)
    if reset:
        _empty_bucket(s3, bucket)
    if reset:   # deleted, not emptied: messages another run received and left in flight must go too
        try:
            sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=ns.name(f"{run}-dlq"))["QueueUrl"])
        except sqs.exceptions.QueueDoesNotExist:
            pass
    dlq = aws.ensure_queue(ns.name(f"{run}-dlq"), sqs=sqs)
    exchange = Exchange(orders, clock)
    lat = random.Random(seed if latency_seed is None else latency_seed)
    exchange.latency = lambda: 0.03 * math.exp(lat.gauss(0, 0.4))
    return Deps(clock=clock, rand=random.Random(seed), exchange=exchange,
                ledger=Ledger(settlements, clock, ddb),
                audit=AuditLog(bucket, "audit/", s3), ddb=ddb, state=state, sqs=sqs, dlq=dlq,
                orders=orders, settlements=settlements, bucket=bucket)


def _empty_bucket(s3, bucket: str) -> None:
    kwargs = {"Bucket": bucket}
    while True:
        page = s3.list_objects_v2(**kwargs)
        objs = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if objs:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objs})
        if not page.get("IsTruncated"):
            return
        kwargs["ContinuationToken"] = page["NextContinuationToken"]


# ------------------------------------------------------------------------------ load


def order_stream(n: int, seed: int, prefix: str = "o", duplicates: float = 0.1,
                 risky: float = 0.05) -> list[dict]:
    """``n`` distinct seeded orders (``order_id`` = ``{prefix}-{seed}-{i:03d}``, the idempotency key
    end to end), a ``risky`` share of which the risk check refuses, delivered with a
    ``duplicates`` share delivered again later (at-least-once intake): a list of deliveries."""
    rng = random.Random(seed)
    orders = []
    for i in range(n):
        o = {"order_id": f"{prefix}-{seed}-{i:03d}", "account": f"acct-{rng.randint(1, 9)}",
             "symbol": rng.choice(SYMBOLS), "side": rng.choice(("BUY", "SELL")), "qty": rng.randint(1, 500)}
        if rng.random() < risky:
            o["qty"] = RISK_MAX_QTY + rng.randint(1, 5_000)
        orders.append(o)
    out = list(orders)
    for o in orders:
        if rng.random() < duplicates:
            out.insert(rng.randint(out.index(o) + 1, len(out)), dict(o))
    return out


def exchange_faults(n: int, error_rate: float, seed: int, outage: tuple[int, int] | None = None) -> list[str]:
    """``n`` seeded exchange outcomes: each call fails with probability ``error_rate`` (a throttle,
    a 503 or a refused connection, none of which fills), and every call in ``outage`` (a range
    of call numbers) fails."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        bad = rng.random() < error_rate or (outage is not None and outage[0] <= i < outage[1])
        out.append(rng.choice(("throttle", "fail", "down")) if bad else "ok")
    return out


# ------------------------------------------------------------------------------ measuring


@dataclass
class Report:
    latencies: list[float]
    results: list[dict]
    errors: list[str]

    @property
    def success(self) -> float:
        ok = sum(r.get("status") in ("FILLED", "REJECTED") for r in self.results)
        return ok / max(1, len(self.results) + len(self.errors))

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) if self.latencies else 0.0


def run_stream(process_order, deps: Deps, deliveries: list[dict]) -> Report:
    """Deliver each order to ``process_order(order, deps)`` one after the other on the simulated
    clock; each delivery's latency is the simulated time it took. An exception is recorded as
    the delivery's error (its type name), not raised."""
    lat, results, errors = [], [], []
    for order in deliveries:
        t0 = deps.clock.now()
        try:
            results.append(process_order(dict(order), deps) or {})
        except Exception as e:  # noqa: BLE001 - the outcome under measurement
            errors.append(type(e).__name__)
        lat.append(deps.clock.now() - t0)
    return Report(lat, results, errors)


# ------------------------------------------------------------------------------ the fragile workflow


def fragile_process_order(order: dict, deps: Deps) -> dict:
    """The workflow as the exercise finds it: it loses orders, settles twice and audits after the
    effect (the lesson scores it; the exercise hardens it)."""
    oid = order["order_id"]
    if risk_check(order):
        return {"order_id": oid, "status": "REJECTED", "reason": None}          # no reason, no audit
    for _ in range(10):                           # 10 tries, no backoff, no jitter, no breaker
        try:
            fill = deps.exchange.execute(oid, order)
            break
        except Exception:  # noqa: BLE001 - as fragile as it looks
            continue
    else:
        return {"order_id": oid, "status": "FAILED", "reason": "exchange down"}  # lost: nowhere to go
    deps.audit.append({"order_id": oid, "step": "execute", "fill": fill})       # audit AFTER the effect
    deps.ledger.settle(oid, fill)                  # a lost reply and a retry settle twice
    return {"order_id": oid, "status": "FILLED", "reason": None, "fill": fill}


# ------------------------------------------------------------------------------ the scorecard

PROPERTIES = ("no order lost", "none executed twice", "none settled twice", "audit chain verifies",
              "intent before effect", "calls bounded", "within the SLO")
# name -> (exchange error rate, outage as call numbers, duplicate share, lost settlement replies)
SCENARIOS = {
    "healthy": (0.0, None, 0.0, 0),
    "brownout 20 %": (SLO_ERROR_RATE, None, 0.0, 0),
    "outage": (0.0, (6, 40), 0.0, 0),
    "duplicates": (0.0, None, 0.6, 0),
    "lost replies": (0.0, None, 0.0, 3),
}


def scorecard(process_order, ns, redrive=None, n: int = 14,
              seed: int = 2470) -> dict[str, dict[str, bool | None]]:
    """Run ``process_order`` under each of :data:`SCENARIOS` (a fresh run each, ``n`` orders) and
    judge each of :data:`PROPERTIES` from the backend: scenario -> property -> held (``None``: not
    judged there, the SLO under an outage). ``redrive``
    (if given) is called once the fault has ended. A lost settlement reply is retried by the
    harness as a caller would: the same order delivered again."""
    out = {}
    for i, (name, (rate, outage, dups, lost)) in enumerate(SCENARIOS.items()):
        run = f"sc{i}"
        deps = make_deps(ns, run, seed=seed + i)
        deliveries = order_stream(n, seed=seed + i, prefix=run, duplicates=dups)
        deps.exchange.script = exchange_faults(400, rate, seed=seed + i, outage=outage)
        calls, report = [], Report([], [], [])
        for k, order in enumerate(deliveries):
            if lost and k < lost:
                deps.ledger.fail_after = 1
            before, t0 = deps.exchange.calls, deps.clock.now()
            try:
                report.results.append(process_order(dict(order), deps) or {})
            except Exception as e:  # noqa: BLE001
                report.errors.append(type(e).__name__)
                if lost:   # the caller retries a failed delivery once
                    try:
                        process_order(dict(order), deps)
                    except Exception:  # noqa: BLE001
                        pass
            report.latencies.append(deps.clock.now() - t0)
            calls.append(deps.exchange.calls - before)
        deps.exchange.script = []
        if redrive is not None:
            deps.clock.advance(2 * BREAKER_RESET)
            redrive(deps)
        orders = {o["order_id"]: o for o in deliveries}
        fills = {k: len(v) for k, v in orders_by_key(deps.orders, f"{run}-", ddb=deps.ddb).items()}
        settled = settlements_by_key(deps.settlements, f"{run}-", ddb=deps.ddb)
        waiting = {json.loads(b).get("order_id") for b in queue_bodies(deps.sqs, deps.dlq)}
        records = deps.audit.records()
        entries = [r.get("entry", {}) for r in records]
        stated = {r.get("order_id"): r for r in report.results}
        lost_orders = [oid for oid, o in orders.items()
                       if not (fills.get(oid) or oid in waiting
                               or (risk_check(o) and (stated.get(oid) or {}).get("reason")))]
        first_fill = {oid: min(f["filled_at"] for f in fs)
                      for oid, fs in orders_by_key(deps.orders, f"{run}-", ddb=deps.ddb).items()}
        intent_ok = all(any(e.get("order_id") == oid and e.get("step") == "execute"
                            and e.get("phase") == "intent" and isinstance(e.get("at"), (int, float))
                            and e["at"] < first_fill[oid]
                            for e in entries) for oid in fills)
        out[name] = {
            "no order lost": not lost_orders,
            "none executed twice": all(v <= 1 for v in fills.values()),
            "none settled twice": all(v <= 1 for v in settled.values()),
            "audit chain verifies": bool(records) and not verify_chain(records),
            "intent before effect": bool(fills) and intent_ok,
            "calls bounded": max(calls, default=0) <= MAX_ATTEMPTS,
            # the SLO is stated up to SLO_ERROR_RATE of random errors: not judged under an outage
            "within the SLO": (None if outage or rate > SLO_ERROR_RATE
                               else report.success >= SLO_SUCCESS and report.p(99) <= SLO_P99),
        }
    return out
