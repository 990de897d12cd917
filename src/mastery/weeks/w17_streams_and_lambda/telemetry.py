"""Device telemetry for the month-5 capstone: a seeded stream with what real streams carry.

:func:`generate` makes the records a fleet of devices puts on a Kinesis stream, in arrival
order, each tagged with what it is (the tag never goes on the stream):

* ``reading``   a device's reading ``{"device", "seq", "ts", "temp_c"}``: ``seq`` counts the
  device's readings from 1, ``ts`` is the event time (ISO 8601, UTC), ``temp_c`` has one decimal;
* ``duplicate`` the same bytes again, as a producer that retried a put whose first attempt had
  landed (a timeout on the response) sends them: same reading, new sequence number;
* ``late``      a reading that arrives after a later reading of its device (a device that
  buffered while offline): out of order, but still a reading to count;
* ``poison``    bytes no retry will ever make valid: truncated JSON, not UTF-8, a JSON list,
  a missing or non-numeric temperature, a sequence of 0, a temperature outside the sensor's range.

:func:`expected` is what the aggregates must be, computed from the tags (never by parsing the
bytes, so it does not share a parser's mistakes). Plumbing only: never the learner's handler.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from mastery import aws, draws

TEMP_RANGE = (Decimal("-50"), Decimal("150"))  # the sensor's range, inclusive (the exercise's spec)
# The streams the exercise's hidden tests replay (device prefix -> generate() arguments); the
# trusted checks (``checks.py``) recompute what the tables must hold from the same arguments.
GRADED = {
    "full": dict(seed=1705, devices=6, readings=6, poison=0.12),
    "replay": dict(seed=1706, devices=3, readings=4, poison=0.15),
    "dup": dict(seed=1707, devices=3, readings=5, duplicates=0.6, late=0.2, poison=0),
    "thr": dict(seed=1708, devices=4, readings=3, duplicates=0.2, poison=0),
    **{f"crash{n}": dict(seed=1709 + n, devices=1, readings=2, duplicates=0, late=0, poison=0)
       for n in range(1, 7)},
}


def graded(prefix: str) -> list[Put]:
    """The records of one of the hidden tests' streams."""
    return generate(**GRADED[prefix], prefix=prefix)


DELIVERY_CASES = 8          # how many cases test-any-delivery draws, after its explicit one
DELIVERY_DAY = datetime(2026, 11, 2)
DELIVERY_DEVICE = re.compile(r"^p(?P<tag>[0-9a-f]{6})x(?P<case>\d+)-\d{3}$")  # its devices' names


@dataclass(frozen=True)
class Delivery:
    """One way a stream's records can reach the handler: ``puts`` in stream order, and the
    batches the mapping delivers, as indexes into ``puts`` (a batch may come twice)."""

    puts: list[Put]
    batches: list[list[int]]


def delivery_cases(tag: str, n: int = DELIVERY_CASES) -> list[Delivery]:
    """test-any-delivery's cases: ``n`` derandomized Hypothesis draws of a few devices'
    readings (a producer that retries keeps a reading's first temperature), cut into batches
    of any size, any batch delivered twice. The first case is explicit: the range's two ends
    (the spec's range is inclusive) and a producer's retry, in a batch delivered twice. The
    hidden test (in the kernel) and its trusted check (in the grading process) draw the same
    cases (:func:`mastery.draws.draws`); the devices are named
    ``p<tag>x<case>-<nnn>``, so a fresh ``tag`` per run of the cell starts from nothing."""
    from hypothesis import strategies as st

    low, high = TEMP_RANGE
    drawn = draws.draws(
        st.tuples(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 6),
                                     st.decimals(low, high, places=1, allow_nan=False)),
                           min_size=1, max_size=8),
                  st.lists(st.integers(1, 5), min_size=1, max_size=6),    # batch sizes, cycled
                  st.lists(st.booleans(), min_size=1, max_size=6)),       # which batches come twice
        n, examples=(([(1, 1, low), (1, 2, high), (2, 1, Decimal("21.5")), (1, 1, Decimal("99.9"))],
                      [3, 1], [True, False]),))
    out = []
    for case, (readings, cuts, redeliver) in enumerate(drawn):
        first: dict = {}
        for d, s, t in readings:
            first.setdefault((d, s), t)
        device = [f"p{tag}x{case}-{d:03d}" for d, _, _ in readings]
        puts = [Put(dev, reading_bytes(dev, s, DELIVERY_DAY, first[(d, s)]), "reading")
                for dev, (d, s, _) in zip(device, readings, strict=True)]
        batches, i, k = [], 0, 0
        while i < len(puts):
            size = cuts[k % len(cuts)]
            batches.append(list(range(i, min(i + size, len(puts)))))
            if redeliver[k % len(redeliver)]:
                batches.append(batches[-1])
            i, k = i + size, k + 1
        out.append(Delivery(puts, batches))
    return out
PUT_RECORDS_LIMIT = 500  # records per PutRecords call (Kinesis API reference)

_POISON = (
    lambda d, s: f'{{"device": "{d}", "seq": {s}, "ts": '.encode(),          # truncated JSON
    lambda d, s: b"\xff\xfe\x00garbage",                                      # not UTF-8
    lambda d, s: json.dumps([d, s, 21.5]).encode(),                           # a list, not an object
    lambda d, s: json.dumps({"device": d, "seq": s, "ts": "2026-11-02T08:00:00Z"}).encode(),  # no temp
    lambda d, s: json.dumps({"device": d, "seq": s, "ts": "2026-11-02T08:00:00Z",
                             "temp_c": "hot"}).encode(),                      # not a number
    lambda d, s: json.dumps({"device": d, "seq": 0, "ts": "2026-11-02T08:00:00Z",
                             "temp_c": 20.0}).encode(),                       # seq starts at 1
    lambda d, s: json.dumps({"device": d, "seq": s, "ts": "2026-11-02T08:00:00Z",
                             "temp_c": 150.1}).encode(),                      # out of range
)


