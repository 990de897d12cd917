"""Event-time windows over the month-5 telemetry stream, and what they must add up to.

The readings are week 17's (:mod:`mastery.weeks.w17_streams_and_lambda.telemetry`: the same
``{"device", "seq", "ts", "temp_c"}`` bytes, the same :class:`~telemetry.Put` tags, the same
``create_stream``/``put``), generated here with what windowing has to survive:

* device clocks that disagree (device *k* runs ``k * skew`` seconds ahead), so one watermark for
  the whole shard would close other devices' windows too early;
* readings that arrive out of order but within the allowed lateness (counted), and readings
  that arrive after their window closed (``late``: kept apart, never merged);
* readings exactly on a window boundary (``ts % WINDOW_S == 0``), which belong to the window
  that *starts* there;
* producer duplicates (the same bytes under a new sequence number).

The rules (the exercise's spec): windows are ``[k*WINDOW_S, (k+1)*WINDOW_S)`` of *event* time
(``ts``); a device's watermark is the highest ``ts`` of its readings processed so far; a window
is closed once the watermark has reached its end plus ``ALLOWED_LATENESS_S`` (at exactly that
point it is closed); a reading whose window is closed is late; a reading is one
``(device, seq)``, counted once whatever the deliveries.

:func:`expected` computes the windows and the late readings from the tags and the rules, one
device at a time in arrival order, without parsing a record's bytes the way a handler would.
Plumbing only: never the learner's handler.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from mastery.weeks.w17_streams_and_lambda.telemetry import Put, reading_bytes

WINDOW_S = 60             # tumbling window width, seconds of event time
ALLOWED_LATENESS_S = 120  # how long after its end a window still takes readings (watermark time)
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)

# The streams the exercise's hidden tests replay (device prefix -> generate() arguments); the
# trusted checks (``checks.py``) recompute what the tables must hold from the same arguments.
GRADED = {
    "full": dict(seed=1802, devices=3, readings=9, duplicates=0.15, disorder=0.2, late=0.2),
    "replay": dict(seed=1803, devices=2, readings=5, late=0.25),
    "dup": dict(seed=1803, devices=2, readings=6, duplicates=0.5),
    "retry": dict(seed=1804, devices=2, readings=6, late=0.2),
    "order": dict(seed=1805, devices=3, readings=5, duplicates=0.0),
    **{f"crash{n}": dict(seed=1805 + n, devices=1, readings=2, duplicates=0, disorder=0, late=0)
       for n in range(1, 9)},
}

def graded(prefix: str) -> list[Put]:
    """The records of one of the hidden tests' streams."""
    return generate(**GRADED[prefix], prefix=prefix)


DELIVERY_CASES = 4  # how many cases test-any-delivery draws
DELIVERY_DEVICE = re.compile(r"^p(?P<tag>[0-9a-f]{6})x(?P<case>\d+)-\d{3}#")  # its windows' keys


@dataclass(frozen=True)
class Delivery:
    """One way a stream's readings reach the handler: ``puts`` in stream order, and the batches
    delivered, as indexes into ``puts`` (a batch delivered twice comes twice in a row)."""

    prefix: str
    puts: list[Put]
    batches: list[list[int]]


def delivery_cases(tag: str, n: int = DELIVERY_CASES) -> list[Delivery]:
    """test-any-delivery's cases: ``n`` derandomized Hypothesis draws of two devices' readings
    at times around the window and lateness boundaries (a producer that retries keeps a
    reading's first time and value), cut into batches of any size, any batch delivered twice;
    first an explicit case: a reading on a window's end, a late one, a producer's retry with
    another time, in a batch delivered twice. The hidden test (in the kernel) and its trusted
    check (in the grading process) draw the same cases (:func:`mastery.draws.draws`); the
    devices are ``p<tag>x<case>-<nnn>``, so a fresh ``tag`` per run of the cell starts from
    nothing."""
    from hypothesis import strategies as st

    from mastery import draws

    start = epoch("2026-11-02T08:00:00Z")
    drawn = draws.draws(
        st.tuples(st.lists(st.tuples(st.integers(1, 2), st.integers(1, 6),
                                     st.sampled_from([0, 30, 59, 60, 61, 180, 200, 300]),
                                     st.decimals(-50, 150, places=1, allow_nan=False)),
                           min_size=1, max_size=6),
                  st.lists(st.integers(1, 4), min_size=1, max_size=5),    # batch sizes, cycled
                  st.lists(st.booleans(), min_size=1, max_size=5)),       # which batches come twice
        n, examples=(([(1, 1, 0, Decimal("10.0")), (1, 2, 60, Decimal("12.0")), (1, 3, 300, Decimal("13.0")),
                       (1, 4, 59, Decimal("9.0")), (1, 2, 61, Decimal("99.9")), (2, 1, 180, Decimal("21.0"))],
                      [2, 3], [True, False]),))
    out = []
    for case, (readings, cuts, redeliver) in enumerate(drawn):
        prefix, first = f"p{tag}x{case}", {}
        for d, s, t, c in readings:
            first.setdefault((d, s), (t, c))
        puts = []
        for d, s, _, _ in readings:
            t, c = first[(d, s)]
            name = f"{prefix}-{d:03d}"
            when = datetime.fromtimestamp(start + t, UTC)
            puts.append(Put(name, reading_bytes(name, s, when, c), "reading"))
        batches, i, k = [], 0, 0
        while i < len(puts):
            batch = list(range(i, min(i + cuts[k % len(cuts)], len(puts))))
            batches += [batch, batch] if redeliver[k % len(redeliver)] else [batch]
            i, k = i + len(batch), k + 1
        out.append(Delivery(prefix, puts, batches))
    return out


