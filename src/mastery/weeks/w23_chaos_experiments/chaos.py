"""Plumbing of week 23 (chaos experiments): what the lesson and the exercise share, never the
learner's answer. The simulated clock and the error constructors live in week 21
(:mod:`mastery.weeks.w21_failure_is_normal.retries`); faults *inside* the emulator's DynamoDB are
:mod:`mastery.faults`.

* :data:`FAULTS`, :class:`InjectedFault`: the fault kinds an SSM fault parameter can ask for, and
  the error an injected ``error`` raises;
* :func:`param_name`, :func:`make_fleet`, :func:`parameter_value`, :func:`parameter_versions`: a
  fleet of tagged Lambda functions (stored by the emulator, never run), each with its own SSM
  fault parameter, and read-backs of those parameters;
* :data:`ACTIONS`, :func:`parse_duration`, :func:`action_config`: the FIS action ids the course's
  injector carries out and the fault parameter each one writes;
* :func:`ensure_alarm`, :func:`alarm_state`, :func:`create_template`: the stop-condition alarm and
  FIS experiment templates on the emulator (moto's FIS stores templates and experiments only);
* :class:`CountingSSM`: an SSM client that counts ``GetParameter`` calls and can throttle them;
* :class:`TripClock`: a simulated clock that trips an alarm (or raises) once time reaches a point.
"""

from __future__ import annotations

import json
import re
import uuid

from botocore.exceptions import ClientError

from mastery import aws
from mastery.weeks.w04_canary_releases.canary import ensure_lambda_role, zip_bytes
from mastery.weeks.w21_failure_is_normal.retries import SimClock, throttle

__all__ = ["ACTIONS", "DISABLED", "FAULTS", "CountingSSM", "InjectedFault", "SimClock", "TripClock",
           "action_config", "alarm_state", "create_template", "ensure_alarm", "make_fleet",
           "param_name", "parameter_value", "parameter_versions", "parse_duration", "throttle"]

FAULTS = ("latency", "error", "throttle")
DISABLED = json.dumps({"enabled": False})


class InjectedFault(Exception):
    """What a call raises when the fault parameter injects an ``error`` (the call was not made)."""


# --------------------------------------------------------------------------- the fleet


def param_name(function: str) -> str:
    """The SSM fault parameter of the Lambda function named ``function`` (its full name)."""
    return f"/mastery/chaos/{function}"


def make_fleet(ns, functions: dict[str, dict[str, str]], lam=None, ssm=None) -> dict[str, str]:
    """Lambda functions ``ns.name(short)`` tagged exactly ``functions[short]`` plus the namespace's
    tags (``ns.tags``: ``course:learner``, ``course:exercise``; the emulator stores the functions,
    nothing runs them), each with its fault parameter :func:`param_name` set to :data:`DISABLED`
    (a fresh version history: the parameter is deleted and created again). ``{short: name}``."""
    lam, ssm = lam or aws.client("lambda"), ssm or aws.client("ssm")
    role, out = ensure_lambda_role(), {}
    for short, own in functions.items():
        name, tags = ns.name(short), {**ns.tags, **own}
        try:
            arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
            old = lam.list_tags(Resource=arn).get("Tags", {})
            if old:
                lam.untag_resource(Resource=arn, TagKeys=list(old))
            if tags:
                lam.tag_resource(Resource=arn, Tags=tags)
        except ClientError as e:
            if e.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
            source = "def handler(event, context):\n    return 'ok'\n"
            lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                Code={"ZipFile": zip_bytes(source)}, Tags=dict(tags))
        p = param_name(name)
        try:
            ssm.delete_parameter(Name=p)
        except ClientError as e:
            if e.response["Error"]["Code"] != "ParameterNotFound":
                raise
        ssm.put_parameter(Name=p, Value=DISABLED, Type="String")
        out[short] = name
    return out


def parameter_value(ssm, name: str) -> str | None:
    try:
        return ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ClientError as e:
        if e.response["Error"]["Code"] == "ParameterNotFound":
            return None
        raise


def parameter_versions(ssm, name: str) -> list[str]:
    """Every value ``name`` has held, oldest first (``GetParameterHistory``, all pages)."""
    out, kw = [], {"Name": name, "MaxResults": 50}
    while True:
        page = ssm.get_parameter_history(**kw)
        out += [p["Value"] for p in sorted(page["Parameters"], key=lambda p: p["Version"])]
        if not page.get("NextToken"):
            return out
        kw["NextToken"] = page["NextToken"]


