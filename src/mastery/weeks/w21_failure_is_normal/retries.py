"""Plumbing of week 21 (failure is the normal case): what the lesson and the exercise share,
never the learner's answer.

* :class:`SimClock`: a simulated clock whose ``sleep`` only moves time forward (no real waiting);
* :func:`latency_sample`, :func:`percentile`: a seeded latency distribution with a long tail and
  nearest-rank percentiles, to choose a timeout from measurements;
* :func:`throttle`, :func:`server_error`, :func:`validation_error`: the ``ClientError`` s botocore
  raises for them, and :data:`RETRYABLE_CODES`;
* :class:`RetryBudget`: the token bucket of the AWS SDKs' *standard* retry mode;
* :class:`Exchange`: a trading venue that fills an order and records it in the ORDERS table; it is
  **not** idempotent (every call is a new fill) and can be made to fail before or after the fill;
* :class:`IdempotencyConflict`, :class:`OrderInProgress`: the errors of an idempotent API.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

# Error codes the AWS SDKs' standard retry mode treats as throttling (botocore
# ``retries/standard.py``, ``_THROTTLED_ERROR_CODES``; checked 2026-12-02) that the course uses.
RETRYABLE_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
})


def _client_error(code: str, status: int, operation: str = "Call", message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message or code},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


def throttle(code: str = "ThrottlingException", operation: str = "Call") -> ClientError:
    """A throttling error as botocore raises it (HTTP 400, a throttling code)."""
    return _client_error(code, 400, operation, "Rate exceeded")


def server_error(status: int = 503, code: str = "ServiceUnavailable", operation: str = "Call") -> ClientError:
    """A 5xx error as botocore raises it."""
    return _client_error(code, status, operation, "Service unavailable")


def validation_error(code: str = "ValidationException", operation: str = "Call",
                     status: int = 400) -> ClientError:
    """A client error no retry can fix (a bad request)."""
    return _client_error(code, status, operation, "1 validation error detected")


# ------------------------------------------------------------------------------ time


class SimClock:
    """Simulated time: ``now()`` in seconds, ``sleep(s)`` moves it forward and records ``s``."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.t = float(start)
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"cannot sleep {seconds} s")
        self.sleeps.append(seconds)
        self.t += seconds

    def advance(self, seconds: float) -> None:
        self.t += seconds


def latency_sample(n: int = 10_000, seed: int = 21, median_ms: float = 40.0, sigma: float = 0.45,
                   tail: float = 0.01, tail_ms: float = 900.0) -> list[float]:
    """``n`` seeded latencies in ms: log-normal around ``median_ms``, and a fraction ``tail`` of
    slow calls around ``tail_ms`` (a cold start, a GC pause, a retried packet)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < tail:
            out.append(tail_ms * math.exp(rng.gauss(0, 0.3)))
        else:
            out.append(median_ms * math.exp(rng.gauss(0, sigma)))
    return out


def percentile(values, p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100]: the smallest value with at least p % at or below it."""
    xs = sorted(values)
    if not xs:
        raise ValueError("no values")
    k = max(1, math.ceil(p / 100 * len(xs)))
    return xs[k - 1]


# ------------------------------------------------------------------------------ retry budget


@dataclass
class RetryBudget:
    """The retry quota of the AWS SDKs' standard retry mode, simplified: a bucket of ``capacity``
    tokens; a retry takes ``retry_cost`` (``timeout_cost`` after a timeout), a success puts back
    ``retry_cost`` if it needed retries, else ``refund``. An empty bucket means: do not retry.

    ``withdraw(error) -> bool`` before each retry; ``deposit(retried)`` once per success.
    """

    capacity: int = 500
    retry_cost: int = 5
    timeout_cost: int = 10
    refund: int = 1
    tokens: int = field(default=-1)
    withdrawn: int = 0
    refused: int = 0

    def __post_init__(self):
        if self.tokens < 0:
            self.tokens = self.capacity

    def withdraw(self, error: BaseException | None = None) -> bool:
        cost = self.timeout_cost if isinstance(error, TimeoutError) else self.retry_cost
        if self.tokens < cost:
            self.refused += 1
            return False
        self.tokens -= cost
        self.withdrawn += 1
        return True

    def deposit(self, retried: bool = False) -> None:
        self.tokens = min(self.capacity, self.tokens + (self.retry_cost if retried else self.refund))


# ------------------------------------------------------------------------------ layered calls


class Flaky:
    """A dependency that fails with ``errors`` (one per call, in order; ``None`` succeeds), then
    succeeds for good (or fails for ever when ``forever`` is an error). Counts its calls."""

    def __init__(self, errors=(), forever: BaseException | None = None, result="ok"):
        self.errors, self.forever, self.result, self.calls = list(errors), forever, result, 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            e = self.errors.pop(0)
            if e is not None:
                raise e
            return self.result
        if self.forever is not None:
            raise self.forever
        return self.result


