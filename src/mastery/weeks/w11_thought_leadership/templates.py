"""Plumbing for linting serverless CloudFormation/SAM templates: a YAML loader that keeps line
numbers and understands the short-form intrinsic tags (``!Ref``, ``!GetAtt``, ``!Sub``, ...),
views of a template that every rule needs (functions, IAM statements, triggers, inline code),
the finding record, and a seeded generator of clean and planted templates.

The learner writes the rules; this module only reads templates and makes fixtures. The rule
catalogue (ids used everywhere in the course; the lesson cites a source for each):

========== ========================================================================== ============
id         what the rule detects                                                      line
========== ========================================================================== ============
``SLS001`` a function's inline code (``InlineCode``/``Code.ZipFile``) calls           the code key
           ``.invoke(`` without ``InvocationType`` ``"Event"``: a synchronous
           Lambda-to-Lambda call (boto3's default is ``RequestResponse``)
``SLS002`` an ``AWS::SQS::Queue`` without ``RedrivePolicy``, unless it is itself the   logical id
           dead-letter target of another queue
``SLS003`` an asynchronous trigger (:data:`ASYNC_TRIGGERS`) on a function with no     the trigger
           failure destination: no ``DeadLetterQueue``/``DeadLetterConfig``, no
           ``EventInvokeConfig.DestinationConfig.OnFailure`` (property or resource)
``SLS004`` an ``Allow`` statement whose ``Action`` is ``*`` or ``<service>:*``, or    the key
           whose ``Resource`` is ``*`` (one finding per key)
``SLS005`` a function with a spiky trigger (:data:`SPIKY_TRIGGERS`) and no            logical id
           ``ReservedConcurrentExecutions`` (own or SAM ``Globals``); an SQS trigger
           with ``ScalingConfig.MaximumConcurrency`` is bounded
``SLS006`` a runtime ``Allow`` statement (granted to a function) whose actions match  ``Action``
           one of :data:`INFRA_ACTIONS`, wildcards included: infrastructure created
           per request
``SLS007`` a function without ``Timeout`` (own, or SAM ``Globals`` for                logical id /
           ``AWS::Serverless::Function`` only), or whose timeout exceeds an API         ``Timeout``
           trigger's integration limit (:data:`API_TIMEOUT_LIMITS`)
========== ========================================================================== ============
"""

from __future__ import annotations

import json
import random
import re
from collections import namedtuple
from dataclasses import dataclass, field
from pathlib import Path

import yaml

RULES = {
    "SLS001": "Lambda invokes Lambda synchronously",
    "SLS002": "SQS queue without a dead-letter queue",
    "SLS003": "asynchronous trigger without an on-failure destination",
    "SLS004": "wildcard IAM action or resource",
    "SLS005": "spiky trigger on a function without reserved concurrency",
    "SLS006": "infrastructure created per request",
    "SLS007": "missing or too long timeout",
}
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
SPIKY_TRIGGERS = ("Api", "HttpApi", "SQS", "Kinesis")
ASYNC_TRIGGERS = ("SNS", "S3", "EventBridgeRule", "CloudWatchEvent", "Schedule")
API_TIMEOUT_LIMITS = {"Api": 29, "HttpApi": 30}  # seconds, API Gateway integration timeout
DEFAULT_TIMEOUT = 3  # seconds, Lambda's default when Timeout is not set
INFRA_ACTIONS = ("states:CreateStateMachine", "dynamodb:CreateTable", "cloudformation:CreateStack")

Finding = namedtuple("Finding", "rule resource line message")
Finding.__doc__ = "One problem: rule id, resource logical id, 1-based line in the template, message."


# --------------------------------------------------------------------------- loading


class LineDict(dict):
    """A mapping that remembers the line of each key (``lines``) and its own (``line``)."""

    line: int = 0
    lines: dict


class LineList(list):
    """A sequence that remembers the line of each item (``lines``) and its own (``line``)."""

    line: int = 0
    lines: list


