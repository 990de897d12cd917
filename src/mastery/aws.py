"""AWS clients for the course, namespaces, and idempotent resource helpers.

Every notebook gets its clients here, through ``localstack-client``, so the same code
runs on LocalStack and on the embedded emulator. Every resource an exercise creates is
named inside a :class:`Namespace` (learner id + exercise), so re-running a cell is
harmless and one shared LocalStack can serve a whole cohort.
"""

from __future__ import annotations

import collections
import getpass
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from localstack_client.session import Session

from mastery import backend

REGION = "us-east-1"
ACCOUNT_ID = "000000000000"
# The emulators accept any credentials; these make the intent obvious in a traceback.
_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60)


class CallMeter:
    """Counts the AWS calls this process makes, by service and operation."""

    def __init__(self) -> None:
        self.calls: collections.Counter[tuple[str, str]] = collections.Counter()

    def attach(self, client) -> None:
        service = client.meta.service_model.service_name

        def count(model, **_):
            self.calls[(service, model.name)] += 1

        client.meta.events.register("before-call", count)

    def reset(self) -> None:
        self.calls.clear()

    def total(self) -> int:
        return sum(self.calls.values())


meter = CallMeter()
_first_pid: dict[int, int | None] = {}  # port -> the emulator's pid when this process first used it


def _session() -> Session:
    h = backend.require()
    p = int(h.endpoint.rsplit(":", 1)[1])
    _first_pid.setdefault(p, h.pid)
    _install_hints()
    return Session(localstack_host=f"{backend.HOST}:{backend.port()}", region_name=REGION, **_CREDENTIALS)


def client(service: str):
    """A boto3 client for ``service`` on the local backend, counted by :data:`meter`.

    Raises :class:`mastery.backend.BackendError` with the fix when no backend runs.
    """
    if service in backend.SIDECAR_SERVICES:
        c = _sidecar_client(service)
    else:
        c = _session().client(service, config=_CONFIG)
    meter.attach(c)
    return c


# ------------------------------------------------------------ when the backend goes away

_NOT_FOUND = {"ResourceNotFoundException", "StateMachineDoesNotExist", "ExecutionDoesNotExist",
              "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NoSuchBucket",
              "ResourceNotFound", "NotFoundException", "ParameterNotFound"}


def explain(exc: BaseException) -> str | None:
    """What a learner should do about an AWS error that the backend caused (it stopped, or
    restarted and lost its state), or ``None`` when the error is the code's own."""
    from botocore.exceptions import EndpointConnectionError

    p = backend.port()
    if isinstance(exc, EndpointConnectionError):
        return (f"The local AWS at {backend.endpoint(p)} is not answering: it was stopped or it crashed. "
                "Start it again in a terminal with `mastery up`. Its state (tables, queues, state machines) "
                "is gone, so then re-run this notebook from the top (Run > Run All Cells).")
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _NOT_FOUND:
        first, now = _first_pid.get(p), backend.probe(p).pid
        if first is not None and now is not None and first != now:
            return (f"The local AWS at {backend.endpoint(p)} was restarted after this notebook created its "
                    f"resources (emulator pid {first}, now {now}), and a restart starts empty. Re-run this "
                    "notebook from the top (Run > Run All Cells) to create them again.")
    return None


_hints_installed = False


def _install_hints() -> None:
    """In a notebook, print :func:`explain`'s advice under the traceback of such errors."""
    global _hints_installed
    if _hints_installed:
        return
    _hints_installed = True
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None or getattr(ip, "custom_exceptions", ()) not in ((), None):
        return  # not in IPython, or someone else handles custom exceptions
    from botocore.exceptions import EndpointConnectionError

    def handler(shell, etype, value, tb, tb_offset=None):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        advice = explain(value)
        if advice:
            print("\n>>> " + advice)

    ip.set_custom_exc((EndpointConnectionError, ClientError), handler)


def resource(service: str):
    return _session().resource(service, config=_CONFIG)


def _sidecar_client(service: str):
    # localstack-client has no entry for budgets; plain boto3 with the endpoint instead.
    h = backend.require()
    p = backend.port() + 1 if h.kind == "localstack" else backend.port()
    return boto3.client(
        service, endpoint_url=backend.endpoint(p), region_name=REGION, config=_CONFIG, **_CREDENTIALS
    )


# --------------------------------------------------------------------------- namespaces

_SAFE = re.compile(r"[^a-z0-9]+")


