"""The FinOps governance week's estate: resources of three teams on the local AWS, their bill,
and the cost-optimisation recommendations against them.

Plumbing only: building the estate, listing it, turning the data files into a FOCUS-style
bill and into recommendations, and carrying out a recommendation once someone decided to.
Deciding what is compliant, what needs approval and who pays what is the learner's job.

The estate comes from ``data/finops_estate/`` (made by ``data/make_finops_estate.py``). Every
resource is named inside a :class:`mastery.aws.Namespace`. A resource whose data row has tags
also gets the namespace's ``course:*`` tags; a row without tags makes a resource with no tags
at all, which the Resource Groups Tagging API never returns (it lists tagged resources only).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from botocore.exceptions import ClientError

from mastery import aws, data

SERVICES = ("s3", "dynamodb", "sqs", "sns")
# The tag policy the week enforces: allowed values per required key (cost-center: a pattern).
TEAMS = ("payments", "search", "platform")
ENVIRONMENTS = ("prod", "staging", "dev")
COST_CENTER = re.compile(r"^CC-\d{4}$")
REQUIRED_TAGS = ("team", "environment", "cost-center")
# Tags the governance plumbing itself carries (audit table, approvals queue): compliant.
PLATFORM_TAGS = {"team": "platform", "environment": "prod", "cost-center": "CC-3003"}
# The existing rule on the logs bucket: audit records are kept seven years, then expire.
AUDIT_RULE = {"ID": "audit-retention", "Filter": {"Prefix": "audit/"}, "Status": "Enabled",
              "Expiration": {"Days": 2555}}
LOGS_BUCKET = "platform-logs"


@dataclass(frozen=True)
class Resource:
    name: str          # logical name (as in the data file)
    service: str       # s3 | dynamodb | sqs | sns
    tags: dict         # the business tags the data file gives it
    monthly_cost: float


def spec() -> list[Resource]:
    """The estate as the data file describes it."""
    df = data.read_csv("finops_estate/resources.csv")
    return [Resource(r.name, r.service, json.loads(r.tags), float(r.monthly_cost)) for r in df.itertuples()]


def arn(service: str, name: str) -> str:
    """The ARN of a resource called ``name`` (the real, namespaced name) in ``service``."""
    region, account = aws.REGION, aws.ACCOUNT_ID
    return {
        "s3": f"arn:aws:s3:::{name}",
        "dynamodb": f"arn:aws:dynamodb:{region}:{account}:table/{name}",
        "sqs": f"arn:aws:sqs:{region}:{account}:{name}",
        "sns": f"arn:aws:sns:{region}:{account}:{name}",
    }[service]


def name_of(resource_arn: str) -> str:
    """The resource name inside an ARN (bucket, table, queue or topic name)."""
    return resource_arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def arns(ns: aws.Namespace) -> dict[str, str]:
    """Logical name -> ARN of every estate resource in ``ns`` (whether or not it exists now)."""
    return {r.name: arn(r.service, ns.name(r.name)) for r in spec()}


# ------------------------------------------------------------------------- building it


def _clients() -> dict:
    return {s: aws.client(s) for s in SERVICES}


def _queue_url(sqs, name: str) -> str:
    return sqs.get_queue_url(QueueName=name)["QueueUrl"]


def _ensure(c: dict, service: str, name: str) -> None:
    if service == "s3":
        aws.ensure_bucket(name, s3=c["s3"])
    elif service == "dynamodb":
        aws.ensure_table(name, "pk", ddb=c["dynamodb"])
        t = c["dynamodb"].describe_table(TableName=name)["Table"]
        if t.get("BillingModeSummary", {}).get("BillingMode", "PAY_PER_REQUEST") != "PAY_PER_REQUEST":
            c["dynamodb"].update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    elif service == "sqs":
        aws.ensure_queue(name, sqs=c["sqs"])
    elif service == "sns":
        aws.ensure_topic(name, sns=c["sns"])


def _current_tags(c: dict, service: str, name: str) -> dict:
    if service == "s3":
        try:
            return {t["Key"]: t["Value"] for t in c["s3"].get_bucket_tagging(Bucket=name)["TagSet"]}
        except ClientError:
            return {}
    if service == "dynamodb":
        tags = c["dynamodb"].list_tags_of_resource(ResourceArn=arn(service, name)).get("Tags", [])
        return {t["Key"]: t["Value"] for t in tags}
    if service == "sqs":
        return c["sqs"].list_queue_tags(QueueUrl=_queue_url(c["sqs"], name)).get("Tags", {})
    tags = c["sns"].list_tags_for_resource(ResourceArn=arn(service, name)).get("Tags", [])
    return {t["Key"]: t["Value"] for t in tags}


def set_tags(service: str, name: str, tags: dict, clients: dict | None = None) -> None:
    """Make a resource's tags exactly ``tags`` (removing any others)."""
    c = clients or _clients()
    now = _current_tags(c, service, name)
    if now == tags:
        return
    gone = [k for k in now if k not in tags]
    r_arn = arn(service, name)
    if service == "s3":
        if tags:
            c["s3"].put_bucket_tagging(
                Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
        else:
            c["s3"].delete_bucket_tagging(Bucket=name)
    elif service == "dynamodb":
        if gone:
            c["dynamodb"].untag_resource(ResourceArn=r_arn, TagKeys=gone)
        if tags:
            c["dynamodb"].tag_resource(ResourceArn=r_arn,
                                       Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    elif service == "sqs":
        url = _queue_url(c["sqs"], name)
        if gone:
            c["sqs"].untag_queue(QueueUrl=url, TagKeys=gone)
        if tags:
            c["sqs"].tag_queue(QueueUrl=url, Tags=tags)
    else:
        if gone:
            c["sns"].untag_resource(ResourceArn=r_arn, TagKeys=gone)
        if tags:
            c["sns"].tag_resource(ResourceArn=r_arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])


def tags_by_arn(resource_arns: list[str]) -> dict[str, dict]:
    """ARN -> tags of those of ``resource_arns`` that have tags (Tagging API, all pages)."""
    tagging = aws.client("resourcegroupstaggingapi")
    out = {}
    for i in range(0, len(resource_arns), 100):  # ResourceARNList takes at most 100 ARNs
        pages = tagging.get_paginator("get_resources").paginate(ResourceARNList=resource_arns[i:i + 100])
        for page in pages:
            for m in page["ResourceTagMappingList"]:
                out[m["ResourceARN"]] = {t["Key"]: t["Value"] for t in m.get("Tags", [])}
    return out


def build_estate(ns: aws.Namespace) -> dict[str, str]:
    """Create (or restore) every estate resource in ``ns`` with exactly its data-file tags, and
    the logs bucket with only its audit-retention lifecycle rule. Safe to call again: it undoes
    whatever an earlier run changed. Returns logical name -> ARN."""
    c = _clients()
    present = set(inventory(ns))
    where = arns(ns)
    tags_now = tags_by_arn([a for a in where.values() if a in present])
    for r in spec():
        name, r_arn = ns.name(r.name), where[r.name]
        want = {**r.tags, **ns.tags} if r.tags else {}
        if r_arn not in present or r.service == "dynamodb":
            _ensure(c, r.service, name)
        if r_arn not in present or tags_now.get(r_arn, {}) != want:
            set_tags(r.service, name, want, c)
    c["s3"].put_bucket_lifecycle_configuration(
        Bucket=ns.name(LOGS_BUCKET), LifecycleConfiguration={"Rules": [AUDIT_RULE]})
    return where


@dataclass(frozen=True)
class Workflow:
    """Where the optimisation workflow keeps its audit trail and sends approval requests."""

    audit_table: str
    approvals_queue_url: str
    approvals_queue_arn: str


def workflow_resources(ns: aws.Namespace, reset: bool = True) -> Workflow:
    """The audit table (key ``recommendationId``) and the approvals queue, tagged as platform
    resources; ``reset`` empties both."""
    c = _clients()
    table = aws.ensure_table(ns.name("audit"), "recommendationId", reset=reset, ddb=c["dynamodb"])
    set_tags("dynamodb", table, {**PLATFORM_TAGS, **ns.tags}, c)
    qname = ns.name("approvals")
    url = c["sqs"].create_queue(QueueName=qname)["QueueUrl"]
    if reset:
        drain(url, c["sqs"])
    set_tags("sqs", qname, {**PLATFORM_TAGS, **ns.tags}, c)
    return Workflow(table, url, arn("sqs", qname))


def drain(queue_url: str, sqs=None) -> list[dict]:
    """Receive and delete every message on a queue; return their bodies parsed as JSON when
    they are JSON. (PurgeQueue is allowed once a minute only, on AWS as on the emulators.)"""
    sqs = sqs or aws.client("sqs")
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                  VisibilityTimeout=30).get("Messages", [])
        if not got:
            return out
        for m in got:
            try:
                out.append(json.loads(m["Body"]))
            except ValueError:
                out.append({"body": m["Body"]})
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def messages(queue_url: str, sqs=None) -> list[dict]:
    """Peek at every message on a queue without consuming it (they become visible again)."""
    sqs = sqs or aws.client("sqs")
    out, handles = [], []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                  VisibilityTimeout=30).get("Messages", [])
        if not got:
            break
        for m in got:
            try:
                out.append(json.loads(m["Body"]))
            except ValueError:
                out.append({"body": m["Body"]})
            handles.append(m["ReceiptHandle"])
    for h in handles:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=h, VisibilityTimeout=0)
    return out


