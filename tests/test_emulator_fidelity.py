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
