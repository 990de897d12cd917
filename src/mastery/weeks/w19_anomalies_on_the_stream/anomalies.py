"""Planted anomalies on the month-5 telemetry stream, the exercise's detector rule, and scoring.

The readings are week 17's (:func:`mastery.weeks.w17_streams_and_lambda.telemetry.generate`:
the same ``{"device", "seq", "ts", "temp_c"}`` bytes and :class:`~telemetry.Put` tags); this
module does not generate a second stream, it *plants* anomalies in that one, seeded:

* every device gets its own baseline (an offset: a freezer, a room, a boiler room), so one
  baseline for the whole fleet is wrong for most devices;
* an anomalous device gets two **episodes**: a burst of :data:`BURST` consecutive spikes, then,
  at least six readings later (past the suppression window, still inside the history), a
  single spike. The burst contaminates the baseline the single spike is judged against: a
  mean/standard-deviation baseline is dragged towards it and misses it, a median/MAD one does
  not (Hampel's breakdown point argument; Leys et al. 2013);
* a producer's duplicate carries the same bytes as its reading, spikes included.

The rule (the exercise's spec, :func:`alerts`): a device's history is its last :data:`HISTORY`
distinct readings before the one being scored, in stream order; a reading is scored once the
device has at least :data:`WARMUP` earlier readings; it is anomalous when
``|x - median| > K * max(MAD, MAD_FLOOR)`` (the robust z-score ``0.6745 (x - median) / MAD``
above ``0.6745 K``, compared without a division so the boundary is exact); an alert is sent
unless the device's last alert was less than :data:`SUPPRESS_S` seconds of *event time* earlier
(at exactly ``SUPPRESS_S`` a new alert is allowed). Every distinct reading enters the history,
anomalous or not; a reading is one ``(device, seq)``, counted once whatever the deliveries.
Plumbing only: never the learner's handler.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from statistics import median

from mastery.weeks.w17_streams_and_lambda import telemetry
from mastery.weeks.w17_streams_and_lambda.telemetry import Put

HISTORY = 15          # readings in a device's baseline (the last N before the scored one)
WARMUP = 10           # earlier readings a device needs before a reading is scored
K = 5                 # alert when |x - median| > K * MAD (robust |z| > 0.6745 * 5 = 3.37)
MAD_FLOOR = Decimal("0.5")  # a MAD below this counts as this (a flat-lining sensor)
SUPPRESS_S = 300      # one alert per device per 5 minutes of event time
BURST = 4             # spikes in a burst episode
SPIKE_C = (36, 44)    # a spike's size, degrees C (the sign is drawn)
OFFSETS = (-15, 0, 0, 12, 25)   # device baselines around telemetry's 21 C (freezer ... boiler room)
MARGIN = Decimal("0.3")         # graded streams keep scored readings this far from the threshold
PRECISION_FLOOR = 0.9
RECALL_FLOOR = 0.9

# The streams the exercise's hidden tests replay (device prefix -> stream() arguments); the
# trusted checks (``checks.py``) recompute the alerts from the same arguments.
GRADED = {
    "full": dict(seed=1906, devices=6, readings=24),
    "retry": dict(seed=1947, devices=3, readings=22),
    "dup": dict(seed=1914, devices=3, readings=22, duplicates=0.5),
    "thr": dict(seed=1904, devices=2, readings=22),
    "visible": dict(seed=1960, devices=3, readings=22),   # test-visible, under a fresh device prefix
}


@dataclass(frozen=True)
class Stream:
    """Records in stream order and the planted anomalies: each episode is a set of reading ids
    ``device#seq`` (a burst has several, a single spike one)."""

    puts: list[Put]
    episodes: list[frozenset[str]]

    @property
    def anomalous(self) -> set[str]:
        return set().union(*self.episodes) if self.episodes else set()


