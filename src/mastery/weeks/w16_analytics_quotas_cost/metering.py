"""Plumbing for week 16: metered usage per tenant, its prices, a load simulation on a simulated
clock, partition heat, and the two event envelopes (EventBridge, CloudEvents over HTTP).

Nothing here is the learner's answer (the token bucket, the cost analytics, the shard scheme and
the adapters are theirs). This module only:

* :data:`PRICES`: the unit prices of the metered dimensions, as ``Decimal``, from
  :mod:`mastery.facts` (one home for every price; week 9's Lambda cost model uses the same);
* :func:`usage_log`: a seeded month of per-tenant usage, shaped like a metering export (one row per
  day, tenant and metric; quantities as the text a CSV holds), with one noisy tenant;
* :func:`simulate`: a discrete-event simulation of many concurrent users against per-tenant token
  buckets and a concurrency limit, on a simulated clock (nothing sleeps, nothing is sent);
* :func:`partition_heat`: write capacity per partition key per second, against DynamoDB's
  per-partition limit;
* :func:`eventbridge_event`, :func:`cloudevent_http`: the same business event as EventBridge
  delivers it to a Lambda target, and as a CloudEvent over HTTP (binary or structured mode),
  made with the ``cloudevents`` SDK.
"""

from __future__ import annotations

import heapq
import json
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from mastery import aws, facts

# ------------------------------------------------------------------------------------ prices

#: USD per unit of each metered dimension (us-east-1; see mastery.facts for the source and date).
PRICES: dict[str, Decimal] = {
    "lambda_gb_seconds": Decimal(str(facts.value("lambda_x86_gb_second_usd"))),
    "lambda_requests": Decimal(str(facts.value("lambda_request_usd_per_million"))) / 1_000_000,
    "ddb_write_units": Decimal(str(facts.value("dynamodb_ondemand_wru_usd_per_million"))) / 1_000_000,
    "ddb_read_units": Decimal(str(facts.value("dynamodb_ondemand_rru_usd_per_million"))) / 1_000_000,
    "api_requests": Decimal(str(facts.value("apigw_http_request_usd_per_million"))) / 1_000_000,
    "events": Decimal(str(facts.value("eventbridge_custom_event_usd_per_million"))) / 1_000_000,
}
METRICS = tuple(PRICES)

# ------------------------------------------------------------------------------- usage log

#: The graded month: 14 tenants over November 2026; "megacorp" is the noisy one.
GRADED = {"seed": 1616, "tenants": 14, "month": "2026-11", "days": 30}


