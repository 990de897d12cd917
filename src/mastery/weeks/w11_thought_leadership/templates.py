"""Plumbing for linting serverless CloudFormation/SAM templates: a YAML loader that keeps line
numbers and understands the short-form intrinsic tags (``!Ref``, ``!GetAtt``, ``!Sub``, ...),
views of a template that every rule needs (functions, IAM statements, triggers, inline code),
the finding record, and a seeded generator of clean and planted templates: the clean template
``base_template.yaml`` beside this module, and one function per anti-pattern (:data:`PLANT_FUNCTIONS`).

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
_BASE = Path(__file__).with_name("base_template.yaml")  # the clean template; "Acme" is the prefix


class _Tag:
    def __init__(self, tag: str, value):
        self.tag, self.value = tag, value


class _Literal(str):
    pass


class _Draw:
    """A value the seed picks, written ``!choice [a, b, ...]`` or ``!randint [low, high]``."""

    def __init__(self, how: str, args: list):
        self.how, self.args = how, args

    def __call__(self, rng: random.Random):
        return rng.choice(self.args) if self.how == "choice" else rng.randint(*self.args)


class _Dumper(yaml.SafeDumper):  # pure Python: the same bytes with or without libyaml
    pass


_Dumper.add_representer(_Tag, lambda d, v: d.represent_scalar(v.tag, v.value))
_Dumper.add_representer(_Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style="|"))


class _BaseLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Reads the base template into what :class:`_Dumper` writes back: short-form tags as
    :class:`_Tag`, ``|`` blocks as :class:`_Literal`, and the seeded values as :class:`_Draw`."""


def _base_str(loader, node):
    value = loader.construct_scalar(node)
    return _Literal(value) if node.style == "|" else value


def _base_tag(loader, node):
    return _Tag(node.tag, loader.construct_scalar(node))


def _base_draw(loader, node):
    return _Draw(node.tag[1:], loader.construct_sequence(node))


_BaseLoader.add_constructor("tag:yaml.org,2002:str", _base_str)
for _name in ("!Ref", "!GetAtt", "!Sub"):
    _BaseLoader.add_constructor(_name, _base_tag)
for _name in ("!choice", "!randint"):
    _BaseLoader.add_constructor(_name, _base_draw)


def _att(x):
    return _Tag("!GetAtt", x)


def _sub(x):
    return _Tag("!Sub", x)


def _pruned(value):
    """``value`` without the keys set to None: setting a key to None leaves it out of the written
    template but keeps its place, so that a later step can still fill it in."""
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


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


