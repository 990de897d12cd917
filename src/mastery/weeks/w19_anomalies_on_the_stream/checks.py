"""Trusted checks of the week-19 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own SQS client: it reads the alert queue the test used (its name is fixed by
the setup cell: ``<namespace>-alerts-<test>``) and compares the alert ids with the rules' alerts,
recomputed here from the seeded streams (:data:`anomalies.GRADED`) or the hand-made cases
(:func:`anomalies.crafted`), so nothing the learner's kernel prints, rebinds or sends to another
queue can change them.
"""

from __future__ import annotations

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


TRUSTED = {
    "test-planted": _graded("full"),
    "test-producer-duplicates": _graded("dup"),
    "test-batch-retry": _graded("retry"),
    "test-throttled": _graded("thr"),
    "test-threshold": _crafted("edge"),
    "test-warmup": _crafted("warm"),
    "test-suppression": _crafted("sup"),
}
