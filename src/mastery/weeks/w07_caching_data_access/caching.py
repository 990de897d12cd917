"""Plumbing for the caching week (month 2, week 7): the layers below L1, a counting origin, a
controllable clock, trace replay, and a DynamoDB call log.

The learner writes the interesting parts (the L1 cache, the read-through logic, single-flight,
the table design); this module only provides what both the lesson and the exercise stand on:

* :func:`redis_client` — a real Redis on ``localhost:6379`` when one answers (docker-compose),
  otherwise an embedded ``fakeredis`` server, so every notebook runs without Docker;
* :class:`RedisLayer` (L2) and :class:`S3Layer` (L3) — ``get``/``set``/``delete``/``clear``
  with TTLs measured on an injectable clock, so a 30-minute trace replays in seconds;
* :class:`Origin` — the slow source of truth; counts calls per key, thread-safe;
* :func:`replay` — runs a request trace through a cache and records, per request, the layer
  that answered, the latency, and whether the answer was stale;
* :class:`CallLog` — records every DynamoDB operation a client makes, with its table and
  index, to prove an access pattern is a ``Query`` and never a ``Scan``;
* :class:`Wire` — what a DynamoDB client really sends (the JSON body of each request) and
  what it reads (``ScannedCount``), for what the emulator ignores (``ConsistentRead``);
* :class:`FailingClient` — a Redis or S3 client whose named commands fail as a timed-out or
  throttled one does, to grade a cache's behaviour when a layer fails.

A layer's ``get`` returns :data:`MISS` when it holds no fresh entry; a stored ``None`` is a
*negative* entry ("the origin has no such key") and is returned as ``None``.
"""

from __future__ import annotations

import collections
import json
import math
import threading
import time
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from mastery import aws


class _Miss:
    def __repr__(self) -> str:
        return "MISS"

    def __bool__(self) -> bool:
        return False


MISS = _Miss()
"""Returned by a layer that holds no fresh entry for a key (distinct from a cached ``None``)."""


class FakeClock:
    """A clock you move by hand: ``clock()`` is the time in seconds, ``advance(s)`` moves it."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self.now += float(seconds)
            return self.now

    def set(self, t: float) -> None:
        with self._lock:
            self.now = max(self.now, float(t))


# ------------------------------------------------------------------------------ the origin


class Origin:
    """The source of truth behind the caches: a dict with a price per call.

    ``get(key)`` returns the value or ``None`` (no such key), sleeps ``latency_s`` (really,
    so concurrent callers overlap), and counts the call in ``calls[key]``.
    """

    def __init__(self, rows: dict | None = None, latency_s: float = 0.0) -> None:
        self.rows = dict(rows or {})
        self.latency_s = latency_s
        self.calls: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            self.calls[key] += 1
        if self.latency_s:
            time.sleep(self.latency_s)
        with self._lock:
            value = self.rows.get(key)
        return json.loads(json.dumps(value)) if value is not None else None

    def put(self, key: str, value) -> None:
        with self._lock:
            self.rows[key] = value

    def total(self) -> int:
        return sum(self.calls.values())

    def reset_counts(self) -> None:
        with self._lock:
            self.calls.clear()


def catalog_origin(latency_s: float = 0.0, relative: str = "caching/catalog.csv") -> Origin:
    """An :class:`Origin` holding the course's product catalogue (``data/caching/catalog.csv``)."""
    from mastery import data

    df = data.read_csv(relative)
    rows = {r.id: {"id": r.id, "name": r.name, "price_cents": int(r.price_cents)} for r in df.itertuples()}
    return Origin(rows, latency_s)


# ------------------------------------------------------------------------------- L2: Redis

_FAKE_SERVER = None
_FAKE_LOCK = threading.Lock()