class _Draft:
    """A template being made: the base template named after the seeded prefix, the seeded random
    generator, and the findings the plants expect as ``(rule, logical id, path from the resource)``.
    Resources are named without the prefix (``"Queue"``)."""

    def __init__(self, seed: int):
        self.seed, self.rng = seed, random.Random(seed)
        self.prefix = self.rng.choice(_PREFIXES)
        self.use_globals = self.rng.random() < 0.5
        text = _BASE.read_text().replace("Acme", self.prefix).replace("acme", self.prefix.lower())
        self.doc = yaml.load(text.replace("SEED", str(seed)), Loader=_BaseLoader)
        if not self.use_globals:
            self.doc["Globals"] = None
        self.expected: list[tuple[str, str, tuple]] = []

    def id(self, name: str) -> str:
        return self.prefix + name

    def props(self, name: str) -> dict:
        return self.doc["Resources"][self.id(name)]["Properties"]

    def has(self, name: str) -> bool:
        return self.doc["Resources"][self.id(name)] is not None

    def drop(self, *names: str) -> None:
        for name in names:
            self.doc["Resources"][self.id(name)] = None

    def expect(self, rule: str, name: str, *path) -> None:
        self.expected.append((rule, self.id(name), path))

    def draw(self, name: str, *path):
        """Draw the seeded value at ``path`` inside resource ``name``'s Properties, if a plant or an
        earlier draw has not set or removed it. A SAM function's ``Timeout`` is removed instead
        when the template has ``Globals`` (SAM applies them to ``AWS::Serverless::Function`` only)."""
        node = self.doc["Resources"][self.id(name)]
        for key in ("Properties", *path[:-1]):
            node = node.get(key) if node is not None else None
        if node is None or not isinstance(node.get(path[-1]), _Draw):
            return None
        sam = self.doc["Resources"][self.id(name)]["Type"] == "AWS::Serverless::Function"
        if path[-1] == "Timeout" and sam and self.use_globals:
            node[path[-1]] = None
        else:
            node[path[-1]] = node[path[-1]](self.rng)
        return node[path[-1]]

    def fixture(self, planted: tuple[str, ...]) -> Fixture:
        """Shuffle the resources, draw the Globals timeout, write the YAML and find the expected lines."""
        doc = _pruned(self.doc)
        order = list(doc["Resources"])
        self.rng.shuffle(order)
        doc["Resources"] = {k: doc["Resources"][k] for k in order}
        if self.use_globals:
            doc["Globals"]["Function"]["Timeout"] = doc["Globals"]["Function"]["Timeout"](self.rng)
        text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=110)
        text = re.sub(r"(!\w+) '([A-Za-z0-9_.:/${}*-]+)'$", r"\1 \2", text, flags=re.M)  # !Ref X, unquoted
        t = load(text)
        findings = sorted((rule, rid, t.line_of(rid, *path)) for rule, rid, path in self.expected)
        return Fixture(text, planted, findings)


# Each plant breaks one thing in the base template and records the findings the linter must report.


def _plant_sync_invoke(d: _Draft) -> None:
    """SLS001: the API function invokes the worker synchronously (``InvocationType`` left to
    boto3's default or written ``"RequestResponse"``): it waits, and pays, for the worker, and
    fails when the worker does."""
    code = d.props("ApiFunction")["InlineCode"]
    extra = d.rng.choice(["", ', InvocationType="RequestResponse"'])
    d.props("ApiFunction")["InlineCode"] = _Literal(code.replace(', InvocationType="Event"', extra))
    d.expect("SLS001", "ApiFunction", "Properties", "InlineCode")


def _plant_queue_without_dlq(d: _Draft) -> None:
    """SLS002: the work queue has no ``RedrivePolicy``, so a message that always fails comes back
    until it expires. The service's dead-letter queue goes too; the failure queue of the
    subscriber (not itself a finding) redrives to a shared one instead."""
    d.props("Queue")["RedrivePolicy"] = None
    d.drop("DeadLetterQueue")
    if d.has("FailureQueue"):
        shared = _sub("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:shared-dlq")
        d.props("FailureQueue")["RedrivePolicy"]["deadLetterTargetArn"] = shared
    d.expect("SLS002", "Queue")


def _plant_async_without_on_failure(d: _Draft) -> None:
    """SLS003: the SNS/EventBridge subscriber, invoked asynchronously, has no failure
    destination: an event that fails its retries is dropped without a trace."""
    d.drop("FailureQueue", "NotifyInvokeConfig")
    d.props("NotifyFunction")["EventInvokeConfig"] = d.props("NotifyFunction")["DeadLetterQueue"] = None
    d.expect("SLS003", "NotifyFunction", "Properties", "Events", "Notify")


def _plant_wildcard_iam(d: _Draft) -> None:
    """SLS004: the API function gets one more statement on the table with a wildcard action
    (``dynamodb:*`` or ``*``, which also grant ``dynamodb:CreateTable``: SLS006), a ``*``
    resource, or both."""
    statements = d.props("ApiFunction")["Policies"][1]["Statement"]
    path = ("Properties", "Policies", 1, "Statement", len(statements))
    variant = d.rng.choice(["action", "resource", "both"])
    st = {
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
        "Resource": _att(d.id("Table") + ".Arn"),
    }
    if variant in ("action", "both"):
        st["Action"] = d.rng.choice(["dynamodb:*", "*"])
        d.expect("SLS004", "ApiFunction", *path, "Action")
        d.expect("SLS006", "ApiFunction", *path, "Action")
    if variant in ("resource", "both"):
        st["Resource"] = "*"
        d.expect("SLS004", "ApiFunction", *path, "Resource")
    statements.append(st)