@dataclass(frozen=True)
class Put:
    """One record as a producer puts it: partition key, bytes, and what it is (not sent)."""

    key: str
    data: bytes
    kind: str  # "reading", "duplicate", "late" or "poison"

    def reading(self) -> dict:
        """The reading a ``reading``/``duplicate``/``late`` record carries (temperature exact)."""
        return json.loads(self.data, parse_float=Decimal)


def reading_bytes(device: str, seq: int, ts: datetime, temp_c: Decimal) -> bytes:
    return json.dumps({"device": device, "seq": seq, "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "temp_c": float(temp_c)}).encode()


def generate(seed: int = 17, devices: int = 12, readings: int = 8, *, prefix: str = "dev",
             duplicates: float = 0.1, late: float = 0.1, poison: float = 0.05,
             start: datetime = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)) -> list[Put]:
    """The records of ``devices`` devices sending ``readings`` readings each, interleaved in
    arrival order, with planted duplicates, late readings and poison (rates per reading)."""
    rng = random.Random(seed)
    names = [f"{prefix}-{n:03d}" for n in range(1, devices + 1)]
    timeline: list[tuple[float, int, Put]] = []
    order = 0
    for name in names:
        t = start + timedelta(seconds=rng.randrange(0, 60))
        for seq in range(1, readings + 1):
            t += timedelta(seconds=60 + rng.randrange(-5, 6))
            temp = Decimal(str(round(rng.gauss(21.0, 4.0), 1)))
            temp = min(max(temp, TEMP_RANGE[0]), TEMP_RANGE[1])
            arrival = t.timestamp()
            kind = "reading"
            if seq > 1 and rng.random() < late:
                arrival += 90 + rng.randrange(0, 60)  # arrives after the device's next reading
                kind = "late"
            put = Put(name, reading_bytes(name, seq, t, temp), kind)
            timeline.append((arrival, order, put))
            order += 1
            if rng.random() < duplicates:
                timeline.append((arrival + rng.uniform(0.5, 3.0), order, Put(name, put.data, "duplicate")))
                order += 1
            if rng.random() < poison:
                bad = _POISON[rng.randrange(len(_POISON))](name, seq)
                timeline.append((arrival + rng.uniform(0.1, 1.0), order, Put(name, bad, "poison")))
                order += 1
    arrived, highest = [p for _, _, p in sorted(timeline, key=lambda x: (x[0], x[1]))], {}
    out = []
    for p in arrived:  # the tag says what happened: late = overtaken by a later seq of its device
        if p.kind in ("reading", "late"):
            seq = p.reading()["seq"]
            kind = "late" if seq < highest.get(p.key, 0) else "reading"
            highest[p.key] = max(seq, highest.get(p.key, 0))
            p = Put(p.key, p.data, kind)
        out.append(p)
    return out


def expected(puts: list[Put]) -> dict[str, dict]:
    """Per device: ``readings`` (distinct readings), ``total_c`` and ``max_c`` (exact decimals)
    and ``last_seq`` (the highest seq), from the tags; devices with no valid reading are absent."""
    seen: dict[str, dict[int, Decimal]] = {}
    for p in puts:
        if p.kind == "poison":
            continue
        r = p.reading()
        seen.setdefault(r["device"], {})[r["seq"]] = r["temp_c"]
    return {d: {"readings": len(s), "total_c": sum(s.values(), Decimal(0)), "max_c": max(s.values()),
                "last_seq": max(s)} for d, s in seen.items()}


def create_stream(name: str, shards: int = 2, kinesis=None) -> str:
    """Create Kinesis stream ``name`` (on-demand streams are not modelled: provisioned shards)
    once, and return its ARN."""
    k = kinesis or aws.client("kinesis")
    try:
        k.create_stream(StreamName=name, ShardCount=shards)
    except k.exceptions.ResourceInUseException:
        pass
    return k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def put(stream_arn: str, puts: list[Put], kinesis=None) -> list[str]:
    """Put the records in order (PutRecords, 500 a call, failed entries put again) and return
    their sequence numbers, one per record. The emulator keeps a call's order; on AWS, PutRecords
    does not promise order, and a producer that needs it uses PutRecord per key."""
    k = kinesis or aws.client("kinesis")
    out: list[str] = []
    for i in range(0, len(puts), PUT_RECORDS_LIMIT):
        chunk = puts[i:i + PUT_RECORDS_LIMIT]
        entries = [{"Data": p.data, "PartitionKey": p.key} for p in chunk]
        result = k.put_records(StreamARN=stream_arn, Records=entries)["Records"]
        for n, r in enumerate(result):
            if "SequenceNumber" not in r:  # throttled entry: put it again on its own
                r = k.put_record(StreamARN=stream_arn, Data=entries[n]["Data"],
                                 PartitionKey=entries[n]["PartitionKey"])
            out.append(r["SequenceNumber"])
    return out


def stats_of(table: str, devices, ddb=None) -> dict[str, dict]:
    """The aggregates the stats table holds for ``devices`` (strongly consistent reads), as
    Decimals and ints; a device without an item is absent."""
    return aws.items_by_key(table, "device", devices, ("readings", "total_c", "max_c", "last_seq"),
                            ("readings", "last_seq"), ddb)


def quarantined(table: str, ddb=None) -> dict[str, dict]:
    """The quarantine table: sequence number -> item."""
    return {i["sequenceNumber"]: i for i in aws.scan_all(table, ddb=ddb)} if table else {}
