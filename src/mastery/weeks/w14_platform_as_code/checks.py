"""Trusted checks of the week-14 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients: it reads the stack (status, resources, events, the template it was
deployed with), the table, the queues, the bus, the functions and the roles themselves, so nothing
the learner's kernel prints, rebinds or wraps can change what it sees.
"""

from __future__ import annotations

import ast
import json
import re

from mastery.weeks.w14_platform_as_code import platform

EXERCISE = "m04-platform"  # the exercise's namespace (its setup cell)
FORBIDDEN_MANAGED = re.compile(r"(^|/)(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess)$")
EXPECTED = {
    "TasksTable": "AWS::DynamoDB::Table",
    "TaskEventsQueue": "AWS::SQS::Queue",
    "PlatformBus": "AWS::Events::EventBus",
    "TaskChangedRule": "AWS::Events::Rule",
    "NotifyFunction": "AWS::Lambda::Function",
    "AuditFunction": "AWS::Lambda::Function",
    "TaskWorkflow": "AWS::StepFunctions::StateMachine",
}


def _stack(ctx, what="platform"):
    return ctx.client("cloudformation"), ctx.namespace(EXERCISE).name(what)


def _resources(cfn, stack) -> dict[str, dict]:
    out, kw = {}, {"StackName": stack}
    while True:
        page = cfn.list_stack_resources(**kw)
        out.update(
            {r["LogicalResourceId"]: r for r in page["StackResourceSummaries"] if r.get("LogicalResourceId")}
        )
        if not page.get("NextToken"):
            return out
        kw["NextToken"] = page["NextToken"]


def _status(cfn, stack) -> str:
    return cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]


def _deployed(cfn, stack) -> dict:
    return platform.load(cfn.get_template(StackName=stack)["TemplateBody"])


def _physical(res, logical, rtype):
    r = res.get(logical)
    assert r is not None and r["ResourceType"] == rtype, (
        f"on the backend, the stack has no {logical} of type {rtype} (it has: "
        f"{sorted((k, v['ResourceType']) for k, v in res.items())[:12]})"
    )
    return r["PhysicalResourceId"]


def _queue_arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _lives(cfn, stack) -> list[dict]:
    out, kw = [], {}
    while True:
        page = cfn.list_stacks(**kw)
        out += [s for s in page["StackSummaries"] if s["StackName"] == stack]
        if not page.get("NextToken"):
            return out
        kw["NextToken"] = page["NextToken"]


def _table(ctx, res, keys=("tenant", "task"), stream=True):
    ddb = ctx.client("dynamodb")
    name = _physical(res, "TasksTable", EXPECTED["TasksTable"])
    t = ddb.describe_table(TableName=name)["Table"]
    got = {k["AttributeName"]: k["KeyType"] for k in t["KeySchema"]}
    assert got == {keys[0]: "HASH", keys[1]: "RANGE"}, f"on the backend, TasksTable is keyed {got}"
    spec = t.get("StreamSpecification") or {}
    assert not stream or (spec.get("StreamEnabled") and spec.get("StreamViewType") == "NEW_AND_OLD_IMAGES"), (
        f"on the backend, TasksTable's stream is {spec or 'off'}, not NEW_AND_OLD_IMAGES"
    )
    return ddb, name, t


def _queue_policy_ok(template) -> bool:
    res = template.get("Resources") or {}
    for r in res.values():
        if r.get("Type") != "AWS::SQS::QueuePolicy":
            continue
        p = r.get("Properties") or {}
        if "TaskEventsQueue" not in json.dumps(p.get("Queues")):
            continue
        for s in platform.as_list((p.get("PolicyDocument") or {}).get("Statement")):
            principal = json.dumps(s.get("Principal"))
            actions = [a.lower() for a in platform.as_list(s.get("Action"))]
            if (
                s.get("Effect") == "Allow"
                and "events.amazonaws.com" in principal
                and ("sqs:sendmessage" in actions or "sqs:*" in actions)
            ):
                return True
    return False


