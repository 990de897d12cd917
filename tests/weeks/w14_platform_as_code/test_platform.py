"""The plumbing of week 14: reading and translating templates, the reference linter, the emulator's
CloudFormation answering as AWS does (mastery.cfn_fidelity), and the trusted checks against fakes."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from mastery import aws, cfn_fidelity
from mastery.grading import integrity
from mastery.weeks.w14_platform_as_code import checks, platform

CAPS = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]


def _sam(key=("tenant", "task"), index=False, stream=True, dlq=True):
    attrs = [{"AttributeName": key[0], "AttributeType": "S"}, {"AttributeName": key[1], "AttributeType": "S"}]
    table = {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": attrs,
        "KeySchema": [
            {"AttributeName": key[0], "KeyType": "HASH"},
            {"AttributeName": key[1], "KeyType": "RANGE"},
        ],
    }
    if stream:
        table["StreamSpecification"] = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    if index:
        attrs.append({"AttributeName": "status", "AttributeType": "S"})
        table["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "by-status",
                "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [
                    {"AttributeName": key[0], "KeyType": "HASH"},
                    {"AttributeName": "status", "KeyType": "RANGE"},
                ],
            }
        ]
    queue = {"VisibilityTimeout": 60}
    if dlq:
        queue["RedrivePolicy"] = {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 5}
    return {
        "Transform": platform.SAM_TRANSFORM,
        "Resources": {
            "TasksTable": {"Type": "AWS::DynamoDB::Table", "Properties": table},
            "Dlq": {"Type": "AWS::SQS::Queue"},
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": queue},
            "Worker": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Timeout": 10,
                    "InlineCode": "x = 1\n",
                    "Events": {
                        "Jobs": {
                            "Type": "SQS",
                            "Properties": {
                                "Queue": {"Fn::GetAtt": ["Jobs", "Arn"]},
                                "ScalingConfig": {"MaximumConcurrency": 2},
                            },
                        }
                    },
                },
            },
        },
    }


YAML = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Dlq:
    Type: AWS::SQS::Queue
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: 3
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub "${AWS::StackName}-bus"
"""


def test_load_reads_dicts_and_yaml_with_short_tags():
    t = platform.load(YAML)
    assert t["Resources"]["Jobs"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["Dlq", "Arn"]
    }
    assert t["Resources"]["Bus"]["Properties"]["Name"] == {"Fn::Sub": "${AWS::StackName}-bus"}
    d = _sam()
    assert platform.load(d) == d and platform.load(d) is not d
    with pytest.raises(TypeError):
        platform.load(42)


def test_translate_expands_a_function_into_role_and_mapping():
    out = platform.translate(_sam())
    types = {k: v["Type"] for k, v in out["Resources"].items()}
    assert types["Worker"] == "AWS::Lambda::Function" and types["WorkerRole"] == "AWS::IAM::Role"
    assert "AWS::Lambda::EventSourceMapping" in types.values()
    assert "Transform" not in out
    plain = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    assert platform.translate(plain) == plain  # no SAM transform: nothing to expand


def test_reference_linter_applies_week_11_rules():
    assert platform.sls_findings(_sam()) == [] and platform.sls_findings(platform.translate(_sam())) == []
    assert {f.rule for f in platform.sls_findings(_sam(dlq=False))} == {"SLS002"}
    wild = _sam()
    wild["Resources"]["Worker"]["Properties"]["Policies"] = [
        {"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    ]
    assert {f.rule for f in platform.sls_findings(wild)} == {"SLS004"}
    no_timeout = _sam()
    del no_timeout["Resources"]["Worker"]["Properties"]["Timeout"]
    assert [f.rule for f in platform.sls_findings(no_timeout)] == ["SLS007"]


def test_cfn_lint_reports_errors_only_by_default():
    assert platform.cfn_lint(_sam()) == []
    bad = _sam()
    bad["Resources"]["Jobs"]["Properties"]["VisibilityTimeout"] = "one minute"
    assert any(rule.startswith("E") for rule, _ in platform.cfn_lint(bad))


def test_wildcard_statements_boundaries():
    doc = {
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},  # scoped: fine
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b"},  # service wildcard
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},  # every resource
            {"Effect": "Deny", "Action": "*", "Resource": "*"},  # a deny is fine
            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b"},
        ]
    }  # NotAction allows
    assert [s.get("Action", s.get("NotAction")) for s in platform.wildcard_statements(doc)] == [
        ["s3:*"],
        "s3:GetObject",
        "iam:*",
    ]
    assert platform.wildcard_statements(json.dumps(doc)) == platform.wildcard_statements(doc)


