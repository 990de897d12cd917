"""Trusted checks of the week-22 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own SQS client: it reads the queues the test used (their names are fixed by
the spec: ``setup_queues(name)`` makes ``name`` and ``name-dlq``) and the bodies the test sent
(seeded, recomputed here by :func:`messages`), and proves the outcome from the queues themselves.
"""

from __future__ import annotations

import json
import random

from mastery.weeks.w22_containing_failure.breakers import queue_bodies, queue_depth

EXERCISE = "m06-containing"  # the exercise's namespace (its setup cell)
POISON_QUEUE = "poison"        # test-dlq-contents: setup_queues(ns.name(POISON_QUEUE))
REDRIVE_DLQ = "redrive-dlq"    # test-redrive: the DLQ it fills, and the target it redrives to
REDRIVE_TARGET = "redrive-target"


def messages(seed: int, n: int, poison: int) -> tuple[list[str], set[str]]:
    """The ``n`` order bodies a test sends (seeded), and the ``poison`` of them that always fail."""
    rng = random.Random(seed)
    bad = set(rng.sample(range(n), poison))
    bodies = [json.dumps({"order_id": f"o-{seed}-{i:03d}", "qty": rng.randint(1, 500),
                          "symbol": rng.choice(["ACME", "INIT", "GLOBX"]), "poison": i in bad},
                         sort_keys=True) for i in range(n)]
    return bodies, {bodies[i] for i in bad}


POISON_RUN = dict(seed=2201, n=27, poison=3)
REDRIVE_RUN = dict(seed=2202, n=23, poison=0)


def _url(sqs, name: str) -> str | None:
    try:
        return sqs.get_queue_url(QueueName=name)["QueueUrl"]
    except sqs.exceptions.QueueDoesNotExist:
        return None


def dlq_holds_the_poison(ctx) -> None:
    sqs, ns = ctx.client("sqs"), ctx.namespace(EXERCISE)
    src, dlq = _url(sqs, ns.name(POISON_QUEUE)), _url(sqs, ns.name(POISON_QUEUE) + "-dlq")
    assert src and dlq, f"on the backend there is no queue {ns.name(POISON_QUEUE)} with its -dlq"
    _, poison = messages(**POISON_RUN)
    got = queue_bodies(sqs, dlq)
    assert sorted(got) == sorted(poison), (
        f"on the backend, the DLQ holds {len(got)} message(s), {len(set(got) & poison)} of them poison; "
        f"it must hold exactly the {len(poison)} poison messages, once each")
    left = queue_depth(sqs, src)
    assert left == 0, f"on the backend, {left} message(s) are still in the source queue"


def redrive_moves_each_once(ctx) -> None:
    sqs, ns = ctx.client("sqs"), ctx.namespace(EXERCISE)
    dlq, target = _url(sqs, ns.name(REDRIVE_DLQ)), _url(sqs, ns.name(REDRIVE_TARGET))
    assert dlq and target, "on the backend, the test's DLQ or target queue is missing"
    bodies, _ = messages(**REDRIVE_RUN)
    got = queue_bodies(sqs, target)
    missing, extra = sorted(set(bodies) - set(got)), len(got) - len(set(got))
    assert not missing and extra == 0 and len(got) == len(bodies), (
        f"on the backend, the target queue holds {len(got)} message(s) for the DLQ's {len(bodies)}: "
        f"{len(missing)} lost, {extra} duplicated")
    left = queue_depth(sqs, dlq)
    assert left == 0, f"on the backend, {left} message(s) are still in the DLQ after the redrive"


def fixed_and_drained(ctx) -> None:
    """test-redrive-after-fix: once the fault is fixed, the poison messages are redriven from the
    DLQ and consumed, so both queues of the spec's poison run are empty. (That each was processed
    once is recorded by the test's processor in the kernel; the queues are what the backend can
    prove.)"""
    sqs, ns = ctx.client("sqs"), ctx.namespace(EXERCISE)
    src, dlq = _url(sqs, ns.name(POISON_QUEUE)), _url(sqs, ns.name(POISON_QUEUE) + "-dlq")
    assert src and dlq, f"on the backend there is no queue {ns.name(POISON_QUEUE)} with its -dlq"
    left = {"the DLQ": queue_depth(sqs, dlq), "the source queue": queue_depth(sqs, src)}
    assert not any(left.values()), (
        "on the backend, after the fix, the redrive and the consumer: "
        + ", ".join(f"{n} message(s) left in {q}" for q, n in left.items() if n))


TRUSTED = {"test-dlq-contents": dlq_holds_the_poison, "test-redrive": redrive_moves_each_once,
           "test-redrive-after-fix": fixed_and_drained}
