"""Plumbing of week 14: reading, expanding and linting SAM templates, never the learner's answer.

* :func:`load` reads a template given as a Python dict or as YAML/JSON text (short-form tags such
  as ``!Ref`` and ``!GetAtt`` included) into a dict;
* :func:`translate` expands a SAM template into plain CloudFormation with AWS's own translator
  (``aws-sam-translator``, the library ``sam build``/``sam deploy`` and CloudFormation's
  ``AWS::Serverless`` transform run), offline: no IAM look-up of managed policy names;
* :func:`cfn_lint` runs cfn-lint (errors only, or every match);
* :func:`sls_findings` applies week 11's rule catalogue (SLS001–SLS007, the rules the week-11
  exercise asks the learner to write, here as the course's reference) to a template;
* :func:`unsupported` names the resource types of a template that the local AWS's CloudFormation
  cannot create (moto skips them with a log line and the stack still completes);
* :func:`wildcard_statements` lists IAM statements that allow every action of a service, or on
  every resource.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
import re

import yaml

from mastery import aws
from mastery.weeks.w11_thought_leadership import templates as w11

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


# ------------------------------------------------------------------------------ reading


def load(template) -> dict:
    """A template as a dict: a dict is deep-copied; text is parsed as YAML (JSON is YAML) with
    CloudFormation's short-form tags turned into their long forms (``!Ref X`` → ``{"Ref": "X"}``,
    ``!GetAtt A.B`` → ``{"Fn::GetAtt": ["A", "B"]}``)."""
    if isinstance(template, dict):
        return copy.deepcopy(template)
    if not isinstance(template, str):
        raise TypeError(f"a template is a dict or YAML/JSON text, not {type(template).__name__}")
    from samtranslator.yaml_helper import yaml_parse

    out = yaml_parse(template)
    if not isinstance(out, dict):
        raise ValueError("the template's text is not a mapping")
    return out


def translate(template) -> dict:
    """The CloudFormation template AWS's SAM translator makes of ``template`` (a dict or text).
    A template without the ``AWS::Serverless-2016-10-31`` transform is returned as it is.
    Raises ``samtranslator``'s ``InvalidDocumentException`` for an invalid SAM template."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    t = load(template)
    transform = t.get("Transform")
    if SAM_TRANSFORM not in (transform if isinstance(transform, list) else [transform]):
        return t
    session = boto3.Session(region_name=aws.REGION, aws_access_key_id="test", aws_secret_access_key="test")
    translator = Translator(None, Parser(), boto_session=session)
    try:
        return translator.translate(sam_template=t, parameter_values={}, get_managed_policy_map=lambda: {})
    finally:
        translator.metrics.publish()  # the translator's own usage metrics: to its dummy publisher


def body(cfn: dict) -> str:
    """The ``TemplateBody`` for ``cfn``: JSON with sorted keys, so the same template always gives
    the same bytes (CloudFormation compares bodies to decide "No updates are to be performed")."""
    return json.dumps(cfn, sort_keys=True, separators=(",", ":"), default=str)


# ------------------------------------------------------------------------------ linting


def cfn_lint(template, *, errors_only: bool = True) -> list[tuple[str, str]]:
    """cfn-lint's matches for ``template`` (SAM or CloudFormation) as ``(rule id, message)``;
    errors (``E...``) only unless ``errors_only`` is false."""
    matches = _lint(json.dumps(load(template), sort_keys=True, default=str))
    return [(rule, message) for rule, message in matches if not errors_only or rule.startswith("E")]


@functools.lru_cache(maxsize=16)
def _lint(text: str) -> tuple[tuple[str, str], ...]:
    """cfn-lint takes a second or two a template: the same text is linted once per process."""
    from cfnlint.api import ManualArgs, lint

    return tuple((m.rule.id, m.message) for m in lint(text, config=ManualArgs(regions=[aws.REGION])))


def _template(template) -> w11.Template:
    text = template if isinstance(template, str) else json.dumps(template, indent=1, default=str)
    return w11.load(text)