def usage_log(seed: int = 1616, tenants: int = 14, month: str = "2026-11", days: int = 30) -> list[dict]:
    """One row per day, tenant and metric: ``{"date", "tenant", "metric", "quantity"}``, the
    quantity as text (``"1234.5"``; GB-seconds have 3 decimals, counts none). Tenants' sizes
    follow a long tail (a few large ones, many small); ``megacorp`` sends about a third of all
    requests; a small tenant has days with no usage (no row, as an export omits zeros), and
    ``trial-*`` tenants use no DynamoDB reads at all."""
    rng = random.Random(seed)
    names = ["megacorp"] + [f"tenant-{i:02d}" for i in range(1, tenants - 2)] + ["trial-a", "trial-b"]
    rows: list[dict] = []
    for t_i, tenant in enumerate(names):
        scale = 40_000 if tenant == "megacorp" else int(6_000 / (1 + t_i) ** 0.8) + 50
        for day in range(1, days + 1):
            if tenant.startswith("tenant-1") and rng.random() < 0.2:
                continue  # a quiet day: the export has no row
            requests = max(1, int(rng.lognormvariate(math.log(scale), 0.35)))
            mem_gb = Decimal(rng.choice([128, 256, 512, 1024])) / 1024
            ms = Decimal(rng.randint(20, 400))
            q = {
                "api_requests": requests,
                "lambda_requests": requests + rng.randint(0, requests // 10),
                "lambda_gb_seconds": (mem_gb * ms * requests / 1000).quantize(Decimal("0.001")),
                "ddb_write_units": requests * rng.randint(1, 3),
                "ddb_read_units": 0 if tenant.startswith("trial-") else requests * rng.randint(2, 8),
                "events": requests // rng.randint(2, 5),
            }
            for metric, quantity in q.items():
                if quantity:
                    rows.append({"date": f"{month}-{day:02d}", "tenant": tenant, "metric": metric,
                                 "quantity": str(quantity)})
    rng.shuffle(rows)  # an export is not sorted
    return rows


def graded_log() -> list[dict]:
    return usage_log(**GRADED)


# ------------------------------------------------------------------------ load simulation

@dataclass
class LoadReport:
    """What :func:`simulate` measured, all in simulated time."""

    users: int
    seconds: float
    admitted: int = 0
    throttled: Counter = field(default_factory=Counter)       # tenant -> requests refused
    served: Counter = field(default_factory=Counter)          # tenant -> requests served
    latencies_ms: list[float] = field(default_factory=list)   # of served requests
    per_second: Counter = field(default_factory=Counter)      # second -> completions

    def percentile(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        if not xs:
            return float("nan")
        return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]  # nearest rank


def simulate(users: int = 10_000, tenants: int = 100, seconds: float = 60.0, *, think_s: float = 5.0,
             noisy_share: float = 0.1, noisy_think_s: float = 1.0, rate: float = 50.0, burst: int = 100,
             concurrency: int = 1_000, service_ms: float = 40.0, seed: int = 16) -> LoadReport:
    """``users`` concurrent users of ``tenants`` tenants, each sending a request, waiting for the
    answer, thinking (exponential, mean ``think_s``), and sending the next, for ``seconds`` of
    simulated time. ``noisy_share`` of the users belong to tenant ``t000`` and think only
    ``noisy_think_s``: the noisy neighbour. Each tenant has a token bucket (``rate`` per second,
    ``burst``); a refused request is answered 429 at once. Admitted requests wait for one of
    ``concurrency`` execution slots (Lambda's default account concurrency is 1,000) and hold it for
    a log-normal service time with median ``service_ms``. An event-driven simulation: a heap of
    (time, event), nothing sleeps."""
    rng = random.Random(seed)
    rep = LoadReport(users, seconds)
    names = [f"t{i:03d}" for i in range(tenants)]
    tokens = {t: float(burst) for t in names}
    stamp = {t: 0.0 for t in names}
    free, waiting = concurrency, []  # waiting: FIFO of (arrival, tenant, user)
    events: list[tuple[float, int, str, int, str, float]] = []
    seq = 0

    def push(at, kind, user, tenant, arrived=0.0):
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind, user, tenant, arrived))

    owner = {}
    for u in range(users):
        owner[u] = names[0] if rng.random() < noisy_share else rng.choice(names[1:])
        push(rng.uniform(0, think_s), "send", u, owner[u])

    def think(u):
        return rng.expovariate(1 / (noisy_think_s if owner[u] == names[0] else think_s))

    def start(now, u, tenant, arrived):
        nonlocal free
        free -= 1
        push(now + rng.lognormvariate(math.log(service_ms / 1000), 0.5), "done", u, tenant, arrived)

    while events:
        now, _, kind, u, tenant, arrived = heapq.heappop(events)
        if now > seconds:
            break
        if kind == "send":
            tokens[tenant] = min(burst, tokens[tenant] + (now - stamp[tenant]) * rate)
            stamp[tenant] = now
            if tokens[tenant] < 1:
                rep.throttled[tenant] += 1
                push(now + think(u), "send", u, tenant)
                continue
            tokens[tenant] -= 1
            rep.admitted += 1
            if free:
                start(now, u, tenant, now)
            else:
                waiting.append((now, tenant, u))
        else:  # done
            free += 1
            rep.served[tenant] += 1
            rep.latencies_ms.append((now - arrived) * 1000)
            rep.per_second[int(now)] += 1
            if waiting:
                a, t2, u2 = waiting.pop(0)
                start(now, u2, t2, a)
            push(now + think(u), "send", u, tenant)
    return rep