def _slug(text: str, limit: int) -> str:
    s = _SAFE.sub("-", text.lower()).strip("-")[:limit].strip("-")
    return s or "x"


def learner_from_path(path: str | os.PathLike) -> str | None:
    """The nbgrader student of ``.../autograded/<student>/...`` (or ``submitted``), if any."""
    parts = Path(path).parts
    for marker in ("autograded", "submitted"):
        if marker in parts:
            i = parts.index(marker)
            if i + 1 < len(parts):
                return _slug(parts[i + 1], 24)
    return None


def learner_id() -> str:
    """Who is running this code: ``MASTERY_LEARNER``, else the nbgrader student folder, else the
    login name. Autograding runs notebooks in ``autograded/<student>/<assignment>/``."""
    if os.environ.get("MASTERY_LEARNER"):
        return _slug(os.environ["MASTERY_LEARNER"], 24)
    found = learner_from_path(Path.cwd())
    if found:
        return found
    try:
        return _slug(getpass.getuser(), 24)
    except Exception:  # no login name in some containers
        return "learner"


@dataclass(frozen=True)
class Namespace:
    """Names every resource ``<learner>--<exercise>--<name>`` and tags it with both.

    Slugs never contain ``--``, so the double hyphen makes ownership unambiguous: exercise
    ``m01-saga`` does not own ``ann--m01-saga-lesson--orders``."""

    exercise: str
    learner: str = field(default_factory=learner_id)

    @property
    def prefix(self) -> str:
        return f"{_slug(self.learner, 24)}--{_slug(self.exercise, 24)}"

    def name(self, resource: str) -> str:
        return f"{self.prefix}--{_slug(resource, 28)}"

    @property
    def tags(self) -> dict[str, str]:
        return {"course:learner": self.learner, "course:exercise": self.exercise}

    def owns(self, name: str) -> bool:
        return name.startswith(self.prefix + "--")


def namespace(exercise: str, learner: str | None = None) -> Namespace:
    return Namespace(exercise, learner) if learner else Namespace(exercise)


# --------------------------------------------------------------------- idempotent helpers


def _exists(describe, *missing: str):
    """``describe()``'s answer, or ``None`` when it fails with one of the ``missing`` error codes
    (the create-once helpers' one test of "is it there already?"); other errors propagate."""
    try:
        return describe()
    except ClientError as e:
        if e.response["Error"]["Code"] not in missing:
            raise
        return None


def ensure_table(
    name: str,
    pk: str,
    sk: str | None = None,
    *,
    attr_types: dict[str, str] | None = None,
    gsis: list[dict] | None = None,
    reset: bool = False,
    ddb=None,
) -> str:
    """Create an on-demand DynamoDB table if it does not exist (``reset`` empties it first).

    Running it twice is harmless: the second call finds the table and returns its name.
    """
    ddb = ddb or client("dynamodb")
    types = {pk: "S", **({sk: "S"} if sk else {}), **(attr_types or {})}
    if reset:
        delete_table(name, ddb=ddb)
    if _exists(lambda: ddb.describe_table(TableName=name), "ResourceNotFoundException"):
        return name
    keys = [{"AttributeName": pk, "KeyType": "HASH"}]
    if sk:
        keys.append({"AttributeName": sk, "KeyType": "RANGE"})
    attrs = {pk, *([sk] if sk else [])}
    kwargs = {}
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = gsis
        for g in gsis:
            attrs.update(k["AttributeName"] for k in g["KeySchema"])
    ddb.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": types.get(a, "S")} for a in attrs],
        BillingMode="PAY_PER_REQUEST",
        **kwargs,
    )
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    return name


def delete_table(name: str, ddb=None) -> None:
    ddb = ddb or client("dynamodb")
    try:
        ddb.delete_table(TableName=name)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return
    for _ in range(100):
        try:
            ddb.describe_table(TableName=name)
        except ClientError:
            return
        time.sleep(0.1)