def stream(seed: int = 19, devices: int = 6, readings: int = 24, *, prefix: str = "dev",
           duplicates: float = 0.0, anomalous: float = 0.7) -> Stream:
    """Week 17's telemetry for ``devices`` devices (no poison, no late readings: a device's
    readings arrive in ``seq`` order, duplicates aside), each moved to its own baseline, with
    planted episodes on a share ``anomalous`` of the devices (at least one)."""
    base = telemetry.generate(seed=seed, devices=devices, readings=readings, prefix=prefix,
                              duplicates=duplicates, late=0.0, poison=0.0)
    rng = random.Random(seed * 7919)
    names = sorted({p.key for p in base})
    offset = {d: rng.choice(OFFSETS) for d in names}
    hit = [d for d in names if rng.random() < anomalous] or [names[0]]
    spikes: dict[str, Decimal] = {}
    episodes: list[frozenset[str]] = []
    for d in hit:
        if readings < WARMUP + BURST + 8:
            break
        start = rng.randrange(WARMUP + 2, readings - BURST - 6 + 1)
        burst = range(start, start + BURST)
        sign = rng.choice((-1, 1))
        for s in burst:
            spikes[f"{d}#{s}"] = Decimal(sign * rng.randint(*SPIKE_C))
        single = start + BURST + 5 + rng.randrange(0, 2)
        if single <= readings:
            spikes[f"{d}#{single}"] = Decimal(-sign * rng.randint(*SPIKE_C))
            episodes += [frozenset(f"{d}#{s}" for s in burst), frozenset({f"{d}#{single}"})]
        else:
            episodes.append(frozenset(f"{d}#{s}" for s in burst))
    out = []
    for p in base:
        r = p.reading()
        rid = f"{r['device']}#{r['seq']}"
        temp = r["temp_c"] + offset[r["device"]] + spikes.get(rid, 0)
        temp = min(max(temp, telemetry.TEMP_RANGE[0]), telemetry.TEMP_RANGE[1])
        ts = datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        out.append(Put(p.key, telemetry.reading_bytes(r["device"], r["seq"], ts, temp), p.kind))
    return Stream(out, episodes)


def graded(prefix: str) -> Stream:
    """One of the hidden tests' streams."""
    return stream(**GRADED[prefix], prefix=prefix)


def epoch(ts: str) -> int:
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def alert_id(device: str, seq: int) -> str:
    return f"{device}#{seq}"


@dataclass(frozen=True)
class Scored:
    """One scored reading: its id, ``|x - median|`` and the threshold ``K * max(MAD, floor)``."""

    rid: str
    ts: int
    deviation: Decimal
    limit: Decimal

    @property
    def anomalous(self) -> bool:
        return self.deviation > self.limit


def score(puts: list[Put]) -> list[Scored]:
    """Every scored reading by the rule, in stream order (exact decimals; parsing the tagged
    bytes, not a handler's event)."""
    history: dict[str, list[Decimal]] = {}
    seen: set[str] = set()
    out = []
    for p in puts:
        if p.kind == "poison":
            continue
        r = json.loads(p.data, parse_float=Decimal)
        rid = alert_id(r["device"], r["seq"])
        if rid in seen:
            continue
        seen.add(rid)
        h = history.setdefault(r["device"], [])
        x = Decimal(r["temp_c"])
        if len(h) >= WARMUP:
            window = h[-HISTORY:]
            m = median(window)
            mad = median([abs(v - m) for v in window])
            out.append(Scored(rid, epoch(r["ts"]), abs(x - m), K * max(mad, MAD_FLOOR)))
        h.append(x)
    return out


def alerts(puts: list[Put]) -> list[str]:
    """The alert ids the rule sends for ``puts``, in stream order (suppression by event time)."""
    last: dict[str, int] = {}
    out = []
    for s in score(puts):
        device = s.rid.rsplit("#", 1)[0]
        if s.anomalous and (device not in last or s.ts - last[device] >= SUPPRESS_S):
            last[device] = s.ts
            out.append(s.rid)
    return out


def precision_recall(sent, episodes) -> tuple[float, float]:
    """Precision: the share of distinct alerts on a planted anomalous reading (1.0 with no
    alert); recall: the share of planted episodes with at least one alert on one of their
    readings (1.0 with no episode)."""
    sent = set(sent)
    planted = set().union(*episodes) if episodes else set()
    precision = len(sent & planted) / len(sent) if sent else 1.0
    recall = sum(1 for e in episodes if e & sent) / len(episodes) if episodes else 1.0
    return precision, recall


def alert_ids(bodies) -> list[str]:
    """The ``alert`` field of each message body (a body that is not the spec's JSON counts as
    ``"?"``), duplicates kept."""
    out = []
    for b in bodies:
        try:
            out.append(str(json.loads(b)["alert"]))
        except (ValueError, KeyError, TypeError):
            out.append("?")
    return out


def queue_alerts(url: str, sqs=None) -> list[str]:
    """The alert ids in queue ``url`` (every message read once and made visible again;
    duplicates kept), sorted."""
    from mastery import aws
    from mastery.weeks.w22_containing_failure.breakers import queue_bodies

    return sorted(alert_ids(queue_bodies(sqs or aws.client("sqs"), url)))