def sls_findings(template) -> list[w11.Finding]:
    """Week 11's rules (SLS001–SLS007) applied to ``template`` (a dict or text): the course's
    reference implementation of the catalogue in :mod:`mastery.weeks.w11_thought_leadership.templates`."""
    t = _template(template)
    out = []
    for rule in (
        _sync_invoke,
        _queue_without_dlq,
        _async_without_on_failure,
        _wildcard_iam,
        _unbounded_concurrency,
        _per_request_infrastructure,
        _timeouts,
    ):
        out += rule(t)
    return sorted(out, key=lambda f: (f.rule, f.resource, f.line))


def _sync_invoke(t):
    out = []
    for fid, f in t.functions():
        found = w11.inline_code(f)
        if not found:
            continue
        code, path = found
        for m in re.finditer(r"\.invoke\(", code):
            depth, i = 1, m.end()
            while i < len(code) and depth:
                depth += {"(": 1, ")": -1}.get(code[i], 0)
                i += 1
            if not re.search(r"InvocationType\s*=\s*['\"]Event['\"]", code[m.end() : i]):
                out.append(
                    w11.Finding("SLS001", fid, t.line_of(fid, *path), "synchronous Lambda-to-Lambda invoke")
                )
                break
    return out


def _queue_without_dlq(t):
    queues = dict(t.of_type("AWS::SQS::Queue"))
    targets = set()
    for q in queues.values():
        targets |= w11.refs(
            ((q.get("Properties") or {}).get("RedrivePolicy") or {}).get("deadLetterTargetArn")
        )
    return [
        w11.Finding(
            "SLS002", qid, t.line_of(qid), "no RedrivePolicy: a poison message is retried until it expires"
        )
        for qid, q in queues.items()
        if not (q.get("Properties") or {}).get("RedrivePolicy") and qid not in targets
    ]