def scan_all(table: str, ddb=None) -> list[dict]:
    """Every item of a small table as plain Python values (for showing state, not for apps)."""
    ddb = ddb or client("dynamodb")
    items, kwargs = [], {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        items += [from_item(it) for it in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def items_by_key(table: str, key: str, values, attrs, ints=(), ddb=None) -> dict[str, dict]:
    """For each string ``value`` of the hash key ``key``: its item's ``attrs`` (a strongly
    consistent read each), numbers kept as ``Decimal`` but for ``ints``; a value without an item
    is absent. The read-back of a learner's aggregate tables, by hidden tests and trusted checks
    alike (exact decimals: a total that is off by a cent must not round to equal)."""
    from boto3.dynamodb.types import TypeDeserializer

    ddb, de, out = ddb or client("dynamodb"), TypeDeserializer(), {}
    for v in sorted(set(values)):
        item = ddb.get_item(TableName=table, Key={key: {"S": v}}, ConsistentRead=True).get("Item")
        if item:
            out[v] = {a: (int(de.deserialize(x)) if a in ints else de.deserialize(x))
                      for a, x in item.items() if a in attrs}
    return out


def to_item(plain: dict) -> dict:
    """Plain Python values -> DynamoDB's typed attribute map (boto3's ``TypeSerializer``;
    floats go through ``Decimal(str(x))``, which the serializer demands)."""
    from boto3.dynamodb.types import TypeSerializer

    ser = TypeSerializer()
    return {k: ser.serialize(_decimal(v)) for k, v in plain.items()}


def from_item(item: dict) -> dict:
    """DynamoDB's typed attribute map -> plain Python values (``TypeDeserializer``; numbers
    become ``int`` when whole, else ``float``; sets become lists)."""
    from boto3.dynamodb.types import TypeDeserializer

    de = TypeDeserializer()
    return {k: _plain(de.deserialize(v)) for k, v in item.items()}


def _decimal(v):
    from decimal import Decimal

    if isinstance(v, float):
        return Decimal(str(v))
    if isinstance(v, dict):
        return {k: _decimal(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decimal(x) for x in v]
    return v


def _plain(v):
    from decimal import Decimal

    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, set)):
        return [_plain(x) for x in v]
    return v


def ensure_bucket(name: str, *, s3=None) -> str:
    """Create S3 bucket ``name`` if it does not exist (harmless to repeat)."""
    s3 = s3 or client("s3")
    try:
        s3.head_bucket(Bucket=name)
    except ClientError:
        s3.create_bucket(Bucket=name)
    return name


def ensure_queue(name: str, *, attributes: dict[str, str] | None = None, sqs=None) -> str:
    """Create SQS queue ``name`` once and return its URL (CreateQueue is idempotent for the same
    attributes; with other attributes it fails, as on AWS)."""
    sqs = sqs or client("sqs")
    return sqs.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"]


def ensure_topic(name: str, *, sns=None) -> str:
    """Create SNS topic ``name`` once and return its ARN (CreateTopic is idempotent)."""
    sns = sns or client("sns")
    return sns.create_topic(Name=name)["TopicArn"]


def ensure_role(name: str, trust_policy: str, *, iam=None) -> str:
    """Create IAM role ``name`` with ``trust_policy`` (JSON) once and return its ARN."""
    iam = iam or client("iam")
    role = _exists(lambda: iam.get_role(RoleName=name), "NoSuchEntity", "NoSuchEntityException")
    if role:
        return role["Role"]["Arn"]
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy)["Role"]["Arn"]


def ensure_kms_key(alias: str, *, description: str = "", tags: dict[str, str] | None = None, kms=None) -> str:
    """A symmetric KMS key behind ``alias`` (``alias/...``), created once; returns the alias."""
    kms = kms or client("kms")
    if _exists(lambda: kms.describe_key(KeyId=alias), "NotFoundException"):
        return alias
    key = kms.create_key(Description=description or f"course key {alias}",
                         Tags=[{"TagKey": k, "TagValue": v} for k, v in (tags or {}).items()])
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyMetadata"]["KeyId"])
    return alias


def metric_sum(namespace: str, metric: str, dimensions: dict[str, str], since=None, cw=None, *,
               minutes: int = 60) -> float:
    """The Sum of a CloudWatch metric from ``since`` (a datetime; default: ``minutes`` ago) until a
    minute from now, read back with GetMetricStatistics; 0 when nothing was put."""
    import datetime as dt

    cw = cw or client("cloudwatch")
    now = dt.datetime.now(dt.UTC)
    points = cw.get_metric_statistics(
        Namespace=namespace, MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in sorted(dimensions.items())],
        StartTime=since or now - dt.timedelta(minutes=minutes), EndTime=now + dt.timedelta(minutes=1),
        Period=60, Statistics=["Sum"],
    )["Datapoints"]
    return float(sum(p["Sum"] for p in points))


def role_arn(name: str = "course-execution-role") -> str:
    """An IAM role ARN for state machines and rules (the emulators do not enforce IAM)."""
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