_SHORT = (
    "Ref",
    "Condition",
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "Equals",
    "Not",
    "And",
    "Or",
    "Base64",
    "Cidr",
    "GetAZs",
    "Transform",
    "Length",
    "ToJsonString",
)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _mapping(loader, node):
    loader.flatten_mapping(node)
    out = LineDict()
    out.line, out.lines = node.start_mark.line + 1, {}
    for k, v in node.value:
        key = loader.construct_object(k, deep=True)
        out[key] = loader.construct_object(v, deep=True)
        out.lines[key] = k.start_mark.line + 1
    return out


def _sequence(loader, node):
    out = LineList(loader.construct_object(n, deep=True) for n in node.value)
    out.line, out.lines = node.start_mark.line + 1, [n.start_mark.line + 1 for n in node.value]
    return out


def _intrinsic(name):
    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if name == "GetAtt":
                value = LineList(value.split(".", 1))
                value.line, value.lines = node.start_mark.line + 1, [node.start_mark.line + 1] * 2
        elif isinstance(node, yaml.SequenceNode):
            value = _sequence(loader, node)
        else:
            value = _mapping(loader, node)
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        out = LineDict({key: value})
        out.line, out.lines = node.start_mark.line + 1, {key: node.start_mark.line + 1}
        return out

    return construct


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
for _name in _SHORT:
    _Loader.add_constructor(f"!{_name}", _intrinsic(_name))


class Template:
    """A parsed template. ``data`` is the whole document (dicts and lists that know their lines)."""

    def __init__(self, data: dict, source: str = "<string>"):
        if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
            raise ValueError(f"{source}: not a CloudFormation template (no Resources mapping)")
        self.data, self.source = data, source

    @property
    def resources(self) -> dict:
        return self.data["Resources"]

    def of_type(self, *types: str) -> list[tuple[str, dict]]:
        """``(logical id, resource)`` for every resource of one of ``types``, in template order."""
        return [
            (rid, r) for rid, r in self.resources.items() if isinstance(r, dict) and r.get("Type") in types
        ]

    def functions(self) -> list[tuple[str, dict]]:
        """``(logical id, resource)`` of every SAM or plain Lambda function."""
        return self.of_type(*FUNCTION_TYPES)

    def props(self, logical_id: str) -> dict:
        return self.resources[logical_id].get("Properties") or {}

    def global_function(self, key: str):
        """``Globals.Function.<key>`` or None. SAM applies it to ``AWS::Serverless::Function`` only."""
        return ((self.data.get("Globals") or {}).get("Function") or {}).get(key)

    def line(self, *path) -> int:
        """Line of the deepest key (or list item) of ``path`` from the document root that exists."""
        node, best = self.data, 1
        for key in path:
            if isinstance(node, LineDict) and key in node:
                best, node = node.lines[key], node[key]
            elif isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node):
                best, node = node.lines[key], node[key]
            else:
                break
        return best

    def line_of(self, logical_id: str, *path) -> int:
        """Line of ``path`` inside resource ``logical_id``; the logical id's own line without a path."""
        return self.line("Resources", logical_id, *path)


def load(source: str | Path) -> Template:
    """Parse a template from a path or from YAML/JSON text."""
    if isinstance(source, Path) or ("\n" not in str(source) and Path(str(source)).is_file()):
        path = Path(source)
        return Template(yaml.load(path.read_text(), Loader=_Loader), str(path))
    return Template(yaml.load(str(source), Loader=_Loader))


# --------------------------------------------------------------------------- views


def as_list(value) -> list:
    """IAM and CloudFormation accept a single value or a list: always get a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def refs(value) -> set[str]:
    """Logical ids referenced inside a value: ``Ref``, ``Fn::GetAtt`` and ``${X}`` in ``Fn::Sub``."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" and isinstance(v, str):
                out.add(v)
            elif k == "Fn::GetAtt":
                out.add(v[0] if isinstance(v, list) else str(v).split(".")[0])
            elif k == "Fn::Sub":
                text = v[0] if isinstance(v, list) else v
                out |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", str(text))}
                out |= refs(v[1]) if isinstance(v, list) and len(v) > 1 else set()
            else:
                out |= refs(v)
    elif isinstance(value, list):
        for v in value:
            out |= refs(v)
    return {r for r in out if not r.startswith("AWS::")}