def redis_client(url: str = "redis://127.0.0.1:6379/0", timeout: float = 0.3):
    """``(client, kind)``: a real Redis at ``url`` if it answers a PING, else an embedded
    ``fakeredis`` (one server per process, shared by every client it returns).

    ``kind`` is ``"redis"`` or ``"fakeredis"``. Both speak the same commands; the fallback
    keeps no data across processes.
    """
    import redis

    try:
        r = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout,
                                 decode_responses=True)
        r.ping()
        return r, "redis"
    except (redis.exceptions.RedisError, OSError, ValueError):
        pass
    import fakeredis

    global _FAKE_SERVER
    with _FAKE_LOCK:
        if _FAKE_SERVER is None:
            _FAKE_SERVER = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=_FAKE_SERVER, decode_responses=True), "fakeredis"


def _envelope(value, ttl: float, clock) -> str:
    return json.dumps({"v": value, "exp": clock() + float(ttl)})


def _open(raw, clock):
    if raw is None:
        return MISS
    entry = json.loads(raw)
    return entry["v"] if entry["exp"] > clock() else MISS


@dataclass
class RedisLayer:
    """L2: a shared cache in Redis. Keys are ``<prefix>:<key>``; TTLs run on ``clock``.

    Redis also expires each key on its own (real seconds, ``ttl`` + 60) so a real server does
    not fill up; the clock decides freshness.
    """

    redis: object
    prefix: str
    clock: object = time.monotonic
    name: str = "l2"

    def _k(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key: str):
        return _open(self.redis.get(self._k(key)), self.clock)

    def set(self, key: str, value, ttl: float) -> None:
        self.redis.set(self._k(key), _envelope(value, ttl, self.clock), ex=int(math.ceil(ttl)) + 60)

    def delete(self, key: str) -> None:
        self.redis.delete(self._k(key))

    def keys(self) -> list[str]:
        n = len(self.prefix) + 1
        return sorted(k[n:] for k in self.redis.scan_iter(match=f"{self.prefix}:*"))

    def clear(self) -> None:
        for k in list(self.redis.scan_iter(match=f"{self.prefix}:*")):
            self.redis.delete(k)


# ---------------------------------------------------------------------------------- L3: S3


def ensure_bucket(s3, bucket: str) -> str:
    """Create ``bucket`` if it does not exist (harmless to repeat)."""
    return aws.ensure_bucket(bucket, s3=s3)


@dataclass
class S3Layer:
    """L3: a large, cheap, slower cache in S3: one JSON object per key under ``prefix/``.
    TTLs run on ``clock`` (S3 lifecycle rules only expire whole days)."""

    s3: object
    bucket: str
    prefix: str
    clock: object = time.monotonic
    name: str = "l3"

    def __post_init__(self) -> None:
        ensure_bucket(self.s3, self.bucket)

    def _k(self, key: str) -> str:
        return f"{self.prefix}/{key}.json"

    def get(self, key: str):
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self._k(key))["Body"].read()
        except ClientError as e:
            if e.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return MISS
            raise
        return _open(body, self.clock)

    def set(self, key: str, value, ttl: float) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self._k(key), Body=_envelope(value, ttl, self.clock),
                           ContentType="application/json")

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=self._k(key))

    def keys(self) -> list[str]:
        out = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                      Prefix=self.prefix + "/"):
            out += [o["Key"][len(self.prefix) + 1:-5] for o in page.get("Contents", [])]
        return sorted(out)

    def clear(self) -> None:
        keys = [self._k(k) for k in self.keys()]
        for i in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.bucket,
                                   Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]]})


# ---------------------------------------------------------------------------------- replay

LAYERS = ("l1", "l2", "l3", "origin")