def _plant_unbounded_concurrency(d: _Draft) -> None:
    """SLS005: one function with a spiky trigger (the API function, the SQS worker or the Kinesis
    consumer) has no reserved concurrency (nor, for the worker, a ``MaximumConcurrency``): a
    burst takes the account's whole concurrency and what is behind it."""
    name = d.rng.choice(["ApiFunction", "WorkerFunction", "StreamFunction"])
    d.props(name)["ReservedConcurrentExecutions"] = None
    if name == "WorkerFunction":
        d.props(name)["Events"]["Jobs"]["Properties"]["ScalingConfig"] = None
    d.expect("SLS005", name)


def _plant_per_request_infra(d: _Draft) -> None:
    """SLS006: the API function may create infrastructure at run time (a state machine, a table or
    a stack per request), the seed's state-machine-per-order mistake: quotas turn load into an
    outage, and nothing deletes what it made."""
    action, arn = d.rng.choice(
        [
            ("states:CreateStateMachine", "states:${AWS::Region}:${AWS::AccountId}:stateMachine:order-*"),
            ("dynamodb:CreateTable", "dynamodb:${AWS::Region}:${AWS::AccountId}:table/tenant-*"),
            ("cloudformation:CreateStack", "cloudformation:${AWS::Region}:${AWS::AccountId}:stack/job-*/*"),
        ]
    )
    policies = d.props("ApiFunction")["Policies"]
    d.expect("SLS006", "ApiFunction", "Properties", "Policies", len(policies), "Statement", 0, "Action")
    policies.append(
        {"Statement": [{"Effect": "Allow", "Action": [action], "Resource": _sub("arn:aws:" + arn)}]}
    )


def _plant_missing_timeout(d: _Draft) -> None:
    """SLS007: one function has no timeout at all (the Kinesis consumer, or, without Globals, the
    worker or the subscriber), so it runs with Lambda's 3-second default whatever it does."""
    names = ["StreamFunction"] if d.use_globals else ["StreamFunction", "WorkerFunction", "NotifyFunction"]
    name = d.rng.choice(names)
    d.props(name)["Timeout"] = None
    d.expect("SLS007", name)


def _plant_api_timeout_too_long(d: _Draft) -> None:
    """SLS007: the API function may run longer than API Gateway waits for it (29 s for REST, 30 s
    for HTTP APIs): the client gets a 504 while the function carries on."""
    limit = API_TIMEOUT_LIMITS[d.props("ApiFunction")["Events"]["Submit"]["Type"]]
    d.props("ApiFunction")["Timeout"] = d.rng.choice([limit + 1, 60, 900])
    d.expect("SLS007", "ApiFunction", "Properties", "Timeout")


PLANT_FUNCTIONS = {
    "sync-invoke": _plant_sync_invoke,
    "queue-without-dlq": _plant_queue_without_dlq,
    "async-without-on-failure": _plant_async_without_on_failure,
    "wildcard-iam": _plant_wildcard_iam,
    "unbounded-concurrency": _plant_unbounded_concurrency,
    "per-request-infra": _plant_per_request_infra,
    "missing-timeout": _plant_missing_timeout,
    "api-timeout-too-long": _plant_api_timeout_too_long,
}
PLANTS = tuple(PLANT_FUNCTIONS)

# Seeded variants of the clean template that are more than one value.


def _client_name(d: _Draft) -> None:
    """The API function's name for its Lambda client."""
    client = d.rng.choice(["lam", "lambda_client", "awslambda"])
    code = d.props("ApiFunction")["InlineCode"]
    d.props("ApiFunction")["InlineCode"] = _Literal(re.sub(r"\blam\b", client, code))


