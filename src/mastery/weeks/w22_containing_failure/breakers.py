"""Plumbing of week 22 (containing failure): what the lesson and the exercise share, never the
learner's answer. Retries, the simulated clock and the error constructors live in week 21
(:mod:`mastery.weeks.w21_failure_is_normal.retries`); the SQS poller is :mod:`mastery.esm`.

* :class:`CircuitOpenError`: what a breaker raises while it fails fast (the call was not made);
* :func:`is_dependency_failure`: the failures a breaker counts (timeouts, connection errors,
  throttles and 5xx), not a bad request;
* :class:`Dependency`: a downstream service driven by a fault script, counting the calls it gets;
* :func:`fault_script`: a seeded sequence of outcomes (an outage, a brownout, bad requests);
* :func:`queue_pair`, :func:`queue_bodies`, :func:`queue_depth`: SQS queues with a redrive
  policy, and read-backs that do not disturb receive counts where it matters;
* :class:`PartialSendFailures`: an SQS client whose ``SendMessageBatch`` reports some entries as
  failed (a partial batch result, as SQS returns under throttling or internal errors).
"""

from __future__ import annotations

import json
import random

from botocore.exceptions import ClientError

from mastery.weeks.w21_failure_is_normal.retries import (
    RETRYABLE_CODES,
    SimClock,
    server_error,
    throttle,
    validation_error,
)

__all__ = ["CircuitOpenError", "Dependency", "PartialSendFailures", "SimClock", "fault_script",
           "empty", "is_dependency_failure", "queue_bodies", "queue_depth", "queue_pair"]


class CircuitOpenError(Exception):
    """The breaker is open (or its one half-open probe is in flight): the call was not made."""


def is_dependency_failure(error: BaseException) -> bool:
    """Whether ``error`` says the *dependency* is unhealthy: a ``TimeoutError``, a
    ``ConnectionError``, or a ``ClientError`` with a throttling code (week 21's
    ``RETRYABLE_CODES``) or an HTTP status of 500 or more. A bad request (``ValidationException``,
    other 4xx) is the caller's fault: the dependency answered, so it is not counted."""
    if isinstance(error, (TimeoutError, ConnectionError)):
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code in RETRYABLE_CODES or status >= 500
    return False


# outcomes of a fault script: "ok", "fail" (a 503), "slow" (a timeout), "throttle", "bad" (a 400)
OUTCOMES = ("ok", "fail", "slow", "throttle", "bad")


def _error(outcome: str) -> BaseException | None:
    return {"ok": None, "fail": server_error(503), "slow": TimeoutError("read timed out"),
            "throttle": throttle(), "bad": validation_error()}[outcome]


class Dependency:
    """A downstream service. ``script``: one outcome per call (``OUTCOMES``), then ``after`` for
    good. ``calls`` counts every call that reached it; ``log`` holds each call's outcome."""

    def __init__(self, script=(), after: str = "ok", result="ok"):
        self.script, self.after, self.result = list(script), after, result
        self.calls, self.log = 0, []

    def set(self, outcome: str, script=()) -> None:
        """From now on: ``script`` first, then ``outcome`` for good."""
        self.script, self.after = list(script), outcome

    def __call__(self, *args, **kwargs):
        self.calls += 1
        outcome = self.script.pop(0) if self.script else self.after
        self.log.append(outcome)
        error = _error(outcome)
        if error is not None:
            raise error
        return self.result