def test_unsupported_names_types_the_emulator_skips():
    cfn = {
        "Resources": {
            "P": {"Type": "AWS::SQS::QueuePolicy"},
            "T": {"Type": "AWS::DynamoDB::Table"},
            "C": {"Type": "Custom::Thing"},
            "E": {"Type": "AWS::Lambda::EventInvokeConfig"},
        }
    }
    assert platform.unsupported(cfn) == [
        ("E", "AWS::Lambda::EventInvokeConfig"),
        ("P", "AWS::SQS::QueuePolicy"),
    ]


def test_replacement_rule_of_a_table():
    old = _sam()["Resources"]["TasksTable"]["Properties"]
    assert (
        cfn_fidelity.needs_replacement(old, _sam(index=True)["Resources"]["TasksTable"]["Properties"]) == []
    )
    assert (
        cfn_fidelity.needs_replacement(old, _sam(stream=False)["Resources"]["TasksTable"]["Properties"]) == []
    )
    assert cfn_fidelity.needs_replacement(
        old, _sam(key=("tenant", "status"))["Resources"]["TasksTable"]["Properties"]
    ) == ["KeySchema"]
    named = dict(old, TableName="fixed")
    assert cfn_fidelity.needs_replacement(old, named) == ["TableName"]
    typed = json.loads(json.dumps(old))
    typed["AttributeDefinitions"][1]["AttributeType"] = "N"
    assert cfn_fidelity.needs_replacement(old, typed) == ["AttributeDefinitions (a key attribute's type)"]


# ------------------------------------------------------------------ the emulator, as AWS answers


def _missing_queue():
    return f"arn:aws:sqs:{aws.REGION}:{aws.ACCOUNT_ID}:missing-{uuid.uuid4().hex}"


def _deploy(cfn, name, template, create=False):
    body = platform.body(platform.translate(template))
    (cfn.create_stack if create else cfn.update_stack)(StackName=name, TemplateBody=body, Capabilities=CAPS)
    first = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    return first, cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def _table(cfn, name):
    return cfn.describe_stack_resource(StackName=name, LogicalResourceId="TasksTable")["StackResourceDetail"][
        "PhysicalResourceId"
    ]


@pytest.mark.usefixtures("local_aws")
def test_stack_updates_in_place_replace_no_op_and_roll_back_as_on_aws():
    cfn, ddb = aws.client("cloudformation"), aws.client("dynamodb")
    name = aws.namespace("t14-fidelity").name(uuid.uuid4().hex[:6])
    assert _deploy(cfn, name, _sam(), create=True) == ("CREATE_IN_PROGRESS", "CREATE_COMPLETE")
    table = _table(cfn, name)
    ddb.put_item(TableName=table, Item={"tenant": {"S": "a"}, "task": {"S": "1"}})
    with pytest.raises(ClientError, match="No updates are to be performed"):
        cfn.update_stack(
            StackName=name, TemplateBody=platform.body(platform.translate(_sam())), Capabilities=CAPS
        )
    # a new index: in place, the item survives
    assert _deploy(cfn, name, _sam(index=True)) == ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE")
    assert _table(cfn, name) == table and ddb.scan(TableName=table)["Count"] == 1
    assert [
        g["IndexName"] for g in ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    ] == ["by-status"]
    # a failed update rolls back, the failed resource named, and the stack can be updated again
    broken = _sam(index=True)
    broken["Resources"]["Bad"] = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "RedrivePolicy": {
                "deadLetterTargetArn": _missing_queue(),
                "maxReceiveCount": 2,
            }
        },
    }
    assert _deploy(cfn, name, broken) == ("UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE")
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert any(e["LogicalResourceId"] == "Bad" and e["ResourceStatus"] == "CREATE_FAILED" for e in events)
    assert "Bad" not in {
        r["LogicalResourceId"] for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    }
    # a new key: replaced, as AWS does: a new table, the old one and its item gone
    assert _deploy(cfn, name, _sam(key=("tenant", "status"))) == ("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE")
    new = _table(cfn, name)
    assert (
        new != table
        and table not in ddb.list_tables()["TableNames"]
        and ddb.scan(TableName=new)["Count"] == 0
    )