def replay(trace, cache, origin: Origin, clock: FakeClock, new_value=None):
    """Run a request trace (DataFrame with ``t``, ``op``, ``key``) through ``cache``.

    ``get`` rows call ``cache.get(key)``; ``put`` rows change the origin (``new_value(key, i)``,
    by default a new price) and then call ``cache.invalidate(key)``, as a writer would.
    The cache must keep a ``served`` Counter (layer name -> requests answered); the layer of
    each request is read from its change. Returns a DataFrame: t, op, key, layer, ms, stale.
    """
    import pandas as pd

    def new_price(key, i):
        return {**(origin.rows.get(key) or {"id": key}), "price_cents": 100 + i}

    new_value = new_value or new_price
    out = []
    for i, row in enumerate(trace.itertuples(index=False)):
        clock.set(float(row.t))
        if row.op == "put":
            origin.put(row.key, new_value(row.key, i))
            t0 = time.perf_counter()
            cache.invalidate(row.key)
            out.append((row.t, "put", row.key, "", (time.perf_counter() - t0) * 1e3, False))
            continue
        before = collections.Counter(cache.served)
        t0 = time.perf_counter()
        value = cache.get(row.key)
        ms = (time.perf_counter() - t0) * 1e3
        diff = collections.Counter(cache.served) - before
        layer = next(iter(diff), "?") if len(diff) == 1 else ("?" if not diff else "+".join(sorted(diff)))
        out.append((row.t, "get", row.key, layer, ms, value != origin.rows.get(row.key)))
    return pd.DataFrame(out, columns=["t", "op", "key", "layer", "ms", "stale"])


def summary(replayed):
    """Per layer: requests, share of gets, and latency percentiles (p50, p95, p99 in ms)."""
    import pandas as pd

    gets = replayed[replayed.op == "get"]
    rows = []
    for layer in LAYERS:
        ms = gets.loc[gets.layer == layer, "ms"]
        rows.append({"layer": layer, "requests": len(ms), "share": len(ms) / max(len(gets), 1),
                     "p50_ms": ms.quantile(0.5) if len(ms) else float("nan"),
                     "p95_ms": ms.quantile(0.95) if len(ms) else float("nan"),
                     "p99_ms": ms.quantile(0.99) if len(ms) else float("nan")})
    return pd.DataFrame(rows).set_index("layer")


# ------------------------------------------------------------------------- DynamoDB calls


@dataclass
class CallLog:
    """Records every operation ``client`` makes: ``(operation, TableName, IndexName)``.

    Use as a context manager around the code under test::

        with caching.CallLog(ddb) as log:
            customer_orders(...)
        log.ops()   # Counter({'Query': 3})
    """

    client: object
    calls: list = field(default_factory=list)

    def _record(self, params, model, **_):
        self.calls.append((model.name, params.get("TableName"), params.get("IndexName")))

    def __enter__(self) -> CallLog:
        self.calls.clear()
        self.client.meta.events.register("provide-client-params.dynamodb", self._record)
        return self

    def __exit__(self, *exc) -> None:
        self.client.meta.events.unregister("provide-client-params.dynamodb", self._record)

    def ops(self) -> collections.Counter:
        return collections.Counter(op for op, _, _ in self.calls)

    def tables(self) -> set:
        return {t for _, t, _ in self.calls if t}

    def reads(self) -> list:
        """The read operations (Scan, Query, GetItem, BatchGetItem) with table and index."""
        return [c for c in self.calls if c[0] in ("Scan", "Query", "GetItem", "BatchGetItem")]


class PartialBatchClient:
    """Wraps a DynamoDB client so that ``BatchWriteItem`` behaves as under throttling: each of
    the first ``partial_calls`` calls writes only its first ``accept`` write requests (for real)
    and hands the rest back in ``UnprocessedItems``, as DynamoDB does when it accepts part of a
    batch. Every other call passes through.

    ``sent`` counts the write requests (put or delete) sent, ``returned`` those handed back
    unprocessed: a loader that resends only what came back sends exactly
    ``len(items) + returned``."""

    def __init__(self, client, accept: int = 10, partial_calls: int = 3):
        self._client = client
        self.accept = accept
        self.partial_calls = partial_calls
        self.calls = 0
        self.sent = 0
        self.returned = 0

    def __getattr__(self, name):
        return getattr(self._client, name)

    def batch_write_item(self, **kwargs):
        self.calls += 1
        requests = kwargs.get("RequestItems", {})
        self.sent += sum(len(v) for v in requests.values())
        if self.calls > self.partial_calls:
            return self._client.batch_write_item(**kwargs)
        accepted, left, budget = {}, {}, self.accept
        for table, reqs in requests.items():
            take = reqs[:max(0, budget)]
            budget -= len(take)
            if take:
                accepted[table] = take
            if reqs[len(take):]:
                left[table] = reqs[len(take):]
        out = self._client.batch_write_item(**{**kwargs, "RequestItems": accepted}) if accepted else {}
        unprocessed = {**left}
        for table, reqs in (out.get("UnprocessedItems") or {}).items():
            unprocessed[table] = reqs + unprocessed.get(table, [])
        self.returned += sum(len(v) for v in unprocessed.values())
        return {**out, "UnprocessedItems": unprocessed}