def _worker_bound(d: _Draft) -> None:
    """The worker is bounded by reserved concurrency or by its SQS trigger's MaximumConcurrency."""
    props = d.props("WorkerFunction")
    if not isinstance(props["ReservedConcurrentExecutions"], _Draw):
        return  # unbounded-concurrency planted here
    if d.rng.random() < 0.5:
        d.draw("WorkerFunction", "ReservedConcurrentExecutions")
        props["Events"]["Jobs"]["Properties"]["ScalingConfig"] = None
    else:
        props["ReservedConcurrentExecutions"] = None
        d.draw("WorkerFunction", "Events", "Jobs", "Properties", "ScalingConfig", "MaximumConcurrency")


def _notify_trigger(d: _Draft) -> None:
    """The subscriber listens to the topic (SNS) or to an EventBridge pattern."""
    if d.draw("NotifyFunction", "Events", "Notify", "Type") == "EventBridgeRule":
        pattern = {"source": [f"{d.prefix.lower()}.service"]}
        d.props("NotifyFunction")["Events"]["Notify"]["Properties"] = {"Pattern": pattern}


def _failure_destination(d: _Draft) -> None:
    """The subscriber's failures go to the failure queue through one of three equivalent settings."""
    if not d.has("FailureQueue"):
        return  # async-without-on-failure planted
    how = d.rng.choice(["property", "resource", "dlq"])
    if how != "property":
        d.props("NotifyFunction")["EventInvokeConfig"] = None
    if how != "dlq":
        d.props("NotifyFunction")["DeadLetterQueue"] = None
    if how != "resource":
        d.drop("NotifyInvokeConfig")


# Everything that draws from the seed, in the order it draws: a path (resource, then keys inside its
# Properties) draws the base template's !choice/!randint there if nothing set or removed it before;
# a plant name runs that plant if it is planted; a function draws a variant. After these,
# _Draft.fixture draws the resource order and the Globals timeout. Every generated template,
# the committed fixtures included, depends on this order: changing it means `mastery data templates`.
_DRAW_ORDER = (
    "queue-without-dlq",  # draws nothing, only removes: first, so that what it removes is not drawn
    "async-without-on-failure",  # likewise
    ("Queue", "VisibilityTimeout"),
    ("Queue", "RedrivePolicy", "maxReceiveCount"),
    _client_name,
    "sync-invoke",
    ("ApiFunction", "MemorySize"),
    ("ApiFunction", "Events", "Submit", "Type"),
    "api-timeout-too-long",
    ("ApiFunction", "Timeout"),
    "wildcard-iam",
    "per-request-infra",
    "unbounded-concurrency",
    ("ApiFunction", "ReservedConcurrentExecutions"),
    ("WorkerFunction", "Timeout"),
    _worker_bound,
    _notify_trigger,
    ("NotifyFunction", "Timeout"),
    _failure_destination,
    ("Stream", "ShardCount"),
    "missing-timeout",
    ("StreamFunction", "Timeout"),
    ("StreamFunction", "ReservedConcurrentExecutions"),
)


def make_template(seed: int, plant=()) -> Fixture:
    """A SAM template for one service, clean except for the anti-patterns in ``plant`` (names from
    :data:`PLANTS`). Names, values, layout and the clean variants (Globals or per-function
    timeouts, failure destinations, SQS concurrency bounds) vary with ``seed``."""
    unknown = set(plant) - set(PLANTS)
    if unknown:
        raise ValueError(f"unknown plants {sorted(unknown)}; choose from {PLANTS}")
    draft = _Draft(seed)
    for step in _DRAW_ORDER:
        if isinstance(step, tuple):
            draft.draw(*step)
        elif isinstance(step, str):
            if step in plant:
                PLANT_FUNCTIONS[step](draft)
        else:
            step(draft)
    return draft.fixture(tuple(p for p in PLANTS if p in plant))


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