def fault_script(n: int = 200, seed: int = 22, outage=(60, 120), brownout: float = 0.05,
                 bad: float = 0.03) -> list[str]:
    """``n`` seeded outcomes: healthy with a ``brownout`` share of 503s and timeouts and a ``bad``
    share of bad requests, and a hard outage (every call a 503 or a timeout) over ``outage``."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if outage[0] <= i < outage[1]:
            out.append(rng.choice(["fail", "slow"]))
        else:
            r = rng.random()
            out.append("bad" if r < bad else rng.choice(["fail", "slow"]) if r < bad + brownout else "ok")
    return out


# ------------------------------------------------------------------------------ SQS


def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def queue_pair(sqs, name: str, max_receive_count: int) -> tuple[str, str]:
    """A queue ``name`` whose redrive policy moves a message to ``name-dlq`` after
    ``max_receive_count`` receives; (queue url, dlq url). Both emptied if they existed."""
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": queue_arn(sqs, dlq), "maxReceiveCount": str(max_receive_count)})})["QueueUrl"]
    for u in (url, dlq):
        empty(sqs, u)
    return url, dlq


def empty(sqs, url: str) -> int:
    """Delete every visible message of ``url`` (receive and delete: unlike ``PurgeQueue``, which
    SQS and the emulator allow once in 60 seconds per queue, it can run at once again); how many."""
    n = 0
    while True:
        page = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   WaitTimeSeconds=0).get("Messages", [])
        if not page:
            return n
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(page)])
        n += len(page)


def queue_depth(sqs, url: str) -> int:
    """Visible plus in-flight messages (read from attributes: nothing is received)."""
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]) + int(a["ApproximateNumberOfMessagesNotVisible"])


def queue_bodies(sqs, url: str, max_messages: int = 1_000) -> list[str]:
    """Every body in ``url`` (duplicates kept), read by receiving each message once with a long
    visibility timeout and making it visible again afterwards. Receiving counts as a receive: use
    it on queues without a redrive policy (a DLQ, a redrive target), not on a source queue."""
    got: dict[str, dict] = {}
    for _ in range(max_messages // 10 + 2):
        page = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60,
                                   WaitTimeSeconds=0).get("Messages", [])
        if not page:
            break
        for m in page:
            got[m["MessageId"]] = m
    for m in got.values():
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    return sorted(m["Body"] for m in got.values())


class PartialSendFailures:
    """An SQS client that passes every call through, except that ``SendMessageBatch`` reports the
    entries whose position in the run's sequence of sent entries is in ``fail_at`` as failed
    (``SenderFault: false``, code ``InternalError``) without sending them, as SQS does for a partial
    batch failure. ``sent`` counts the entries that really went out."""

    def __init__(self, real, fail_at=()):
        self._real, self.fail_at, self.sent, self._seen = real, set(fail_at), 0, 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def send_message_batch(self, QueueUrl, Entries, **kw):  # noqa: N803 - boto3's names
        ok, failed = [], []
        for e in Entries:
            (failed if self._seen in self.fail_at else ok).append(e)
            self._seen += 1
        out = {"Successful": [], "Failed": [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError",
                                            "Message": "We encountered an internal error. Please try again."}
                                           for e in failed]}
        if ok:
            r = self._real.send_message_batch(QueueUrl=QueueUrl, Entries=ok, **kw)
            out["Successful"] = r.get("Successful", [])
            out["Failed"] += r.get("Failed", [])
            self.sent += len(r.get("Successful", []))
        return out

    def send_message(self, QueueUrl, MessageBody, **kw):  # noqa: N803
        self._seen += 1
        if self._seen - 1 in self.fail_at:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "internal error"},
                               "ResponseMetadata": {"HTTPStatusCode": 500}}, "SendMessage")
        r = self._real.send_message(QueueUrl=QueueUrl, MessageBody=MessageBody, **kw)
        self.sent += 1
        return r


# ------------------------------------------------------------------------- pybreaker on a simulated clock


def pybreaker_on(clock: SimClock, **kwargs):
    """A ``pybreaker.CircuitBreaker`` whose reset timeout runs on ``clock`` instead of the wall
    clock: pybreaker compares ``datetime.now(UTC)`` with the ``opened_at`` its storage returns, so
    the storage records the simulated time of opening and reports an ``opened_at`` that lies as
    far in the wall clock's past as the simulated time that has passed since."""
    from datetime import UTC, datetime, timedelta

    import pybreaker

    class SimStorage(pybreaker.CircuitMemoryStorage):
        def __init__(self):
            super().__init__(pybreaker.STATE_CLOSED)
            self._sim_opened = None

        @property
        def opened_at(self):
            if self._sim_opened is None:
                return None
            return datetime.now(UTC) - timedelta(seconds=clock.now() - self._sim_opened)

        @opened_at.setter
        def opened_at(self, _wall):
            self._sim_opened = clock.now()

    return pybreaker.CircuitBreaker(state_storage=SimStorage(), **kwargs)