def stack(ctx) -> None:
    cfn, name = _stack(ctx)
    status = _status(cfn, name)
    assert status == "CREATE_COMPLETE", f"on the backend, {name} is {status}, not CREATE_COMPLETE"
    res = _resources(cfn, name)
    for logical, rtype in EXPECTED.items():
        _physical(res, logical, rtype)
    _table(ctx, res)
    sqs, events, lam = ctx.client("sqs"), ctx.client("events"), ctx.client("lambda")
    queue_arn = _queue_arn(sqs, res["TaskEventsQueue"]["PhysicalResourceId"])
    bus = res["PlatformBus"]["PhysicalResourceId"]
    rule = res["TaskChangedRule"]["PhysicalResourceId"].split("|")[-1]
    described = events.describe_rule(Name=rule, EventBusName=bus)
    pattern = json.loads(described.get("EventPattern") or "{}")
    assert pattern.get("source") == ["platform.tasks"], (
        f"on the backend, TaskChangedRule on {bus} matches {pattern}, not source platform.tasks"
    )
    targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=rule, EventBusName=bus)["Targets"]]
    assert queue_arn in targets, f"on the backend, TaskChangedRule targets {targets}, not TaskEventsQueue"
    notify = res["NotifyFunction"]["PhysicalResourceId"]
    sources = [
        m["EventSourceArn"]
        for m in lam.list_event_source_mappings(FunctionName=notify)["EventSourceMappings"]
    ]
    assert queue_arn in sources, f"on the backend, NotifyFunction reads {sources}, not TaskEventsQueue"
    audit_arn = lam.get_function(FunctionName=res["AuditFunction"]["PhysicalResourceId"])["Configuration"][
        "FunctionArn"
    ]
    assert audit_arn in _rule_targets(events, bus), (
        "on the backend, no rule on PlatformBus invokes AuditFunction"
    )
    assert _queue_policy_ok(_deployed(cfn, name)), (
        "the deployed template has no AWS::SQS::QueuePolicy letting events.amazonaws.com send to "
        "TaskEventsQueue "
        "(the local AWS cannot create one, so the template is what is checked)"
    )


def _rule_targets(events, bus) -> set[str]:
    out = set()
    for r in events.list_rules(EventBusName=bus)["Rules"]:
        out |= {t["Arn"] for t in events.list_targets_by_rule(Rule=r["Name"], EventBusName=bus)["Targets"]}
    return out