def inline_code(resource: dict) -> tuple[str, tuple] | None:
    """``(code, path)`` of a function's inline code (``InlineCode`` or ``Code.ZipFile``), or None."""
    p = resource.get("Properties") or {}
    if isinstance(p.get("InlineCode"), str):
        return p["InlineCode"], ("Properties", "InlineCode")
    code = p.get("Code")
    if isinstance(code, dict) and isinstance(code.get("ZipFile"), str):
        return code["ZipFile"], ("Properties", "Code", "ZipFile")
    return None


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement, where it is written (``resource``, ``path``) and whether a
    Lambda function holds it at run time (``runtime``)."""

    resource: str
    path: tuple
    statement: dict
    runtime: bool

    @property
    def allows(self) -> bool:
        return self.statement.get("Effect") == "Allow"

    @property
    def actions(self) -> list[str]:
        return [a for a in as_list(self.statement.get("Action")) if isinstance(a, str)]

    @property
    def resources(self) -> list:
        return as_list(self.statement.get("Resource"))


def _trusts_lambda(role: dict) -> bool:
    doc = (role.get("Properties") or {}).get("AssumeRolePolicyDocument") or {}
    for st in as_list(doc.get("Statement")):
        principal = (st.get("Principal") or {}) if isinstance(st, dict) else {}
        if "lambda.amazonaws.com" in as_list(principal.get("Service")):
            return True
    return False


def statements(t: Template) -> list[Statement]:
    """Every IAM statement in the template: SAM function ``Policies`` (inline documents; SAM
    policy templates such as ``DynamoDBCrudPolicy`` are skipped), ``AWS::IAM::Role`` inline
    policies and ``AWS::IAM::Policy``/``ManagedPolicy`` documents."""
    lambda_roles = {rid for rid, r in t.of_type("AWS::IAM::Role") if _trusts_lambda(r)}
    out = []

    def add(rid, doc, path, runtime):
        if not isinstance(doc, dict):
            return
        sts = doc.get("Statement")
        for i, st in enumerate(as_list(sts)):
            if isinstance(st, dict):
                p = (*path, "Statement", i) if isinstance(sts, list) else (*path, "Statement")
                out.append(Statement(rid, p, st, runtime))

    for rid, r in t.resources.items():
        kind, p = r.get("Type"), r.get("Properties") or {}
        if kind == "AWS::Serverless::Function":
            pol = p.get("Policies")
            if isinstance(pol, dict):
                add(rid, pol, ("Properties", "Policies"), True)
            for i, item in enumerate(pol if isinstance(pol, list) else []):
                if isinstance(item, dict) and "Statement" in item:
                    add(rid, item, ("Properties", "Policies", i), True)
        elif kind == "AWS::IAM::Role":
            for i, item in enumerate(as_list(p.get("Policies"))):
                if isinstance(item, dict):
                    add(
                        rid,
                        item.get("PolicyDocument"),
                        ("Properties", "Policies", i, "PolicyDocument"),
                        rid in lambda_roles,
                    )
        elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            runtime = bool(refs(p.get("Roles")) & lambda_roles)
            add(rid, p.get("PolicyDocument"), ("Properties", "PolicyDocument"), runtime)
    return out


@dataclass(frozen=True)
class Trigger:
    """An event source of ``function`` of type ``kind`` (SAM event type names), declared in
    resource ``resource`` at ``path``; ``properties`` are the event's or mapping's properties."""

    function: str
    kind: str
    resource: str
    path: tuple
    properties: dict = field(default_factory=dict, compare=False)


_ESM_SOURCES = {
    "AWS::SQS::Queue": "SQS",
    "AWS::Kinesis::Stream": "Kinesis",
    "AWS::DynamoDB::Table": "DynamoDB",
}
_PRINCIPALS = {
    "apigateway.amazonaws.com": "Api",
    "sns.amazonaws.com": "SNS",
    "s3.amazonaws.com": "S3",
    "events.amazonaws.com": "EventBridgeRule",
}


def triggers(t: Template) -> list[Trigger]:
    """Every trigger of every function: SAM ``Events``, ``AWS::Lambda::EventSourceMapping`` and
    ``AWS::Lambda::Permission`` (by the invoking service principal)."""
    functions = dict(t.functions())
    out = []
    for fid, f in functions.items():
        events = (f.get("Properties") or {}).get("Events") or {}
        for name, ev in events.items():
            if isinstance(ev, dict):
                out.append(
                    Trigger(
                        fid,
                        ev.get("Type", ""),
                        fid,
                        ("Properties", "Events", name),
                        ev.get("Properties") or {},
                    )
                )
    for rid, r in t.of_type("AWS::Lambda::EventSourceMapping"):
        p = r.get("Properties") or {}
        target = next(iter(refs(p.get("FunctionName")) & functions.keys()), None)
        source = next(iter(refs(p.get("EventSourceArn"))), None)
        kind = _ESM_SOURCES.get((t.resources.get(source) or {}).get("Type"), "Unknown")
        if target:
            out.append(Trigger(target, kind, rid, (), p))
    for rid, r in t.of_type("AWS::Lambda::Permission"):
        p = r.get("Properties") or {}
        target = next(iter(refs(p.get("FunctionName")) & functions.keys()), None)
        if target and p.get("Principal") in _PRINCIPALS:
            out.append(Trigger(target, _PRINCIPALS[p["Principal"]], rid, (), p))
    return out


def findings_table(findings) -> list[tuple[str, str, int]]:
    """The comparable part of findings: sorted ``(rule, resource, line)``."""
    return sorted((f.rule, f.resource, f.line) for f in findings)


# --------------------------------------------------------------------------- fixtures

PLANTS = (
    "sync-invoke",
    "queue-without-dlq",
    "async-without-on-failure",
    "wildcard-iam",
    "unbounded-concurrency",
    "per-request-infra",
    "missing-timeout",
    "api-timeout-too-long",
)
_PREFIXES = (
    "Orders",
    "Billing",
    "Catalog",
    "Shipping",
    "Inventory",
    "Loyalty",
    "Returns",
    "Invoices",
    "Payments",
    "Search",
    "Reviews",
    "Accounts",
)


class _Tag:
    def __init__(self, tag: str, value):
        self.tag, self.value = tag, value


class _Literal(str):
    pass


class _Dumper(yaml.SafeDumper):  # pure Python: the same bytes with or without libyaml
    pass


_Dumper.add_representer(_Tag, lambda d, v: d.represent_scalar(v.tag, v.value))
_Dumper.add_representer(_Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))


def _ref(x):
    return _Tag("!Ref", x)


def _att(x):
    return _Tag("!GetAtt", x)


def _sub(x):
    return _Tag("!Sub", x)


@dataclass
class Fixture:
    """A generated template: its YAML ``text``, what was planted, and the expected findings
    ``(rule, resource, line)``."""

    text: str
    planted: tuple[str, ...]
    findings: list[tuple[str, str, int]]

    @property
    def clean(self) -> bool:
        return not self.planted


def make_template(seed: int, plant=()) -> Fixture:
    """A SAM template for one service, clean except for the anti-patterns in ``plant`` (names from
    :data:`PLANTS`). Names, values, layout and the clean variants (Globals or per-function
    timeouts, failure destinations, SQS concurrency bounds) vary with ``seed``."""
    unknown = set(plant) - set(PLANTS)
    if unknown:
        raise ValueError(f"unknown plants {sorted(unknown)}; choose from {PLANTS}")
    rng = random.Random(seed)
    P = rng.choice(_PREFIXES)
    n = {
        k: P + k
        for k in (
            "Table",
            "Queue",
            "DeadLetterQueue",
            "Topic",
            "FailureQueue",
            "Stream",
            "ApiFunction",
            "WorkerFunction",
            "NotifyFunction",
            "StreamFunction",
            "StreamRole",
            "StreamMapping",
            "DeployRole",
            "StateMachine",
            "NotifyInvokeConfig",
        )
    }
    use_globals = rng.random() < 0.5
    expect: list[tuple[str, str, tuple]] = []  # (rule, resource or "", path from resource or root)
    R: dict = {}

    R[n["Table"]] = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        },
    }
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": rng.choice([180, 300, 360])}}
    if "queue-without-dlq" in plant:
        expect.append(("SLS002", n["Queue"], ()))
    else:
        queue["Properties"]["RedrivePolicy"] = {
            "deadLetterTargetArn": _att(n["DeadLetterQueue"] + ".Arn"),
            "maxReceiveCount": rng.choice([3, 5, 10]),
        }
        R[n["DeadLetterQueue"]] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {"MessageRetentionPeriod": 1209600},
        }
    R[n["Queue"]] = queue
    R[n["StateMachine"]] = {
        "Type": "AWS::Serverless::StateMachine",
        "Properties": {
            "DefinitionUri": "statemachine/saga.asl.json",
            "Policies": [{"DynamoDBCrudPolicy": {"TableName": _ref(n["Table"])}}],
        },
    }

    def timeout(fid, props, limit=None):
        if use_globals and fid != n["StreamFunction"]:
            return
        props["Timeout"] = rng.randint(5, limit or 60)

    # --- the API function: calls the worker asynchronously, starts the saga, writes the table
    client = rng.choice(["lam", "lambda_client", "awslambda"])
    if "sync-invoke" in plant:
        extra = rng.choice(["", ', InvocationType="RequestResponse"'])
        expect.append(("SLS001", n["ApiFunction"], ("Properties", "InlineCode")))
    else:
        extra = ', InvocationType="Event"'
    code = (
        f'import json, os\nimport boto3\n\n{client} = boto3.client("lambda")\n\n\n'
        f'def handler(event, context):\n    body = json.loads(event["body"])\n'
        f'    {client}.invoke(FunctionName=os.environ["WORKER"], Payload=json.dumps(body){extra})\n'
        f'    return {{"statusCode": 202, "body": json.dumps({{"accepted": True}})}}\n'
    )
    api_policies = [
        {"DynamoDBCrudPolicy": {"TableName": _ref(n["Table"])}},
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["lambda:InvokeFunction"],
                    "Resource": _att(n["WorkerFunction"] + ".Arn"),
                },
                {"Effect": "Allow", "Action": "states:StartExecution", "Resource": _ref(n["StateMachine"])},
                {"Effect": "Deny", "Action": ["dynamodb:DeleteTable"], "Resource": "*"},
            ]
        },
    ]
    api_props = {
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "InlineCode": _Literal(code),
        "MemorySize": rng.choice([256, 512, 1024]),
    }
    api_kind = rng.choice(["Api", "HttpApi"])
    if "api-timeout-too-long" in plant:
        api_props["Timeout"] = rng.choice([API_TIMEOUT_LIMITS[api_kind] + 1, 60, 900])
        expect.append(("SLS007", n["ApiFunction"], ("Properties", "Timeout")))
    else:
        timeout(n["ApiFunction"], api_props, limit=29)
    if "wildcard-iam" in plant:
        variant = rng.choice(["action", "resource", "both"])
        st = {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": _att(n["Table"] + ".Arn"),
        }
        if variant in ("action", "both"):
            st["Action"] = rng.choice(["dynamodb:*", "*"])
            expect.append(
                ("SLS004", n["ApiFunction"], ("Properties", "Policies", 1, "Statement", 3, "Action"))
            )
            expect.append(
                ("SLS006", n["ApiFunction"], ("Properties", "Policies", 1, "Statement", 3, "Action"))
            )
        if variant in ("resource", "both"):
            st["Resource"] = "*"
            expect.append(
                ("SLS004", n["ApiFunction"], ("Properties", "Policies", 1, "Statement", 3, "Resource"))
            )
        api_policies[1]["Statement"].append(st)
    if "per-request-infra" in plant:
        action, arn = rng.choice(
            [
                (
                    "states:CreateStateMachine",
                    "arn:aws:states:${AWS::Region}:${AWS::AccountId}:stateMachine:order-*",
                ),
                ("dynamodb:CreateTable", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/tenant-*"),
                (
                    "cloudformation:CreateStack",
                    "arn:aws:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/job-*/*",
                ),
            ]
        )
        api_policies.append({"Statement": [{"Effect": "Allow", "Action": [action], "Resource": _sub(arn)}]})
        expect.append(("SLS006", n["ApiFunction"], ("Properties", "Policies", 2, "Statement", 0, "Action")))
    api_props["Policies"] = api_policies
    api_props["Environment"] = {
        "Variables": {"WORKER": _ref(n["WorkerFunction"]), "SAGA": _ref(n["StateMachine"])}
    }
    api_props["Events"] = {
        "Submit": {"Type": api_kind, "Properties": {"Path": f"/{P.lower()}", "Method": "post"}}
    }
    unbounded = rng.choice(["api", "worker", "stream"]) if "unbounded-concurrency" in plant else None
    if unbounded != "api":
        api_props["ReservedConcurrentExecutions"] = rng.choice([50, 100, 200])
    else:
        expect.append(("SLS005", n["ApiFunction"], ()))
    R[n["ApiFunction"]] = {"Type": "AWS::Serverless::Function", "Properties": api_props}

    # --- the worker: drains the queue
    worker_props = {
        "Runtime": "python3.12",
        "Handler": "worker.handler",
        "CodeUri": "src/worker/",
        "Policies": [
            {"SQSPollerPolicy": {"QueueName": _att(n["Queue"] + ".QueueName")}},
            {"DynamoDBCrudPolicy": {"TableName": _ref(n["Table"])}},
        ],
    }
    timeout(n["WorkerFunction"], worker_props)
    sqs_event = {"Queue": _att(n["Queue"] + ".Arn"), "BatchSize": 10}
    if unbounded == "worker":
        expect.append(("SLS005", n["WorkerFunction"], ()))
    elif rng.random() < 0.5:
        worker_props["ReservedConcurrentExecutions"] = rng.choice([5, 10, 20])
    else:
        sqs_event["ScalingConfig"] = {"MaximumConcurrency": rng.choice([2, 5, 10])}
    worker_props["Events"] = {"Jobs": {"Type": "SQS", "Properties": sqs_event}}
    R[n["WorkerFunction"]] = {"Type": "AWS::Serverless::Function", "Properties": worker_props}

    # --- the notifier: an SNS subscriber, invoked asynchronously
    R[n["Topic"]] = {"Type": "AWS::SNS::Topic"}
    notify_props = {
        "Runtime": "python3.12",
        "Handler": "notify.handler",
        "CodeUri": "src/notify/",
        "Events": {
            "Notify": {
                "Type": rng.choice(["SNS", "EventBridgeRule"]),
                "Properties": {"Topic": _ref(n["Topic"])},
            }
        },
    }
    if notify_props["Events"]["Notify"]["Type"] == "EventBridgeRule":
        notify_props["Events"]["Notify"]["Properties"] = {"Pattern": {"source": [f"{P.lower()}.service"]}}
    timeout(n["NotifyFunction"], notify_props)
    if "async-without-on-failure" in plant:
        expect.append(("SLS003", n["NotifyFunction"], ("Properties", "Events", "Notify")))
    else:
        R[n["FailureQueue"]] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {
                    "deadLetterTargetArn": _att(n["DeadLetterQueue"] + ".Arn")
                    if n["DeadLetterQueue"] in R
                    else _sub("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:shared-dlq"),
                    "maxReceiveCount": 5,
                }
            },
        }
        how = rng.choice(["property", "resource", "dlq"])
        on_failure = {"Type": "SQS", "Destination": _att(n["FailureQueue"] + ".Arn")}
        if how == "property":
            notify_props["EventInvokeConfig"] = {
                "MaximumRetryAttempts": 2,
                "DestinationConfig": {"OnFailure": on_failure},
            }
        elif how == "dlq":
            notify_props["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": _att(n["FailureQueue"] + ".Arn")}
        else:
            R[n["NotifyInvokeConfig"]] = {
                "Type": "AWS::Lambda::EventInvokeConfig",
                "Properties": {
                    "FunctionName": _ref(n["NotifyFunction"]),
                    "Qualifier": "$LATEST",
                    "MaximumRetryAttempts": 2,
                    "DestinationConfig": {"OnFailure": {"Destination": _att(n["FailureQueue"] + ".Arn")}},
                },
            }
    R[n["NotifyFunction"]] = {"Type": "AWS::Serverless::Function", "Properties": notify_props}

    # --- a plain CloudFormation function on a Kinesis stream, with its own role
    R[n["Stream"]] = {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": rng.choice([1, 2, 4])}}
    R[n["StreamRole"]] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "stream",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "kinesis:GetRecords",
                                    "kinesis:GetShardIterator",
                                    "kinesis:DescribeStream",
                                    "kinesis:ListShards",
                                ],
                                "Resource": _att(n["Stream"] + ".Arn"),
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": _sub(
                                    "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*"
                                ),
                            },
                        ],
                    },
                }
            ],
        },
    }
    stream_props = {
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": _att(n["StreamRole"] + ".Arn"),
        "Code": {"ZipFile": _Literal('def handler(event, context):\n    return {"batchItemFailures": []}\n')},
    }
    if "missing-timeout" in plant:
        victim = rng.choice(["stream"] if use_globals else ["stream", "worker", "notify"])
        victim_id = n[
            {"stream": "StreamFunction", "worker": "WorkerFunction", "notify": "NotifyFunction"}[victim]
        ]
        expect.append(("SLS007", victim_id, ()))
    else:
        victim_id = None
    if victim_id != n["StreamFunction"]:
        stream_props["Timeout"] = rng.randint(10, 120)
    if unbounded == "stream":
        expect.append(("SLS005", n["StreamFunction"], ()))
    else:
        stream_props["ReservedConcurrentExecutions"] = rng.choice([2, 4, 8])
    R[n["StreamFunction"]] = {"Type": "AWS::Lambda::Function", "Properties": stream_props}
    R[n["StreamMapping"]] = {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {
            "FunctionName": _ref(n["StreamFunction"]),
            "EventSourceArn": _att(n["Stream"] + ".Arn"),
            "StartingPosition": "LATEST",
            "BatchSize": 100,
            "DestinationConfig": {"OnFailure": {"Destination": _att(n["Queue"] + ".Arn")}},
        },
    }
    if victim_id in (n["WorkerFunction"], n["NotifyFunction"]):
        R[victim_id]["Properties"].pop("Timeout", None)

    # --- the deployment role: CloudFormation may create tables; no function holds this role
    R[n["DeployRole"]] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudformation.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "deploy",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["dynamodb:CreateTable", "dynamodb:UpdateTable"],
                                "Resource": _sub(
                                    "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"
                                    + P.lower()
                                    + "-*"
                                ),
                            },
                        ],
                    },
                }
            ],
        },
    }

    # layout: a shuffled resource order, optional Globals
    order = list(R)
    rng.shuffle(order)
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": f"{P} service (generated by the course template generator, seed {seed})",
    }
    if use_globals:
        doc["Globals"] = {"Function": {"Timeout": rng.randint(5, 29), "MemorySize": 512, "Tracing": "Active"}}
    doc["Resources"] = {k: R[k] for k in order}
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=110)
    text = re.sub(r"(!\w+) '([A-Za-z0-9_.:/${}*-]+)'$", r"\1 \2", text, flags=re.M)  # !Ref X, unquoted
    t = load(text)
    findings = sorted((rule, rid, t.line_of(rid, *path)) for rule, rid, path in expect)
    return Fixture(text, tuple(p for p in PLANTS if p in plant), findings)


FIXTURES = [  # (file stem, seed, plants): the committed set in data/templates/
    ("clean-01", 1101, ()),
    ("clean-02", 1102, ()),
    ("clean-03", 1103, ()),
    ("clean-04", 1104, ()),
    ("sync-invoke", 1111, ("sync-invoke",)),
    ("queue-without-dlq", 1112, ("queue-without-dlq",)),
    ("async-without-on-failure", 1113, ("async-without-on-failure",)),
    ("wildcard-iam", 1114, ("wildcard-iam",)),
    ("unbounded-concurrency", 1115, ("unbounded-concurrency",)),
    ("per-request-infra", 1116, ("per-request-infra",)),
    ("missing-timeout", 1117, ("missing-timeout",)),
    ("api-timeout-too-long", 1118, ("api-timeout-too-long",)),
    ("kitchen-sink", 1119, PLANTS),
]


def write_fixtures(out: Path) -> list[Path]:
    """Write the committed fixture set (templates and ``manifest.json``) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    manifest, written = {"rules": RULES, "templates": []}, []
    for stem, seed, plant in FIXTURES:
        fx = make_template(seed, plant)
        path = out / f"{stem}.yaml"
        path.write_text(fx.text)
        written.append(path)
        manifest["templates"].append(
            {
                "file": path.name,
                "seed": seed,
                "planted": list(fx.planted),
                "findings": [{"rule": r, "resource": res, "line": line} for r, res, line in fx.findings],
            }
        )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return [*written, out / "manifest.json"]