def layered_calls(layers: int, tries: int, fail: bool = True) -> int:
    """How many calls reach the bottom dependency when each of ``layers`` layers tries ``tries``
    times (naive retries everywhere) and the dependency always fails: ``tries ** layers``."""
    bottom = Flaky(forever=server_error() if fail else None)

    def wrap(fn):
        def call():
            last = None
            for _ in range(tries):
                try:
                    return fn()
                except ClientError as e:
                    last = e
            raise last
        return call

    fn = bottom
    for _ in range(layers):
        fn = wrap(fn)
    try:
        fn()
    except ClientError:
        pass
    return bottom.calls


# ------------------------------------------------------------------------------ idempotency


class IdempotencyConflict(Exception):
    """The idempotency key was used before with another payload: refused, never executed."""


class OrderInProgress(Exception):
    """Another attempt with this key is in progress: retry later (a retryable error)."""


def payload_hash(payload: dict) -> str:
    """A stable digest of a JSON payload (keys sorted): the same order in any key order."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"),
                                     default=str).encode()).hexdigest()


class ExchangeDown(Exception):
    """The exchange's reply never came: the order may or may not have been filled."""


class Exchange:
    """A trading venue: ``execute(key, order)`` fills the order **every time it is called** and
    records the fill as one item in ``orders_table`` (``order_id``, ``key``, the order's fields,
    ``price``); it returns the fill as a dict of JSON values.

    ``fail_before`` / ``fail_after``: how many of the next calls raise :class:`ExchangeDown`
    before filling / after filling (the reply lost: the fill happened).

    ``script`` (week 24's fault schedules): one outcome per call, consumed in order, before the
    counters above: ``"ok"``, ``"throttle"`` (a ``ThrottlingException``), ``"fail"`` (a 503) or
    ``"down"`` (:class:`ExchangeDown` before the fill); none of them fills. ``latency``: a callable
    giving each call's duration in seconds, by which the call moves ``clock`` forward."""

    def __init__(self, orders_table: str, clock: SimClock | None = None):
        self.table, self.clock = orders_table, clock or SimClock()
        self.calls, self.fills = 0, 0
        self.fail_before = self.fail_after = 0
        self.script: list[str] = []
        self.latency = None
        self._client, self._pid = None, None

    def _ddb(self):
        if self._client is None or self._pid != os.getpid():  # a forked process makes its own
            from mastery import aws

            self._client, self._pid = aws.client("dynamodb"), os.getpid()
        return self._client

    @staticmethod
    def price(symbol: str) -> str:
        cents = int(hashlib.sha256(symbol.encode()).hexdigest()[:6], 16) % 90_000 + 1_000
        return f"{cents // 100}.{cents % 100:02d}"

    def execute(self, key: str, order: dict) -> dict:
        self.calls += 1
        if self.latency is not None:
            self.clock.advance(self.latency())
        outcome = self.script.pop(0) if self.script else "ok"
        if outcome == "throttle":
            raise throttle(operation="NewOrderSingle")
        if outcome == "fail":
            raise server_error(503, operation="NewOrderSingle")
        if outcome == "down":
            raise ExchangeDown("connection refused: the order never reached the exchange")
        if self.fail_before > 0:
            self.fail_before -= 1
            raise ExchangeDown("connection reset before the order reached the exchange")
        fill = {"order_id": uuid.uuid4().hex, "symbol": str(order.get("symbol")),
                "side": str(order.get("side")), "qty": int(order.get("qty", 0)),
                "price": self.price(str(order.get("symbol"))), "filled_at": self.clock.now()}
        item = {"order_id": {"S": fill["order_id"]}, "key": {"S": key},
                "symbol": {"S": fill["symbol"]}, "side": {"S": fill["side"]},
                "qty": {"N": str(fill["qty"])}, "price": {"N": fill["price"]},
                "filled_at": {"N": repr(fill["filled_at"])}}
        self._ddb().put_item(TableName=self.table, Item=item)
        self.fills += 1
        if self.fail_after > 0:
            self.fail_after -= 1
            raise ExchangeDown("read timed out: the reply was lost (the order was filled)")
        return fill


def orders_by_key(orders_table: str, prefix: str, ddb=None) -> dict[str, list[dict]]:
    """The fills in ``orders_table`` whose key starts with ``prefix``: key -> fills (plain values),
    read strongly consistently across every page."""
    from mastery import aws

    ddb = ddb or aws.client("dynamodb")
    out: dict[str, list[dict]] = {}
    kwargs = {"TableName": orders_table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        for it in page["Items"]:
            k = it.get("key", {}).get("S", "")
            if k.startswith(prefix):
                out.setdefault(k, []).append(fill_of(it))
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def fill_of(item: dict) -> dict:
    """The fill an ORDERS item records, as :meth:`Exchange.execute` returned it."""
    return {"order_id": item["order_id"]["S"], "symbol": item["symbol"]["S"], "side": item["side"]["S"],
            "qty": int(item["qty"]["N"]), "price": _price_text(item["price"]["N"]),
            "filled_at": float(item["filled_at"]["N"])}


def _price_text(n: str) -> str:
    whole, _, frac = n.partition(".")
    return f"{whole}.{(frac + '00')[:2]}"


def counts(fills_by_key: dict[str, list]) -> Counter:
    return Counter({k: len(v) for k, v in fills_by_key.items()})