# ------------------------------------------------------------------------ looking at it


def inventory(ns: aws.Namespace) -> list[str]:
    """ARNs of every S3 bucket, DynamoDB table, SQS queue and SNS topic in ``ns`` that exists,
    found through each service's own list call (which sees untagged resources too)."""
    c = _clients()
    out = [arn("s3", b["Name"]) for b in c["s3"].list_buckets().get("Buckets", []) if ns.owns(b["Name"])]
    for page in c["dynamodb"].get_paginator("list_tables").paginate():
        out += [arn("dynamodb", t) for t in page["TableNames"] if ns.owns(t)]
    for page in c["sqs"].get_paginator("list_queues").paginate(QueueNamePrefix=ns.prefix + "--"):
        out += [arn("sqs", u.rsplit("/", 1)[-1]) for u in page.get("QueueUrls", [])]
    for page in c["sns"].get_paginator("list_topics").paginate():
        out += [t["TopicArn"] for t in page["Topics"] if ns.owns(name_of(t["TopicArn"]))]
    return sorted(out)


def bill(ns: aws.Namespace, period: str = "2026-10-01"):
    """Last month's bill as a FOCUS-style table (one row per charge): ``BillingPeriodStart``,
    ``ServiceName``, ``ResourceId`` (the ARN, empty for charges no resource owns), ``Tags``
    (the resource's tags when it was billed, a dict) and ``BilledCost`` in USD."""
    import pandas as pd

    service_names = {"s3": "Amazon Simple Storage Service", "dynamodb": "Amazon DynamoDB",
                     "sqs": "Amazon Simple Queue Service", "sns": "Amazon Simple Notification Service"}
    rows = [{"BillingPeriodStart": period, "ServiceName": service_names[r.service],
             "ResourceId": arn(r.service, ns.name(r.name)), "Tags": dict(r.tags),
             "BilledCost": r.monthly_cost} for r in spec()]
    rows.append({"BillingPeriodStart": period, "ServiceName": "AWS Support (Business)",
                 "ResourceId": "", "Tags": {}, "BilledCost": 100.00})
    return pd.DataFrame(rows)