def _async_without_on_failure(t):
    covered = set()
    for fid, f in t.functions():
        p = f.get("Properties") or {}
        on_failure = ((p.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure")
        if p.get("DeadLetterQueue") or (p.get("DeadLetterConfig") or {}).get("TargetArn") or on_failure:
            covered.add(fid)
    for _, r in t.of_type("AWS::Lambda::EventInvokeConfig"):
        p = r.get("Properties") or {}
        if (p.get("DestinationConfig") or {}).get("OnFailure"):
            covered |= w11.refs(p.get("FunctionName"))
    return [
        w11.Finding(
            "SLS003",
            tr.resource,
            t.line_of(tr.resource, *tr.path),
            f"{tr.kind} invokes {tr.function} asynchronously and it has no on-failure destination or DLQ",
        )
        for tr in w11.triggers(t)
        if tr.kind in w11.ASYNC_TRIGGERS and tr.function not in covered
    ]


def _wildcard_iam(t):
    out = []
    for s in w11.statements(t):
        if not s.allows:
            continue
        if any(a == "*" or a.endswith(":*") for a in s.actions):
            out.append(
                w11.Finding(
                    "SLS004",
                    s.resource,
                    t.line_of(s.resource, *s.path, "Action"),
                    f"wildcard action {s.actions}",
                )
            )
        if "*" in s.resources:
            out.append(
                w11.Finding("SLS004", s.resource, t.line_of(s.resource, *s.path, "Resource"), "Resource '*'")
            )
    return out


def _unbounded_concurrency(t):
    out, by_function = [], {}
    for tr in w11.triggers(t):
        if tr.kind in w11.SPIKY_TRIGGERS:
            by_function.setdefault(tr.function, []).append(tr)
    for fid, f in t.functions():
        if fid not in by_function:
            continue
        reserved = (f.get("Properties") or {}).get("ReservedConcurrentExecutions")
        if reserved is None and f["Type"] == "AWS::Serverless::Function":
            reserved = t.global_function("ReservedConcurrentExecutions")
        if reserved is not None:
            continue
        if [
            tr
            for tr in by_function[fid]
            if not (tr.kind == "SQS" and (tr.properties.get("ScalingConfig") or {}).get("MaximumConcurrency"))
        ]:
            out.append(w11.Finding("SLS005", fid, t.line_of(fid), "a spiky trigger and no concurrency bound"))
    return out


def _per_request_infrastructure(t):
    out = []
    for s in w11.statements(t):
        if (
            s.allows
            and s.runtime
            and [
                i for i in w11.INFRA_ACTIONS if any(fnmatch.fnmatch(i.lower(), a.lower()) for a in s.actions)
            ]
        ):
            out.append(
                w11.Finding(
                    "SLS006",
                    s.resource,
                    t.line_of(s.resource, *s.path, "Action"),
                    "infrastructure created at run time",
                )
            )
    return out


def _timeouts(t):
    out, limits = [], {}
    for tr in w11.triggers(t):
        if tr.kind in w11.API_TIMEOUT_LIMITS:
            limits[tr.function] = min(limits.get(tr.function, 10**9), w11.API_TIMEOUT_LIMITS[tr.kind])
    for fid, f in t.functions():
        p = f.get("Properties") or {}
        if "Timeout" in p:
            timeout = p["Timeout"]
        elif f["Type"] == "AWS::Serverless::Function" and t.global_function("Timeout") is not None:
            timeout = t.global_function("Timeout")
        else:
            out.append(w11.Finding("SLS007", fid, t.line_of(fid), "no Timeout"))
            continue
        if fid in limits and isinstance(timeout, int) and timeout > limits[fid]:
            out.append(
                w11.Finding("SLS007", fid, t.line_of(fid), "Timeout outlives the API's integration timeout")
            )
    return out


# ------------------------------------------------------------------------------ the emulator


def unsupported(cfn: dict) -> list[tuple[str, str]]:
    """``(logical id, type)`` of the resources of a CloudFormation template (translated, no SAM
    types) that the installed moto's CloudFormation cannot create: it skips them with a log line,
    and the stack completes without them."""
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map

    known = set(get_model_map()) | set(NULL_MODELS)
    return sorted(
        (lid, r.get("Type", ""))
        for lid, r in (cfn.get("Resources") or {}).items()
        if r.get("Type", "") not in known and not r.get("Type", "").startswith("Custom::")
    )


# ------------------------------------------------------------------------------ IAM


def refs(value) -> set[str]:
    """The logical ids a value refers to (``Ref``, ``Fn::GetAtt``, ``Fn::Sub``), as week 11 reads them."""
    return set(w11.refs(value))


def as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def wildcard_statements(document) -> list[dict]:
    """The ``Allow`` statements of a policy document (a dict or JSON text) whose ``Action`` is
    ``*`` or ``<service>:*``, or whose ``Resource`` is ``*`` (``NotAction``/``NotResource``
    allows count as wildcards too)."""
    doc = json.loads(document) if isinstance(document, str) else document
    out = []
    for s in as_list((doc or {}).get("Statement")):
        if s.get("Effect") != "Allow":
            continue
        actions = [str(a) for a in as_list(s.get("Action"))]
        resources = [str(r) for r in as_list(s.get("Resource"))]
        if (
            "NotAction" in s
            or "NotResource" in s
            or any(a == "*" or a.endswith(":*") for a in actions)
            or "*" in resources
        ):
            out.append(s)
    return out


def dump_yaml(template: dict) -> str:
    """A dict template as YAML text (long-form intrinsics), for reading in a notebook."""
    return yaml.safe_dump(template, sort_keys=False, width=100)


# ------------------------------------------------------------------------------ drift (a fallback)

QUEUE_PROPERTIES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
)


def queue_drift(cfn, sqs, stack: str) -> list[tuple[str, str, str, str]]:
    """``(logical id, property, in the template, live)`` for every SQS queue property that the
    stack's template sets literally and that differs on the live queue: what CloudFormation's
    ``DetectStackDrift`` reports as ``MODIFIED``, for the one resource type the lesson drifts by
    hand. (The local AWS has no ``DetectStackDrift``; this is the explicit fallback.)"""
    template = load(cfn.get_template(StackName=stack)["TemplateBody"])
    out = []
    for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]:
        if r["ResourceType"] != "AWS::SQS::Queue":
            continue
        props = (template["Resources"].get(r["LogicalResourceId"]) or {}).get("Properties") or {}
        live = sqs.get_queue_attributes(QueueUrl=r["PhysicalResourceId"], AttributeNames=["All"])[
            "Attributes"
        ]
        for p in QUEUE_PROPERTIES:
            if isinstance(props.get(p), (int, str)) and str(props[p]) != live.get(p):
                out.append((r["LogicalResourceId"], p, str(props[p]), live.get(p)))
    return out
