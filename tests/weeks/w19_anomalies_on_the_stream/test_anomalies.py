"""The plumbing of week 19: planted anomalies on week 17's stream, the detector's reference rule,
scoring against labels, and the SageMaker-runtime-shaped port."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from decimal import Decimal
from statistics import mean, median, pstdev

import pytest

from mastery import aws
from mastery.weeks.w17_streams_and_lambda import telemetry
from mastery.weeks.w19_anomalies_on_the_stream import anomalies as A
from mastery.weeks.w19_anomalies_on_the_stream import checks, scoring


def _variant(puts, *, centre=median, spread=None, per_device=True):
    """The rule with one thing changed (a wrong answer's detector), floats."""
    hist, last, out, seen = {}, {}, [], set()
    for p in puts:
        r = json.loads(p.data)
        rid = f"{r['device']}#{r['seq']}"
        if rid in seen:
            continue
        seen.add(rid)
        h = hist.setdefault(r["device"] if per_device else "all", [])
        x, t = r["temp_c"], A.epoch(r["ts"])
        if len(h) >= A.WARMUP:
            w = h[-A.HISTORY:]
            m = centre(w)
            s = spread(w) if spread else median([abs(v - m) for v in w])
            quiet = r["device"] in last and t - last[r["device"]] < A.SUPPRESS_S
            if abs(x - m) > A.K * max(s, 0.5) and not quiet:
                last[r["device"]] = t
                out.append(rid)
        h.append(x)
    return out


def test_the_anomalies_are_planted_in_week_17s_stream_seeded():
    a, b = A.stream(seed=5), A.stream(seed=5)
    assert a == b and a != A.stream(seed=6)
    base = telemetry.generate(seed=5, devices=6, readings=24, prefix="dev",
                              duplicates=0.0, late=0.0, poison=0.0)
    assert [(p.key, json.loads(p.data)["seq"], json.loads(p.data)["ts"]) for p in a.puts] == \
           [(p.key, json.loads(p.data)["seq"], json.loads(p.data)["ts"]) for p in base]
    s = A.stream(seed=5, devices=12, readings=30, duplicates=0.3)
    assert set(Counter(p.kind for p in s.puts)) == {"reading", "duplicate"}
    for p in s.puts:
        if p.kind == "duplicate":
            assert any(q.data == p.data and q.kind == "reading" for q in s.puts), "same bytes"
    assert len({json.loads(p.data)["temp_c"] // 10 for p in s.puts}) > 3, "devices have their own baselines"
    sizes = Counter(len(e) for e in s.episodes)
    assert sizes[A.BURST] >= 2 and sizes[1] >= 2, "bursts and single spikes"
    for p in s.puts:
        lo, hi = telemetry.TEMP_RANGE
        assert lo <= Decimal(str(json.loads(p.data)["temp_c"])) <= hi


@pytest.mark.parametrize("prefix", sorted(A.GRADED))
def test_graded_streams_are_decided_by_the_rule_with_room_to_spare(prefix):
    s = A.graded(prefix)
    assert A.precision_recall(A.alerts(s.puts), s.episodes) == (1.0, 1.0)
    assert A.problems(A.alerts(s.puts), s) == []
    close = [x for x in A.score(s.puts) if abs(x.deviation - x.limit) <= A.MARGIN]
    assert not close, "a float handler could disagree with the exact rule on these readings"


def test_the_full_stream_fails_the_wrong_detectors_by_the_floors():
    s = A.graded("full")
    pstd = lambda w: 0.6745 * pstdev(w)  # noqa: E731 - the mean/std variant's spread, in MAD units
    for wrong in (_variant(s.puts, centre=mean, spread=pstd), _variant(s.puts, per_device=False)):
        p, r = A.precision_recall(wrong, s.episodes)
        assert r < A.RECALL_FLOOR or p < A.PRECISION_FLOOR, (p, r)
    assert sorted(_variant(s.puts)) == sorted(A.alerts(s.puts)), "floats agree"


def test_crafted_cases_sit_on_their_boundaries():
    for name, want in A.CRAFTED_ALERTS.items():
        puts = A.crafted(name)
        assert set(A.alerts(puts)) == want
        assert all(Decimal(str(json.loads(p.data)["temp_c"])) * 2 % 1 == 0 for p in puts), "exact in binary"
    edge = {s.rid: s for s in A.score(A.crafted("edge"))}
    assert edge["edge-001#11"].deviation == edge["edge-001#11"].limit == Decimal("2.5")
    assert edge["edge-004#11"].deviation == edge["edge-004#11"].limit == Decimal("2.5")   # the MAD floor
    sup = A.crafted("sup")
    rs = [json.loads(p.data) for p in sup]
    ts = {f"{r['device']}#{r['seq']}": A.epoch(r["ts"]) for r in rs}
    assert ts["sup-001#13"] - ts["sup-001#11"] == A.SUPPRESS_S
    assert ts["sup-001#12"] - ts["sup-001#11"] == A.SUPPRESS_S - 1


def test_the_rule_dedupes_by_reading_id_and_warms_up():
    puts = A.crafted("warm")
    assert A.alerts(puts + puts) == A.alerts(puts)
    assert [s.rid for s in A.score(puts)] == ["warm-002#11"]


def test_precision_recall_and_problems():
    eps = [frozenset({"a#1", "a#2"}), frozenset({"a#9"})]
    assert A.precision_recall([], eps) == (1.0, 0.0)
    assert A.precision_recall(["a#2", "b#3"], eps) == (0.5, 0.5)
    assert A.precision_recall(["a#1"], []) == (0.0, 1.0)
    s = A.graded("thr")
    want = A.alerts(s.puts)
    assert any("more than once" in p for p in A.problems(want + want[:1], s))
    assert any("missing" in p for p in A.problems(want[1:], s))
    assert A.alert_ids(['{"alert": "d#1"}', "nope", "[]"]) == ["d#1", "?", "?"]


def test_the_trusted_checks_cover_every_state_based_hidden_test():
    assert set(checks.TRUSTED) == {"test-planted", "test-producer-duplicates", "test-batch-retry",
                                   "test-throttled", "test-threshold", "test-warmup", "test-suppression",
                                   "test-per-device"}


def test_in_process_endpoint_has_the_runtime_shape():
    ep = scoring.InProcessEndpoint()
    warm = [float(v) for v in A.WARM]
    scores = scoring.score(ep, "anomaly-model", [{"history": warm, "x": 23.5},
                                                 {"history": warm[:9], "x": 40}])
    assert scores == [6.0, 0.0] and ep.calls == 1
    raw = ep.invoke_endpoint(EndpointName="e", Body=json.dumps({"instances": []}))
    assert set(raw) == {"Body", "ContentType", "InvokedProductionVariant"}
    assert raw["Body"].read() == b'{"scores": []}'
    with pytest.raises(ValueError):
        ep.invoke_endpoint(EndpointName="e", Body="x,y", ContentType="text/csv")


def test_the_emulators_endpoint_returns_canned_bytes(local_aws):
    runtime = aws.client("sagemaker-runtime")
    name = f"no-such-endpoint-{uuid.uuid4().hex[:6]}"
    raw = runtime.invoke_endpoint(EndpointName=name, Body=b'{"instances": []}',
                                  ContentType="application/json")
    assert raw["Body"].read() == scoring.MOTO_STATIC_BODY
    assert raw["ContentType"] == scoring.MOTO_STATIC_CONTENT_TYPE
    with pytest.raises(ValueError, match="not"):
        scoring.score(runtime, name + "x", [{"history": [], "x": 1}])


def test_queue_helpers_read_every_alert_and_empty(local_aws):
    sqs = aws.client("sqs")
    url = A.empty_queue(f"w19-plumbing-{uuid.uuid4().hex[:6]}", sqs)
    for a in ("d#2", "d#1", "d#1"):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"alert": a}))
    assert A.queue_alerts(url, sqs) == ["d#1", "d#1", "d#2"]
    assert A.queue_alerts(url, sqs) == ["d#1", "d#1", "d#2"], "reading leaves the messages"
    assert A.empty_queue(url.rsplit("/", 1)[1], sqs) == url and A.queue_alerts(url, sqs) == []