def problems(got: list[str], s: Stream) -> list[str]:
    """What is wrong with the alerts ``got`` (ids, duplicates kept) for stream ``s``: duplicates,
    alerts the rule does not send, alerts it sends that are missing, and the floors."""
    want = alerts(s.puts)
    out = []
    dups = sorted({a for a in got if got.count(a) > 1})
    if dups:
        out.append(f"{len(dups)} alert(s) sent more than once: {dups[:4]}")
    extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
    if extra:
        out.append(f"{len(extra)} alert(s) the rule does not send: {extra[:4]}")
    if missing:
        out.append(f"{len(missing)} alert(s) missing: {missing[:4]}")
    p, r = precision_recall(got, s.episodes)
    if p < PRECISION_FLOOR or r < RECALL_FLOOR:
        out.append(f"precision {p:.2f} (floor {PRECISION_FLOOR}), recall {r:.2f} (floor {RECALL_FLOOR}) "
                   f"over {len(s.episodes)} planted episodes")
    return out


# The hidden tests' hand-made cases (every temperature a multiple of 0.5 C, exact in binary
# floating point and in decimals, so the boundaries hold whatever arithmetic a handler uses).
CRAFTED_START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
WARM = [Decimal("20.0"), Decimal("21.0")] * 5     # 10 readings: median 20.5, MAD 0.5


def series(device: str, temps, offsets=None, first_seq: int = 1) -> list[Put]:
    """``device``'s readings ``temps`` at ``offsets`` seconds after 08:00:00 (default one a
    minute), seq from ``first_seq``."""
    offsets = offsets if offsets is not None else [60 * i for i in range(len(temps))]
    out = []
    for i, (t, dt) in enumerate(zip(temps, offsets, strict=True)):
        ts = datetime.fromtimestamp(CRAFTED_START.timestamp() + dt, UTC)
        out.append(Put(device, telemetry.reading_bytes(device, first_seq + i, ts, Decimal(t)), "reading"))
    return out


def crafted(name: str) -> list[Put]:
    """``edge``: the threshold and the MAD floor at their boundaries; ``warm``: the warm-up's;
    ``sup``: the suppression window's, and suppression per device."""
    d = Decimal
    if name == "edge":
        flat = [d("20.0")] * 10
        return (series("edge-001", WARM + [d("23.0")])       # |x - m| = 2.5 = 5 * MAD: not above
                + series("edge-002", WARM + [d("23.5")])     # 3.0 > 2.5: an alert
                + series("edge-003", WARM + [d("18.0")])     # 2.5 below the median: not above
                + series("edge-004", flat + [d("22.5")])     # MAD 0 -> 0.5: 2.5 is not above
                + series("edge-005", flat + [d("23.0")]))    # 3.0 > 2.5: an alert
    if name == "warm":
        return (series("warm-001", WARM[:9] + [d("40.0")])   # 9 earlier readings: not scored
                + series("warm-002", WARM + [d("40.0")]))    # 10 earlier readings: an alert
    if name == "sup":
        t0 = 600
        return (series("sup-001", WARM + [d("40.0")] * 3,
                       [60 * i for i in range(10)] + [t0, t0 + SUPPRESS_S - 1, t0 + SUPPRESS_S])
                + series("sup-002", WARM + [d("40.0")], [60 * i for i in range(10)] + [t0 + 100]))
    raise KeyError(name)


CRAFTED_ALERTS = {"edge": {"edge-002#11", "edge-005#11"}, "warm": {"warm-002#11"},
                  "sup": {"sup-001#11", "sup-001#13", "sup-002#11"}}


def empty_queue(name: str, sqs=None) -> str:
    """Queue ``name``, created if missing and emptied (receive and delete: ``PurgeQueue`` is
    allowed once a minute per queue); its URL."""
    from mastery import aws
    from mastery.weeks.w22_containing_failure.breakers import empty

    sqs = sqs or aws.client("sqs")
    url = aws.ensure_queue(name, sqs=sqs)
    empty(sqs, url)
    return url


PER_DEVICE_DRAWS = 6   # seeded interleavings of test-per-device, after its explicit case


def per_device_cases() -> list[tuple[list[int], int]]:
    """test-per-device's cases: ``(order, batch)``, the order in which two devices' 12 readings
    each are interleaved (0: the first device's next reading, 1: the second's; each device's
    own order kept) and the batch size the handler gets. First the second device entirely
    before the first in one batch of 6, then derandomized Hypothesis draws, the same list in the
    kernel and in the grader's trusted check (:func:`mastery.draws.draws`)."""
    from hypothesis import strategies as st

    from mastery.draws import draws

    orders = st.lists(st.sampled_from([0, 1]), min_size=24, max_size=24)
    return draws(st.tuples(orders, st.integers(1, 6)), PER_DEVICE_DRAWS, examples=(([1] * 24, 6),))