def dead_letters(ctx) -> None:
    cfn, name = _stack(ctx)
    res = _resources(cfn, name)
    sqs, lam, events = ctx.client("sqs"), ctx.client("lambda"), ctx.client("events")
    queues = {
        lid: r["PhysicalResourceId"] for lid, r in res.items() if r["ResourceType"] == "AWS::SQS::Queue"
    }
    arns = {lid: _queue_arn(sqs, url) for lid, url in queues.items()}
    redrive, targets = {}, set()
    for lid, url in queues.items():
        policy = (
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
            .get("Attributes", {})
            .get("RedrivePolicy")
        )
        if policy:
            redrive[lid] = json.loads(policy)
            targets.add(redrive[lid].get("deadLetterTargetArn"))
    functions = {
        lid: r["PhysicalResourceId"] for lid, r in res.items() if r["ResourceType"] == "AWS::Lambda::Function"
    }
    configs = {lid: lam.get_function_configuration(FunctionName=fn) for lid, fn in functions.items()}
    template = _deployed(cfn, name)
    # moto's Lambda keeps no DeadLetterConfig: a function's dead-letter target is read from the
    # template the stack was deployed with (a GetAtt of one of the stack's queues), else from Lambda
    dlq_of = {}
    for lid, c in configs.items():
        props = ((template.get("Resources") or {}).get(lid) or {}).get("Properties") or {}
        target = (props.get("DeadLetterConfig") or {}).get("TargetArn")
        named = [q for q in platform.refs(target) if q in arns]
        dlq_of[lid] = (c.get("DeadLetterConfig") or {}).get("TargetArn") or (
            arns[named[0]] if named else None
        )
    targets |= {a for a in dlq_of.values() if a}
    bare = sorted(lid for lid in queues if lid not in redrive and arns[lid] not in targets)
    assert not bare, f"on the backend, these queues have no dead-letter queue: {bare}"
    missing = [
        f"{lid}→{a}" for lid, r in redrive.items() if (a := r.get("deadLetterTargetArn")) not in arns.values()
    ]
    assert not missing, f"on the backend, a RedrivePolicy points outside the stack's queues: {missing}"
    invoked = set()
    for r in res.values():
        if r["ResourceType"] == "AWS::Events::EventBus":
            invoked |= _rule_targets(events, r["PhysicalResourceId"])
    invoked |= _rule_targets(events, "default")
    on_failure = set()
    for r in (template.get("Resources") or {}).values():
        if r.get("Type") == "AWS::Lambda::EventInvokeConfig":
            p = r.get("Properties") or {}
            if ((p.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"):
                on_failure |= {x for x in re.findall(r"[A-Za-z0-9]+", json.dumps(p.get("FunctionName")))}
    asynchronous = [lid for lid, c in configs.items() if c["FunctionArn"] in invoked]
    assert "AuditFunction" in asynchronous, (
        "on the backend, no rule on the stack's buses invokes AuditFunction"
    )
    uncovered = sorted(lid for lid in asynchronous if not dlq_of.get(lid) and lid not in on_failure)
    assert not uncovered, (
        f"on the backend, these asynchronously invoked functions have no dead-letter queue "
        f"or on-failure destination: {uncovered}"
    )
    for lid in asynchronous:
        if dlq_of.get(lid):
            assert dlq_of[lid] in arns.values(), (
                f"on the backend, {lid}'s dead-letter queue {dlq_of[lid]} is not a queue of the stack"
            )


def _document(doc):
    """A policy document as a dict: moto returns a role's inline policy made by CloudFormation as the
    text of a Python dict, not JSON."""
    if isinstance(doc, dict):
        return doc
    try:
        return json.loads(doc)
    except ValueError:
        return ast.literal_eval(doc)


def least_privilege(ctx) -> None:
    cfn, name = _stack(ctx)
    res = _resources(cfn, name)
    iam = ctx.client("iam")
    roles = [r["PhysicalResourceId"] for r in res.values() if r["ResourceType"] == "AWS::IAM::Role"]
    assert len(roles) >= 3, f"on the backend, the stack has {len(roles)} roles"
    problems = []
    for role in roles:
        for pname in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            doc = _document(iam.get_role_policy(RoleName=role, PolicyName=pname)["PolicyDocument"])
            for s in platform.wildcard_statements(doc):
                problems.append(f"{role}/{pname}: {json.dumps(s)[:160]}")
        for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            if FORBIDDEN_MANAGED.search(p["PolicyArn"]):
                problems.append(f"{role}: managed policy {p['PolicyArn']}")
            elif not p["PolicyArn"].startswith("arn:aws:iam::aws:"):
                pol = iam.get_policy(PolicyArn=p["PolicyArn"])["Policy"]
                doc = iam.get_policy_version(PolicyArn=p["PolicyArn"], VersionId=pol["DefaultVersionId"])[
                    "PolicyVersion"
                ]["Document"]
                for s in platform.wildcard_statements(doc):
                    problems.append(f"{role}/{p['PolicyName']}: {json.dumps(s)[:160]}")
    assert not problems, "on the backend, roles grant wildcards: " + " | ".join(problems[:4])


def linted(ctx) -> None:
    cfn, name = _stack(ctx)
    template = _deployed(cfn, name)
    errors = platform.cfn_lint(template)
    assert not errors, f"cfn-lint errors in the template {name} was deployed with: {errors[:3]}"
    found = platform.sls_findings(template)
    assert not found, (
        "week 11's rules find, in the template the stack was deployed with: "
        f"{[(f.rule, f.resource) for f in found][:5]}"
    )


def _one_stack(cfn, name):
    alive = [s for s in _lives(cfn, name) if s["StackStatus"] != "DELETE_COMPLETE"]
    assert len(alive) == 1, f"on the backend, {len(alive)} live stacks are named {name}"
    return alive[0]


def _same_stack(cfn, name, before_id):
    """The live stack, which must be the one that stood before the test cell ran (its id)."""
    assert before_id is not None, f"on the backend, there was no stack {name} before this test's deploy"
    alive = _one_stack(cfn, name)
    assert alive["StackId"] == before_id, (
        f"on the backend, {name} was deleted and created again (a new stack id): a deploy updates "
        "the stack in place"
    )
    return alive


def _live_id(ctx):
    cfn, name = _stack(ctx)
    alive = [s for s in _lives(cfn, name) if s["StackStatus"] != "DELETE_COMPLETE"]
    return alive[0]["StackId"] if len(alive) == 1 else None


def _kept(ddb, table, tenant, n):
    items = ddb.query(
        TableName=table,
        KeyConditionExpression="tenant = :t",
        ExpressionAttributeValues={":t": {"S": tenant}},
        ConsistentRead=True,
    )["Items"]
    return len(items) == n


def _index(t) -> bool:
    for g in t.get("GlobalSecondaryIndexes") or []:
        if g["IndexName"] == "by-status":
            keys = {k["AttributeName"]: k["KeyType"] for k in g["KeySchema"]}
            return (
                keys == {"tenant": "HASH", "status": "RANGE"}
                and g.get("Projection", {}).get("ProjectionType") == "ALL"
            )
    return False


def update_in_place(ctx, before) -> None:
    cfn, name = _stack(ctx)
    summary = _same_stack(cfn, name, before)
    assert summary["StackStatus"] == "UPDATE_COMPLETE", f"on the backend, {name} is {summary['StackStatus']}"
    ddb, table, t = _table(ctx, _resources(cfn, name), stream=False)
    assert _index(t), "on the backend, TasksTable has no by-status index (tenant, status; projection ALL)"
    items = ddb.query(
        TableName=table,
        KeyConditionExpression="tenant = :t",
        ExpressionAttributeValues={":t": {"S": "t-keep"}},
        ConsistentRead=True,
    )["Items"]
    got = sorted(i.get("title", {}).get("S") for i in items)
    assert got == ["kept 0", "kept 1", "kept 2"], (
        f"on the backend, TasksTable holds {got} of the items written before version 2: "
        "the table was replaced"
    )


def _stack_events(cfn, name, status) -> int:
    n, kw = 0, {"StackName": name}
    while True:
        page = cfn.describe_stack_events(**kw)
        n += sum(
            e["ResourceStatus"] == status and e.get("ResourceType") == "AWS::CloudFormation::Stack"
            for e in page["StackEvents"]
        )
        if not page.get("NextToken"):
            return n
        kw["NextToken"] = page["NextToken"]


def no_op(ctx, before) -> None:
    cfn, name = _stack(ctx)
    before_id, updates = before or (None, 0)
    summary = _same_stack(cfn, name, before_id)
    assert summary["StackStatus"] == "UPDATE_COMPLETE", f"on the backend, {name} is {summary['StackStatus']}"
    n = _stack_events(cfn, name, "UPDATE_COMPLETE")
    assert n == updates, f"on the backend, the unchanged deploy updated {name} ({n - updates} update(s))"


def _no_op_before(ctx):
    cfn, name = _stack(ctx)
    live = _live_id(ctx)
    return live, (_stack_events(cfn, name, "UPDATE_COMPLETE") if live else 0)


def rollback(ctx, before) -> None:
    cfn, name = _stack(ctx)
    broken = ctx.namespace(EXERCISE).name("broken")
    alive = _one_stack(cfn, broken)
    assert alive["StackStatus"] == "CREATE_COMPLETE", f"on the backend, {broken} is {alive['StackStatus']}"
    assert "BrokenQueue" not in _resources(cfn, broken), (
        f"on the backend, {broken} still holds the broken queue"
    )
    summary = _same_stack(cfn, name, before)
    assert summary["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", (
        f"on the backend, {name} is {summary['StackStatus']}, not UPDATE_ROLLBACK_COMPLETE"
    )
    ddb, table, t = _table(ctx, _resources(cfn, name), stream=False)
    assert _index(t) and _kept(ddb, table, "t-rollback", 1) and _kept(ddb, table, "t-keep", 3), (
        "on the backend, the rolled-back stack's table lost its index or items"
    )


def throttled(ctx) -> None:
    cfn, name = _stack(ctx, "throttled")
    status = _one_stack(cfn, name)["StackStatus"]
    assert status == "CREATE_COMPLETE", f"on the backend, {name} is {status}, not CREATE_COMPLETE"
    _table(ctx, _resources(cfn, name))


# what each check reads before its test cell runs (mastery.grading.integrity.prepare_trusted)
update_in_place.before = _live_id
no_op.before = _no_op_before
rollback.before = _live_id

TRUSTED = {
    "test-stack": stack,
    "test-dead-letters": dead_letters,
    "test-least-privilege": least_privilege,
    "test-linted": linted,
    "test-update-in-place": update_in_place,
    "test-no-op": no_op,
    "test-rollback": rollback,
    "test-throttled": throttled,
}