def epoch(ts: str) -> int:
    """``2026-11-02T08:01:00Z`` -> seconds since the epoch."""
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_key(device: str, ts: str) -> str:
    """The key of the window a reading belongs to: ``device#<window start, ISO 8601>``."""
    t = epoch(ts)
    return f"{device}#{iso(t - t % WINDOW_S)}"


def generate(seed: int = 18, devices: int = 6, readings: int = 40, *, prefix: str = "dev",
             duplicates: float = 0.08, disorder: float = 0.1, late: float = 0.05, skew: int = 400,
             start: datetime = START) -> list[Put]:
    """Readings of ``devices`` devices in arrival order (each device's own order as its shard
    keeps it), with skewed clocks, out-of-order and late readings, boundary timestamps and
    producer duplicates (rates per reading). Tags: ``reading``, ``duplicate``, ``late`` (the
    rules put it in the late table)."""
    rng = random.Random(seed)
    timeline: list[tuple[float, int, Put]] = []
    order = 0
    for k in range(devices):
        name = f"{prefix}-{k + 1:03d}"
        clock = start + timedelta(seconds=k * skew + rng.randrange(0, 30))
        t = clock
        for seq in range(1, readings + 1):
            step = rng.choice((10, 15, 20, 25))
            t += timedelta(seconds=step)
            if rng.random() < 0.15:                      # land exactly on a window boundary
                t = t - timedelta(seconds=t.second % WINDOW_S) + timedelta(seconds=WINDOW_S)
            temp = Decimal(str(round(rng.gauss(21.0, 4.0), 1)))
            arrival = (t - timedelta(seconds=k * skew)).timestamp()   # the device's clock is ahead
            roll = rng.random()
            if seq > 1 and roll < late:
                arrival += ALLOWED_LATENESS_S + WINDOW_S + rng.randrange(0, 120)   # long offline
            elif seq > 1 and roll < late + disorder:
                arrival += rng.randrange(20, 60)                                   # a short hiccup
            put = Put(name, reading_bytes(name, seq, t, temp), "reading")
            timeline.append((arrival, order, put))
            order += 1
            if rng.random() < duplicates:
                timeline.append((arrival + rng.uniform(0.5, 30.0), order, Put(name, put.data, "duplicate")))
                order += 1
    arrived = [p for _, _, p in sorted(timeline, key=lambda x: (x[0], x[1]))]
    _, late_ids = expected(arrived)
    return [Put(p.key, p.data, "late") if p.kind == "reading" and _rid(p) in late_ids else p for p in arrived]


def _rid(p: Put) -> str:
    r = json.loads(p.data)
    return f"{r['device']}#{r['seq']}"


def expected(puts: list[Put]) -> tuple[dict[str, dict], set[str]]:
    """What the tables must hold after ``puts``: ``{window key: {"readings", "total_c",
    "max_c"}}`` (exact decimals) and the set of late reading ids ``device#seq``."""
    watermark: dict[str, int] = {}
    first: dict[str, tuple[str, Decimal]] = {}    # reading id -> (its window, temperature) if counted
    late: set[str] = set()
    for p in puts:
        if p.kind == "poison":
            continue
        r = json.loads(p.data, parse_float=Decimal)
        device, rid, t = r["device"], f"{r['device']}#{r['seq']}", epoch(r["ts"])
        if rid not in first and rid not in late:
            end = t - t % WINDOW_S + WINDOW_S
            if watermark.get(device, t) >= end + ALLOWED_LATENESS_S:
                late.add(rid)
            else:
                first[rid] = (window_key(device, r["ts"]), Decimal(r["temp_c"]))
        watermark[device] = max(watermark.get(device, t), t)
    windows: dict[str, dict] = {}
    for key, temp in first.values():
        w = windows.setdefault(key, {"readings": 0, "total_c": Decimal(0), "max_c": temp})
        w["readings"] += 1
        w["total_c"] += temp
        w["max_c"] = max(w["max_c"], temp)
    return windows, late


def windows_of(table: str, keys, ddb=None) -> dict[str, dict]:
    """The aggregates the windows table holds for ``keys`` (strongly consistent reads), as
    Decimals and ints; a window without an item is absent."""
    from mastery import aws

    return aws.items_by_key(table, "window", keys, ("readings", "total_c", "max_c"), ("readings",), ddb)


def items_with_prefix(table: str, key: str, prefix, ddb=None) -> set[str]:
    """The keys of ``table`` that start with ``prefix-`` (or any of several prefixes; a paged,
    consistent scan)."""
    from mastery import aws

    starts = tuple(p + "-" for p in ([prefix] if isinstance(prefix, str) else prefix))
    ddb, out, kw = ddb or aws.client("dynamodb"), set(), {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kw)
        out |= {i[key]["S"] for i in page["Items"] if i.get(key, {}).get("S", "").startswith(starts)}
        if "LastEvaluatedKey" not in page:
            return out
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
