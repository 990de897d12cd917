"""A grading worker keeps one embedded emulator and empties it between learners
(``POST /_mastery/reset``, :func:`mastery.backend.reset`). Proven here on an emulator of its
own: after a learner has left resources in every service the course uses, injected faults and
changed moto's own settings, a reset leaves nothing of it; a reset is refused while a Step
Functions execution still runs (its thread would write into the emptied state), and the grader
then starts a fresh emulator; a learner who kills the emulator is still marked ``regrade``.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.request

import boto3
import pytest

from mastery import backend, faults
from mastery.grading.cohort import parallel


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def emulator(tmp_path, monkeypatch):
    monkeypatch.setenv("MASTERY_STATE_DIR", str(tmp_path))
    port = _free_port()
    monkeypatch.setenv("MASTERY_PORT", str(port))
    backend.up(port)
    yield port
    backend.down(port)


def _client(port, service):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


ROLE = "arn:aws:iam::000000000000:role/learner"
WAIT = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}}
DONE = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _leave_a_learners_mess(port) -> None:
    c = lambda s: _client(port, s)  # noqa: E731
    c("dynamodb").create_table(TableName="l1--ex--t", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                               AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                               BillingMode="PAY_PER_REQUEST")
    c("sqs").create_queue(QueueName="l1--ex--q")
    c("s3").create_bucket(Bucket="l1--ex--b")
    c("sns").create_topic(Name="l1--ex--topic")
    c("events").create_event_bus(Name="l1--ex--bus")
    c("secretsmanager").create_secret(Name="l1--ex--secret", SecretString="s3cret")
    c("ssm").put_parameter(Name="/l1/ex/p", Value="v", Type="String")
    c("kms").create_key(Description="l1")
    c("logs").create_log_group(logGroupName="/l1/ex")
    c("iam").create_role(RoleName="l1--ex--role", AssumeRolePolicyDocument="{}")
    sfn = c("stepfunctions")
    arn = sfn.create_state_machine(name="l1--ex--sm", definition=json.dumps(DONE),
                                   roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    for _ in range(100):
        if sfn.describe_execution(executionArn=execution)["status"] != "RUNNING":
            break
        time.sleep(0.05)
    faults.inject([faults.rule("l1--ex--t", times=5)], retry_delay_scale=0.01)


def _switch_off_executions(port) -> None:
    """A learner may change moto's own settings (here: Step Functions stop executing)."""
    off = json.dumps({"stepfunctions": {"execute_state_machine": False}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/config", method="POST", data=off)
    urllib.request.urlopen(req, timeout=10).read()


def _what_is_left(port) -> dict[str, list]:
    c = lambda s: _client(port, s)  # noqa: E731
    return {
        "dynamodb": c("dynamodb").list_tables()["TableNames"],
        "sqs": c("sqs").list_queues().get("QueueUrls", []),
        "s3": [b["Name"] for b in c("s3").list_buckets()["Buckets"]],
        "sns": c("sns").list_topics()["Topics"],
        "events": [b["Name"] for b in c("events").list_event_buses()["EventBuses"] if b["Name"] != "default"],
        "secretsmanager": c("secretsmanager").list_secrets()["SecretList"],
        "ssm": c("ssm").describe_parameters()["Parameters"],
        "kms": [k for k in c("kms").list_keys()["Keys"]],
        "logs": c("logs").describe_log_groups()["logGroups"],
        "iam": [r["RoleName"] for r in c("iam").list_roles()["Roles"]],
        "stepfunctions": c("stepfunctions").list_state_machines()["stateMachines"],
        "faults": faults.status()["rules"],
    }


def test_reset_leaves_nothing_of_the_previous_learner(emulator):
    pid = backend.probe(emulator).pid
    _leave_a_learners_mess(emulator)
    before = _what_is_left(emulator)
    assert all(before[k] for k in ("dynamodb", "sqs", "s3", "stepfunctions", "faults")), before
    _switch_off_executions(emulator)
    assert backend.reset(emulator) is True
    left = {k: v for k, v in _what_is_left(emulator).items() if v}
    assert not left, f"the reset left the previous learner's {left}"
    assert faults.status()["retry_delay_scale"] == 1.0
    assert backend.probe(emulator).pid == pid, "a reset must not restart the emulator"
    # moto's settings as served again: Step Functions executions run
    sfn = _client(emulator, "stepfunctions")
    arn = sfn.create_state_machine(name="l2--ex--sm", definition=json.dumps(DONE),
                                   roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    for _ in range(100):
        status = sfn.describe_execution(executionArn=execution)["status"]
        if status != "RUNNING":
            break
        time.sleep(0.05)
    assert status == "SUCCEEDED"


def test_reset_is_refused_while_an_execution_runs_and_the_grader_restarts_instead(emulator):
    sfn = _client(emulator, "stepfunctions")
    arn = sfn.create_state_machine(name="l1--ex--wait", definition=json.dumps(WAIT),
                                   roleArn=ROLE)["stateMachineArn"]
    sfn.start_execution(stateMachineArn=arn)
    pid = backend.probe(emulator).pid
    assert backend.reset(emulator) is False
    assert parallel.fresh_backend(emulator, reuse=True) == "fresh"
    h = backend.probe(emulator)
    assert h.kind == "embedded" and h.pid != pid
    assert _client(emulator, "stepfunctions").list_state_machines()["stateMachines"] == []
    assert parallel.fresh_backend(emulator, reuse=True) == "reset"


def test_a_dead_emulator_is_started_again_for_the_next_learner(emulator):
    backend.down(emulator)
    assert backend.reset(emulator) is False
    assert parallel.fresh_backend(emulator, reuse=True) == "fresh"
    assert backend.probe(emulator).kind == "embedded"