class Wire:
    """Records what ``client`` (DynamoDB) puts on the wire: ``(operation, body)`` of every
    request, as JSON decoded from the bytes botocore sends, and the ``ScannedCount`` of every
    Query/Scan answer. For what the emulator ignores (``ConsistentRead`` on a GSI, which AWS
    rejects) and what a request reads beyond what it returns (a ``FilterExpression``)::

        with caching.Wire(ddb) as wire:
            get_customer(table, "C003")
        wire.requests()   # [("GetItem", {"TableName": ..., "Key": ..., "ConsistentRead": True})]
    """

    def __init__(self, client) -> None:
        self.client = client
        self.sent: list = []
        self.scanned: list = []

    def _send(self, request, **_):
        target = (request.headers.get("X-Amz-Target") or b"")
        target = target.decode() if isinstance(target, bytes) else target
        body = request.body or b"{}"
        try:
            payload = json.loads(body.decode() if isinstance(body, bytes) else body)
        except ValueError:
            payload = {}
        self.sent.append((target.rpartition(".")[2], payload))

    def _answer(self, parsed, model, **_):
        if model.name in ("Query", "Scan") and isinstance(parsed, dict) and "ScannedCount" in parsed:
            self.scanned.append((model.name, parsed["ScannedCount"], parsed.get("Count", 0)))

    def __enter__(self) -> Wire:
        self.sent.clear()
        self.scanned.clear()
        self.client.meta.events.register("before-send.dynamodb", self._send)
        self.client.meta.events.register("after-call.dynamodb", self._answer)
        return self

    def __exit__(self, *exc) -> None:
        self.client.meta.events.unregister("before-send.dynamodb", self._send)
        self.client.meta.events.unregister("after-call.dynamodb", self._answer)

    def requests(self, *operations: str) -> list:
        """``(operation, body)`` of the requests sent (only ``operations`` if given)."""
        return [(op, b) for op, b in self.sent if not operations or op in operations]

    def items_read(self) -> int:
        """Items the Queries and Scans read (``ScannedCount``), before any filter."""
        return sum(n for _, n, _ in self.scanned)


class FailingClient:
    """Wraps a Redis or S3 client so that the named commands fail as a broken layer does
    (Redis timing out, S3 throttling): each call of a name in ``failing`` raises ``error()``
    and is counted in ``failed``; everything else passes through to ``client``.
    ``failing`` can be changed at any time (``set()`` heals the layer)."""

    def __init__(self, client, failing=(), error=None) -> None:
        self._client = client
        self.failing = set(failing)
        self._error = error or (lambda: TimeoutError("the cache layer timed out"))
        self.failed: collections.Counter = collections.Counter()

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name not in self.failing:
            return attr

        def fail(*args, **kwargs):
            self.failed[name] += 1
            raise self._error()

        return fail


def redis_timeout():
    """The error a Redis client raises when the server does not answer in time."""
    import redis

    return redis.exceptions.TimeoutError("Timeout reading from socket")


def s3_throttled(operation: str = "GetObject"):
    """The error S3 raises when it throttles a request (503 SlowDown)."""
    return ClientError({"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."},
                        "ResponseMetadata": {"HTTPStatusCode": 503}}, operation)
