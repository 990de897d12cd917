"""The plumbing of week 22: which failures a breaker counts, the scripted dependency and fault
script, SQS read-backs that leave a queue as it was, partial batch failures, pybreaker on the
simulated clock, and the trusted checks' reading of the queues."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from mastery import aws
from mastery.weeks.w21_failure_is_normal import retries
from mastery.weeks.w22_containing_failure import breakers, checks


def test_counted_failures_are_the_dependencys_not_the_callers():
    assert breakers.is_dependency_failure(TimeoutError())
    assert breakers.is_dependency_failure(ConnectionError())
    assert breakers.is_dependency_failure(retries.server_error(503))
    assert breakers.is_dependency_failure(retries.throttle("ProvisionedThroughputExceededException"))
    assert not breakers.is_dependency_failure(retries.validation_error())
    assert not breakers.is_dependency_failure(retries.validation_error("AccessDeniedException", status=403))
    assert not breakers.is_dependency_failure(ValueError("bad payload"))


def test_dependency_follows_its_script_then_its_default_and_counts():
    d = breakers.Dependency(["fail", "ok", "bad"], after="slow", result=7)
    with pytest.raises(ClientError):
        d()
    assert d() == 7
    with pytest.raises(ClientError, match="validation"):
        d()
    with pytest.raises(TimeoutError):
        d()
    d.set("ok")
    assert d() == 7 and d.calls == 5 and d.log == ["fail", "ok", "bad", "slow", "ok"]


def test_fault_script_is_seeded_with_a_hard_outage():
    a, b = breakers.fault_script(seed=5), breakers.fault_script(seed=5)
    assert a == b and len(a) == 200 and set(a) <= set(breakers.OUTCOMES)
    assert all(o in ("fail", "slow") for o in a[60:120])
    assert a[:60].count("ok") > 45


def test_pybreaker_runs_on_the_simulated_clock():
    clock = breakers.SimClock(0.0)
    cb = breakers.pybreaker_on(clock, fail_max=2, reset_timeout=10)
    dep = breakers.Dependency(after="fail")
    outcomes = []
    for _ in range(3):
        try:
            cb.call(dep)
        except Exception as e:  # noqa: BLE001
            outcomes.append(type(e).__name__)
    assert outcomes == ["ClientError", "CircuitBreakerError", "CircuitBreakerError"] and dep.calls == 2
    clock.advance(9)
    with pytest.raises(Exception, match="still open"):
        cb.call(dep)
    clock.advance(1)
    dep.set("ok")
    assert cb.call(dep) == "ok" and cb.current_state == "closed" and dep.calls == 3


@pytest.mark.usefixtures("local_aws")
def test_queue_read_backs_and_partial_send_failures():
    sqs, tag = aws.client("sqs"), uuid.uuid4().hex[:6]
    url, dlq = breakers.queue_pair(sqs, f"w22-{tag}", 2)
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
                        ["Attributes"]["RedrivePolicy"])
    assert int(policy["maxReceiveCount"]) == 2 and policy["deadLetterTargetArn"].endswith(f"w22-{tag}-dlq")
    flaky = breakers.PartialSendFailures(sqs, fail_at={1, 3})
    entries = [{"Id": str(i), "MessageBody": f"m{i}"} for i in range(5)]
    r = flaky.send_message_batch(QueueUrl=dlq, Entries=entries)
    assert sorted(e["Id"] for e in r["Failed"]) == ["1", "3"]
    assert len(r["Successful"]) == 3 and flaky.sent == 3
    assert breakers.queue_bodies(sqs, dlq) == ["m0", "m2", "m4"] == breakers.queue_bodies(sqs, dlq)
    assert breakers.queue_depth(sqs, dlq) == 3
    assert breakers.empty(sqs, dlq) == 3 and breakers.queue_depth(sqs, dlq) == 0
    for u in (url, dlq):
        sqs.delete_queue(QueueUrl=u)


@pytest.mark.usefixtures("local_aws")
def test_trusted_checks_read_the_queues_themselves():
    from mastery.grading import integrity

    learner = f"w22-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("22-containing-failure", learner)
    ns, sqs = aws.namespace(checks.EXERCISE, learner), aws.client("sqs")
    url, dlq = breakers.queue_pair(sqs, ns.name(checks.POISON_QUEUE), 3)
    bodies, poison = checks.messages(**checks.POISON_RUN)
    check = checks.TRUSTED["test-dlq-contents"]
    for m in poison:
        sqs.send_message(QueueUrl=dlq, MessageBody=m)
    assert integrity.run_trusted(check, ctx) is None
    sqs.send_message(QueueUrl=dlq, MessageBody=bodies[0] if bodies[0] not in poison else bodies[1])
    assert "exactly the 3 poison" in integrity.run_trusted(check, ctx)
    breakers.empty(sqs, dlq)
    for m in poison:
        sqs.send_message(QueueUrl=dlq, MessageBody=m)
    sqs.send_message(QueueUrl=url, MessageBody="left behind")
    assert "still in the source queue" in integrity.run_trusted(check, ctx)

    redrive = checks.TRUSTED["test-redrive"]
    rdlq = sqs.create_queue(QueueName=ns.name(checks.REDRIVE_DLQ))["QueueUrl"]
    target = sqs.create_queue(QueueName=ns.name(checks.REDRIVE_TARGET))["QueueUrl"]
    moved, _ = checks.messages(**checks.REDRIVE_RUN)
    for m in moved + moved[:2]:
        sqs.send_message(QueueUrl=target, MessageBody=m)
    assert "2 duplicated" in integrity.run_trusted(redrive, ctx)
    breakers.empty(sqs, target)
    for m in moved[1:]:
        sqs.send_message(QueueUrl=target, MessageBody=m)
    assert "1 lost" in integrity.run_trusted(redrive, ctx)
    sqs.send_message(QueueUrl=target, MessageBody=moved[0])
    assert integrity.run_trusted(redrive, ctx) is None

    fixed = checks.TRUSTED["test-redrive-after-fix"]   # the poison run's queues, both drained
    assert "1 message(s) left in the source queue" in integrity.run_trusted(fixed, ctx)
    breakers.empty(sqs, url)
    assert "3 message(s) left in the DLQ" in integrity.run_trusted(fixed, ctx)
    breakers.empty(sqs, dlq)
    assert integrity.run_trusted(fixed, ctx) is None
    for u in (url, dlq, rdlq, target):
        sqs.delete_queue(QueueUrl=u)