def recommendations(ns: aws.Namespace) -> list[dict]:
    """The optimisation recommendations: ``recommendationId``, ``resourceArn``, ``action``,
    ``monthlySavings`` (USD per month, a float)."""
    where = arns(ns)
    df = data.read_csv("finops_estate/recommendations.csv")
    return [{"recommendationId": r.recommendation_id, "resourceArn": where[r.resource], "action": r.action,
             "monthlySavings": float(r.monthly_savings)} for r in df.itertuples()]


ACTIONS = ("delete-queue", "delete-topic", "delete-table", "delete-bucket", "set-provisioned")


def apply_recommendation(rec: dict) -> None:
    """Carry out one recommendation on the local AWS. Harmless when already done."""
    action, r_arn = rec["action"], rec["resourceArn"]
    name = name_of(r_arn)
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    try:
        if action == "delete-queue":
            sqs = aws.client("sqs")
            sqs.delete_queue(QueueUrl=_queue_url(sqs, name))
        elif action == "delete-topic":
            aws.client("sns").delete_topic(TopicArn=r_arn)
        elif action == "delete-table":
            aws.delete_table(name)
        elif action == "delete-bucket":
            aws.client("s3").delete_bucket(Bucket=name)
        else:
            aws.client("dynamodb").update_table(
                TableName=name, BillingMode="PROVISIONED",
                ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    except ClientError as e:
        code = e.response["Error"]["Code"]
        if code not in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NoSuchBucket",
                        "NotFound", "ResourceNotFoundException", "ValidationException"):
            raise


def exists(resource_arn: str) -> bool:
    """Whether the resource behind an ARN exists now."""
    service, name = resource_arn.split(":")[2], name_of(resource_arn)
    try:
        if service == "s3":
            aws.client("s3").head_bucket(Bucket=name)
        elif service == "dynamodb":
            aws.client("dynamodb").describe_table(TableName=name)
        elif service == "sqs":
            aws.client("sqs").get_queue_url(QueueName=name)
        else:
            aws.client("sns").get_topic_attributes(TopicArn=resource_arn)
        return True
    except ClientError:
        return False


def billing_mode(table: str) -> str:
    t = aws.client("dynamodb").describe_table(TableName=table)["Table"]
    return t.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")


def budgets_of(ns: aws.Namespace, budgets=None) -> dict[str, dict]:
    """Budget name -> {"budget": ..., "notifications": [...]} for the budgets ``ns`` owns."""
    b = budgets or aws.client("budgets")
    out, kwargs = {}, {"AccountId": aws.ACCOUNT_ID}
    while True:
        page = b.describe_budgets(**kwargs)
        for bud in page.get("Budgets", []):
            if ns.owns(bud["BudgetName"]):
                notes = b.describe_notifications_for_budget(
                    AccountId=aws.ACCOUNT_ID, BudgetName=bud["BudgetName"]).get("Notifications", [])
                out[bud["BudgetName"]] = {"budget": bud, "notifications": notes}
        if not page.get("NextToken"):
            return out
        kwargs["NextToken"] = page["NextToken"]


def delete_budgets(ns: aws.Namespace, budgets=None) -> None:
    b = budgets or aws.client("budgets")
    for name in budgets_of(ns, b):
        b.delete_budget(AccountId=aws.ACCOUNT_ID, BudgetName=name)