# --------------------------------------------------------------------------- FIS actions

# The FIS action ids the course's injector carries out, and the fault each one writes into a
# target's SSM parameter. The two Lambda actions are real FIS actions (their parameters are FIS's:
# duration, invocationPercentage, startupDelayMilliseconds); on AWS an extension layer in the
# function reads the fault from S3. FIS has no throttling action for Lambda:
# "aws:fis:inject-api-throttle-error" throttles EC2 API calls made by an IAM role on AWS; the course
# borrows its id and its "percentage" parameter for a throttle of the target's own calls.
ACTIONS = {
    "aws:lambda:invocation-add-delay": "latency",
    "aws:lambda:invocation-error": "error",
    "aws:fis:inject-api-throttle-error": "throttle",
}

_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")


def parse_duration(text: str) -> int:
    """Seconds of an FIS ISO 8601 duration (``PT1H``, ``PT2M30S``, ``PT45S``)."""
    m = _DURATION.match(text or "")
    if not m or not any(m.groups()):
        raise ValueError(f"not an FIS duration: {text!r}")
    h, mi, s = (int(g or 0) for g in m.groups())
    return h * 3600 + mi * 60 + s


def action_config(action: dict) -> dict:
    """The fault parameter value (a dict) an FIS action writes into each of its targets' parameters:
    ``{"enabled": True, "fault": ..., "rate": percent, "latency_ms": ms}``."""
    fault = ACTIONS.get(action.get("actionId", ""))
    if fault is None:
        raise ValueError(f"the course's injector does not carry out {action.get('actionId')!r}")
    p = action.get("parameters", {})
    rate = int(p.get("percentage" if fault == "throttle" else "invocationPercentage", "100"))
    return {"enabled": True, "fault": fault, "rate": rate,
            "latency_ms": int(p.get("startupDelayMilliseconds", "1000")) if fault == "latency" else 0}


# --------------------------------------------------------------------------- alarm and template


def ensure_alarm(cw, name: str, state: str = "OK") -> str:
    """A CloudWatch alarm ``name`` (on a metric of the course) set to ``state``; its ARN.
    moto does not evaluate alarms: ``PutMetricData`` never changes their state, so tests and the
    lesson move it with ``SetAlarmState``."""
    cw.put_metric_alarm(AlarmName=name, Namespace="Mastery/Chaos", MetricName="OrderErrors",
                        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5,
                        ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching")
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason="set by the course")
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["AlarmArn"]


def alarm_state(cw, name: str) -> str:
    alarms = cw.describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarms[0]["StateValue"] if alarms else "MISSING"


def create_template(fis, *, description: str, targets: dict, actions: dict, alarm_arn: str | None,
                    tags: dict[str, str] | None = None) -> str:
    """An FIS experiment template on the backend; its id. ``alarm_arn`` None: no stop condition."""
    stops = ([{"source": "aws:cloudwatch:alarm", "value": alarm_arn}] if alarm_arn
             else [{"source": "none"}])
    t = fis.create_experiment_template(
        clientToken=uuid.uuid4().hex,   # a new template each time (a reused token returns the old one)
        description=description, roleArn=aws.role_arn("course-fis-role"), stopConditions=stops,
        targets=targets, actions=actions, tags=tags or {})
    return t["experimentTemplate"]["id"]


# --------------------------------------------------------------------------- test doubles


class CountingSSM:
    """An SSM client that passes every call through and counts ``GetParameter`` calls in
    ``reads``; with ``throttled`` true each ``GetParameter`` raises a ``ThrottlingException``
    (as SSM answers above its GetParameter rate) instead."""

    def __init__(self, real, throttled: bool = False):
        self._real, self.throttled, self.reads = real, throttled, 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def get_parameter(self, **kw):
        self.reads += 1
        if self.throttled:
            raise throttle("ThrottlingException", "GetParameter")
        return self._real.get_parameter(**kw)


class TripClock(SimClock):
    """A :class:`SimClock` that, the first time a ``sleep`` brings it to ``at`` or later, calls
    ``trip()`` (sets an alarm to ALARM, say) or raises ``error``. ``tripped_at``: that time."""

    def __init__(self, start: float, at: float, trip=None, error: BaseException | None = None):
        super().__init__(start)
        self.at, self.trip, self.error, self.tripped_at = at, trip, error, None

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        if self.tripped_at is None and self.t >= self.at:
            self.tripped_at = self.t
            if self.trip is not None:
                self.trip()
            if self.error is not None:
                raise self.error
