"""Where the embedded emulator answers as AWS does although moto alone would not, and the
fault switch graders use (``mastery.faults``)."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mastery import aws, backend, faults

pytestmark = pytest.mark.usefixtures("local_aws")


@pytest.fixture
def embedded():
    if backend.probe().kind != "embedded":
        pytest.skip("the fault switch and these fixes are the embedded emulator's")


def _definition(comment: str) -> str:
    return json.dumps({"Comment": comment, "StartAt": "D", "States": {"D": {"Type": "Succeed"}}})


def test_create_state_machine_again_with_another_definition_raises(embedded):
    sfn = aws.client("stepfunctions")
    name = f"pytest-fidelity-{uuid.uuid4().hex[:6]}"
    arn = sfn.create_state_machine(name=name, definition=_definition("a"),
                                   roleArn=aws.role_arn())["stateMachineArn"]
    try:
        same = sfn.create_state_machine(name=name, definition=_definition("a"), roleArn=aws.role_arn())
        assert same["stateMachineArn"] == arn  # idempotent with the same definition, as on AWS
        with pytest.raises(sfn.exceptions.StateMachineAlreadyExists):
            sfn.create_state_machine(name=name, definition=_definition("b"), roleArn=aws.role_arn())
        assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["Comment"] == "a"
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)


def test_unnamed_executions_get_distinct_names(embedded):
    sfn = aws.client("stepfunctions")
    name = f"pytest-fidelity-{uuid.uuid4().hex[:6]}"
    arn = sfn.create_state_machine(name=name, definition=_definition("x"),
                                   roleArn=aws.role_arn())["stateMachineArn"]
    try:
        a = sfn.start_execution(stateMachineArn=arn, input='{"n": 1}')["executionArn"]
        b = sfn.start_execution(stateMachineArn=arn, input='{"n": 2}')["executionArn"]
        assert a != b and not a.endswith(":None")
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)


def test_injected_dynamodb_faults_match_table_operation_and_text_then_clear(embedded):
    table = aws.ensure_table(f"pytest-faults-{uuid.uuid4().hex[:6]}", "pk")
    ddb = boto3.client("dynamodb", endpoint_url=backend.endpoint(), region_name=aws.REGION,
                       aws_access_key_id="t", aws_secret_access_key="t",
                       config=Config(retries={"total_max_attempts": 1}))
    with faults.injected([faults.rule(table, "ThrottlingException", 2, contains="hot", operation="PutItem")],
                         retry_delay_scale=0.5) as status:
        ddb.put_item(TableName=table, Item={"pk": {"S": "cold"}})  # not matched: no "hot"
        ddb.get_item(TableName=table, Key={"pk": {"S": "hot"}})  # not matched: another operation
        for _ in range(2):
            with pytest.raises(ClientError) as e:
                ddb.put_item(TableName=table, Item={"pk": {"S": "hot"}})
            assert e.value.response["Error"]["Code"] == "ThrottlingException"
        ddb.put_item(TableName=table, Item={"pk": {"S": "hot"}})  # the rule is spent
        assert status()["rules"][0]["failed"] == 2 and status()["retry_delay_scale"] == 0.5
    assert faults.status() == {"rules": [], "retry_delay_scale": 1.0}
    aws.delete_table(table)


def test_injected_faults_reach_transactions_and_batches_that_name_the_table(embedded):
    table = aws.ensure_table(f"pytest-faults-{uuid.uuid4().hex[:6]}", "pk")
    other = aws.ensure_table(f"pytest-faults-{uuid.uuid4().hex[:6]}", "pk")
    ddb = boto3.client("dynamodb", endpoint_url=backend.endpoint(), region_name=aws.REGION,
                       aws_access_key_id="t", aws_secret_access_key="t",
                       config=Config(retries={"total_max_attempts": 1}))
    put = [{"Put": {"TableName": other, "Item": {"pk": {"S": "a"}}}},
           {"Update": {"TableName": table, "Key": {"pk": {"S": "hot"}}, "UpdateExpression": "SET n = :n",
                       "ExpressionAttributeValues": {":n": {"N": "1"}}}}]
    with faults.injected([faults.rule(table, times=2, contains="hot")]):
        with pytest.raises(ClientError, match="ThrottlingException"):
            ddb.transact_write_items(TransactItems=put)
        with pytest.raises(ClientError, match="ThrottlingException"):
            ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "hot"}}}}]})
        ddb.transact_write_items(TransactItems=put)  # spent
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "hot"}})["Item"]["n"] == {"N": "1"}
    for t in (table, other):
        aws.delete_table(t)


def test_cached_lookups_still_answer_each_request_for_itself(embedded):
    """The emulator caches moto's per-request lookups (its package listing, a response class's
    methods, parsed JSONPaths: see ``emulator._patch_moto``). Two requests that share a path but
    not data must still get their own answers: an EventBridge input transformer and a Step
    Functions state with InputPath and ResultPath, each run twice on different data."""
    events, sqs, sfn = aws.client("events"), aws.client("sqs"), aws.client("stepfunctions")
    tag = uuid.uuid4().hex[:6]
    queue = sqs.create_queue(QueueName=f"pytest-cache-{tag}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]
    queue_arn = queue_arn["QueueArn"]
    rule = f"pytest-cache-{tag}"
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [f"pytest.{tag}"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn, "InputTransformer": {
        "InputPathsMap": {"order": "$.detail.order", "qty": "$.detail.qty"},
        "InputTemplate": '{"o": "<order>", "q": <qty>}'}}])
    name = f"pytest-cache-{tag}"
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.in",
                                                   "ResultPath": "$.out", "End": True}}}
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition),
                                   roleArn=aws.role_arn())["stateMachineArn"]
    try:
        for order, qty in (("A-1", 1), ("B-2", 7)):
            events.put_events(Entries=[{"Source": f"pytest.{tag}", "DetailType": "t",
                                        "Detail": json.dumps({"order": order, "qty": qty})}])
        bodies = []
        for _ in range(10):
            got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            bodies += [json.loads(m["Body"]) for m in got.get("Messages", [])]
            if len(bodies) == 2:
                break
        assert sorted(bodies, key=lambda b: b["o"]) == [{"o": "A-1", "q": 1}, {"o": "B-2", "q": 7}]
        outputs = []
        for value in ("first", "second"):
            ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"in": {"v": value}}))
            for _ in range(100):
                d = sfn.describe_execution(executionArn=ex["executionArn"])
                if d["status"] != "RUNNING":
                    break
            outputs.append(json.loads(d["output"]))
        assert outputs == [{"in": {"v": "first"}, "out": {"v": "first"}},
                           {"in": {"v": "second"}, "out": {"v": "second"}}]
    finally:
        events.remove_targets(Rule=rule, Ids=["q"])
        events.delete_rule(Name=rule)
        sqs.delete_queue(QueueUrl=queue)
        sfn.delete_state_machine(stateMachineArn=arn)