# ---------------------------------------------------------------------- partition heat

def write_units(item_bytes: int) -> int:
    """Write capacity units one standard write of an item of ``item_bytes`` consumes (1 KB each,
    rounded up)."""
    return max(1, math.ceil(item_bytes / 1024))


def partition_heat(writes, limit_wcu: int | None = None) -> dict[str, dict]:
    """``writes``: (epoch second, partition key value, item bytes). For each key: its peak WCU in
    any one second and the seconds over ``limit_wcu`` (DynamoDB's per-partition write limit by
    default). A key over the limit is hot: no table-level capacity can serve it, as one partition
    key value lives in one partition (until adaptive capacity splits it by sort key)."""
    limit = limit_wcu or facts.value("dynamodb_partition_wcu")
    per = defaultdict(Counter)
    for second, key, size in writes:
        per[key][int(second)] += write_units(size)
    return {k: {"peak_wcu": max(c.values()), "seconds_over": sum(v > limit for v in c.values()),
                "hot": max(c.values()) > limit} for k, c in per.items()}


# ------------------------------------------------------------------------------ envelopes

def eventbridge_event(event_id: str, detail_type: str, detail: dict, *, source: str = "tasks.api",
                      time: str = "2026-12-02T09:00:00Z", bus: str = "default") -> dict:
    """The event as EventBridge delivers it to a Lambda target (version 0 envelope)."""
    return {
        "version": "0", "id": event_id, "detail-type": detail_type, "source": source,
        "account": aws.ACCOUNT_ID, "time": time, "region": aws.REGION,
        "resources": [f"arn:aws:events:{aws.REGION}:{aws.ACCOUNT_ID}:event-bus/{bus}"],
        "detail": json.loads(json.dumps(detail)),
    }


def cloudevent_http(event_id: str, ce_type: str, data: dict, *, mode: str = "binary",
                    source: str = "/tasks/api", headers: dict | None = None,
                    time: str = "2026-12-02T09:00:00Z") -> tuple[dict, bytes]:
    """The event as a CloudEvents 1.0 HTTP request: ``(headers, body)``. ``mode="binary"``: the
    attributes in ``ce-*`` headers, the data as the body; ``"structured"``: the whole event as a
    JSON body of type ``application/cloudevents+json``. ``headers`` are added (an
    ``authorization`` header, say)."""
    from datetime import datetime

    from cloudevents.core.bindings.http import to_binary_event, to_structured_event
    from cloudevents.core.v1.event import CloudEvent

    event = CloudEvent({"id": event_id, "type": ce_type, "source": source, "specversion": "1.0",
                        "time": datetime.fromisoformat(time.replace("Z", "+00:00")),
                        "datacontenttype": "application/json"}, data)
    if mode == "binary":
        message = to_binary_event(event)
    elif mode == "structured":
        message = to_structured_event(event)
    else:
        raise ValueError(f"mode must be 'binary' or 'structured', not {mode!r}")
    out = {str(k).lower(): str(v) for k, v in message.headers.items()}
    out.update({k.lower(): v for k, v in (headers or {}).items()})
    return out, bytes(message.body)


def parse_cloudevent(headers: dict, body: bytes):
    """The SDK's CloudEvent from an HTTP request in either mode (header names in any case):
    ``.get_id()``, ``.get_type()``, ``.get_data()``, ``.get_attributes()``."""
    from cloudevents.core.bindings.http import HTTPMessage, from_http_event

    return from_http_event(HTTPMessage({str(k).lower(): str(v) for k, v in headers.items()}, body))