@pytest.mark.usefixtures("local_aws")
def test_a_failed_create_rolls_back_and_can_only_be_deleted():
    cfn = aws.client("cloudformation")
    name = aws.namespace("t14-fidelity").name(uuid.uuid4().hex[:6])
    bad = {
        "Resources": {
            "Bad": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "RedrivePolicy": {
                        "deadLetterTargetArn": _missing_queue(),
                        "maxReceiveCount": 2,
                    }
                },
            }
        }
    }
    assert _deploy(cfn, name, bad, create=True) == ("ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE")
    with pytest.raises(ClientError, match="ROLLBACK_COMPLETE state and can not be updated"):
        cfn.update_stack(StackName=name, TemplateBody=platform.body(_sam()), Capabilities=CAPS)
    cfn.delete_stack(StackName=name)


# ------------------------------------------------------------------ the trusted checks, direct


def _reference_template():
    """The exercise's reference ``template`` function, from the solution notebook."""
    import nbformat

    from mastery import paths

    nb = nbformat.read(paths.course_root() / "solutions" / "month-04" / "14-platform-as-code.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "template")
    scope: dict = {}
    exec(cell.source, scope)  # noqa: S102 - the course's own reference solution
    return scope["template"]


@pytest.mark.usefixtures("local_aws")
def test_trusted_stack_check_reads_the_backend_not_the_kernel():
    """The reference platform deployed without the table's stream, by a learner whose kernel
    wraps ``describe_table`` to answer a stream: a kernel-side test would pass; the grader's check
    reads the table with its own client and names the stream. The same stack with the stream
    passes, so nothing else in the check depends on the kernel."""
    learner = f"w14-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("14-platform-as-code", learner)
    cfn = aws.client("cloudformation")
    name = ctx.namespace(checks.EXERCISE).name("platform")
    template = _reference_template()(1)
    del template["Resources"]["TasksTable"]["Properties"]["StreamSpecification"]
    body = platform.body(platform.translate(template))
    cfn.create_stack(StackName=name, TemplateBody=body, Capabilities=CAPS)
    cfn.describe_stacks(StackName=name)
    message = integrity.run_trusted(checks.TRUSTED["test-stack"], ctx)
    assert message is not None and "stream is off" in message, message
    assert integrity.run_trusted(checks.TRUSTED["test-no-op"], ctx) is not None  # never updated
    cfn.delete_stack(StackName=name)
    learner = f"w14-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("14-platform-as-code", learner)
    name = ctx.namespace(checks.EXERCISE).name("platform")
    good = platform.body(platform.translate(_reference_template()(1)))
    cfn.create_stack(StackName=name, TemplateBody=good, Capabilities=CAPS)
    cfn.describe_stacks(StackName=name)
    for gid in ("test-stack", "test-dead-letters", "test-least-privilege"):
        assert integrity.run_trusted(checks.TRUSTED[gid], ctx) is None, gid
    cfn.delete_stack(StackName=name)


def test_every_trusted_check_is_a_hidden_test_of_the_exercise():
    import nbformat

    from mastery import paths

    nb = nbformat.read(
        paths.course_root() / "solutions" / "month-04" / "14-platform-as-code.ipynb", as_version=4
    )
    hidden = {
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade") and "BEGIN HIDDEN TESTS" in c.source
    }
    assert set(checks.TRUSTED) == hidden


def test_the_lesson_is_a_full_chapter():
    import importlib.util

    import nbformat

    from mastery import paths

    spec = importlib.util.spec_from_file_location(
        "lesson_quality", paths.course_root() / "tests" / "course" / "test_lesson_quality.py"
    )
    quality = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(quality)
    chapter_problems = quality.chapter_problems
    path = paths.course_root() / "notebooks" / "month-04" / "14-platform-as-code.ipynb"
    assert chapter_problems(nbformat.read(path, as_version=4), path.stem) == []
