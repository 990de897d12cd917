"""Trusted checks of the week-19 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own SQS client: it reads the alert queue the test used (its name is fixed by
the setup cell: ``<namespace>-alerts-<test>``) and compares the alert ids with the rules' alerts,
recomputed here from the seeded streams (:data:`anomalies.GRADED`) or the hand-made cases
(:func:`anomalies.crafted`), so nothing the learner's kernel prints, rebinds or sends to another
queue can change them.
"""

from __future__ import annotations

import re

from mastery.weeks.w19_anomalies_on_the_stream import anomalies
from mastery.weeks.w22_containing_failure.breakers import queue_depth

EXERCISE = "m05-anomalies"  # the exercise's namespace (its setup cell)


def _alerts(ctx, name: str) -> list[str]:
    sqs = ctx.client("sqs")
    queue = ctx.namespace(EXERCISE).name(f"alerts-{name}")
    try:
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        raise AssertionError(f"on the backend there is no alert queue {queue}") from None
    got = anomalies.queue_alerts(url, sqs)
    depth = queue_depth(sqs, url)   # visible + in flight: a message kept invisible counts
    assert depth == len(got), (f"on the backend, the alert queue {queue} holds {depth} messages, of which "
                               f"only {len(got)} could be read: the others were received and left invisible")
    return got


def _graded(prefix: str):
    def check(ctx) -> None:
        bad = anomalies.problems(_alerts(ctx, prefix), anomalies.graded(prefix))
        assert not bad, "on the backend, the alert queue: " + "; ".join(bad)
    return check


def _crafted(name: str):
    def check(ctx) -> None:
        want = sorted(anomalies.alerts(anomalies.crafted(name)))
        assert want == sorted(anomalies.CRAFTED_ALERTS[name])
        got = _alerts(ctx, name)
        assert got == want, f"on the backend, the alert queue holds {got}, not {want}"
    return check


_PER_DEVICE = re.compile(r"q([0-9a-f]{6})x(\d+)-[ab]#\d+")


def per_device(ctx) -> None:
    """test-per-device: each of its cases (:func:`anomalies.per_device_cases`, drawn again here)
    ran two new devices, ``q<run>x<case>-a`` and ``-b``, whose readings give exactly one alert
    each (``-a#11``, ``-b#12``) in any interleaving: the queue must hold those and nothing else,
    for one run of the cell."""
    cases = anomalies.per_device_cases()
    got = _alerts(ctx, "props")
    runs = {m.group(1) for a in got if (m := _PER_DEVICE.fullmatch(a))}
    assert len(runs) == 1, (f"on the backend, the alert queue holds alerts of {len(runs)} runs of the "
                            f"test's {len(cases)} interleavings, not one: {got[:4]}")
    run = runs.pop()
    want = sorted(f"q{run}x{n}-{alert}" for n in range(len(cases)) for alert in ("a#11", "b#12"))
    assert got == want, (f"on the backend, the alert queue holds {len(got)} alerts for the test's "
                         f"{len(cases)} interleavings of two devices, not exactly one per device: missing "
                         f"{sorted(set(want) - set(got))[:4]}, unexpected or repeated "
                         f"{sorted(set(a for a in got if got.count(a) > 1 or a not in want))[:4]}")


TRUSTED = {
    "test-planted": _graded("full"),
    "test-producer-duplicates": _graded("dup"),
    "test-batch-retry": _graded("retry"),
    "test-throttled": _graded("thr"),
    "test-threshold": _crafted("edge"),
    "test-warmup": _crafted("warm"),
    "test-suppression": _crafted("sup"),
    "test-per-device": per_device,
}
