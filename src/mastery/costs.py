"""The course-wide cost meter: what the AWS calls a notebook made would cost on AWS.

:data:`mastery.aws.meter` counts every call made through :func:`mastery.aws.client`, by
service and operation. This module prices those counts with a small table of us-east-1 list
prices, each with the AWS pricing page it comes from::

    from mastery import aws, costs
    print(costs.report(aws.meter))     # "this notebook made N calls; on AWS they would cost $X"

Counting calls is an **approximation**, and the table says where:

* DynamoDB bills *request units*, not calls: a write of an item up to 1 KB is one write
  unit, a strongly consistent read up to 4 KB one read unit (half for eventually consistent),
  and a ``Query`` or ``Scan`` consumes units for every 4 KB it *reads*, whatever it returns.
  Here each data call is priced at one unit (a floor); ask for
  ``ReturnConsumedCapacity="TOTAL"`` and price the real units with :func:`dynamodb_cost`.
* Step Functions Standard bills *state transitions*, which only the execution history shows:
  :func:`state_transitions` counts them; ``StartExecution`` itself is priced at 0.
* SQS and EventBridge bill each 64 KB chunk of a payload as one request; a batch of up to 10
  SQS messages is **one** request, which is the whole point of batching.
* Control-plane calls (create, describe, list, tag ...) are not billed per call: price 0.

Prices are on-demand list prices in us-east-1 as published on the linked pages when this
module was written (``CHECKED``); free tiers are ignored. Re-check the pages before quoting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

CHECKED = "2025-06"  # when the prices below were read from the pages they cite


@dataclass(frozen=True)
class Price:
    usd: float     # per call (per unit for the non-call prices)
    unit: str
    source: str


_DDB = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
_SQS = "https://aws.amazon.com/sqs/pricing/"
_SFN = "https://aws.amazon.com/step-functions/pricing/"
_S3 = "https://aws.amazon.com/s3/pricing/"
_KMS = "https://aws.amazon.com/kms/pricing/"
_EVENTS = "https://aws.amazon.com/eventbridge/pricing/"
_CW = "https://aws.amazon.com/cloudwatch/pricing/"
_LAMBDA = "https://aws.amazon.com/lambda/pricing/"
_SNS = "https://aws.amazon.com/sns/pricing/"
_SM = "https://aws.amazon.com/secrets-manager/pricing/"

DDB_WRITE_UNIT = 0.625 / 1e6     # $0.625 per million write request units (since Nov 2024)
DDB_READ_UNIT = 0.125 / 1e6      # $0.125 per million read request units
SFN_TRANSITION = 0.025 / 1000    # Standard: $0.025 per 1,000 state transitions
SFN_EXPRESS_REQUEST = 1.00 / 1e6  # Express: $1.00 per million requests (+ duration, not counted)
SQS_REQUEST = 0.40 / 1e6         # Standard queues: $0.40 per million requests
S3_PUT = 0.005 / 1000            # S3 Standard PUT, COPY, POST, LIST: $0.005 per 1,000
S3_GET = 0.0004 / 1000           # S3 Standard GET, SELECT and other: $0.0004 per 1,000
KMS_REQUEST = 0.03 / 10_000      # $0.03 per 10,000 requests
EVENTS_PUT = 1.00 / 1e6          # custom events: $1.00 per million
CW_REQUEST = 0.01 / 1000         # PutMetricData and other API requests: $0.01 per 1,000
LAMBDA_REQUEST = 0.20 / 1e6      # $0.20 per million requests (+ GB-seconds: weeks.w09_cost_analytics.finops)
SNS_PUBLISH = 0.50 / 1e6         # standard topics: $0.50 per million requests
SM_CALL = 0.05 / 10_000          # $0.05 per 10,000 API calls


def _table() -> dict[tuple[str, str], Price]:
    t: dict[tuple[str, str], Price] = {}
    for op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"):
        t[("dynamodb", op)] = Price(DDB_WRITE_UNIT, "write request unit (>= 1 per call)", _DDB)
    t[("dynamodb", "TransactWriteItems")] = Price(2 * DDB_WRITE_UNIT, "2 write units per item (>= 1)", _DDB)
    for op in ("GetItem", "BatchGetItem", "Query", "Scan"):
        t[("dynamodb", op)] = Price(DDB_READ_UNIT, "read request unit (>= 1 per call; Scan reads all)", _DDB)
    t[("dynamodb", "TransactGetItems")] = Price(2 * DDB_READ_UNIT, "2 read units per item (>= 1 item)", _DDB)
    for op in ("SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
               "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"):
        t[("sqs", op)] = Price(SQS_REQUEST, "request (a batch of up to 10 is one)", _SQS)
    t[("stepfunctions", "StartExecution")] = Price(0.0, "per state transition: state_transitions()", _SFN)
    t[("stepfunctions", "StartSyncExecution")] = Price(SFN_EXPRESS_REQUEST, "Express request (+ time)", _SFN)
    for op in ("PutObject", "CopyObject", "ListObjects", "ListObjectsV2", "CreateMultipartUpload",
               "UploadPart", "CompleteMultipartUpload"):
        t[("s3", op)] = Price(S3_PUT, "PUT/COPY/POST/LIST request", _S3)
    for op in ("GetObject", "HeadObject", "SelectObjectContent"):
        t[("s3", op)] = Price(S3_GET, "GET and other request", _S3)
    for op in ("Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt",
               "Sign", "Verify", "GenerateMac", "VerifyMac"):
        t[("kms", op)] = Price(KMS_REQUEST, "request", _KMS)
    t[("events", "PutEvents")] = Price(EVENTS_PUT, "custom event (64 KB chunk; >= 1 per call)", _EVENTS)
    t[("cloudwatch", "PutMetricData")] = Price(CW_REQUEST, "API request", _CW)
    t[("cloudwatch", "GetMetricData")] = Price(CW_REQUEST, "metric requested (>= 1 per call)", _CW)
    t[("lambda", "Invoke")] = Price(LAMBDA_REQUEST, "request (+ GB-seconds, not counted)", _LAMBDA)
    t[("sns", "Publish")] = Price(SNS_PUBLISH, "request", _SNS)
    t[("secretsmanager", "GetSecretValue")] = Price(SM_CALL, "API call", _SM)
    return t


PRICES = _table()


def price(service: str, operation: str) -> Price:
    """The price of one call; 0 for calls not billed per call (control plane, or unknown)."""
    return PRICES.get((service, operation), Price(0.0, "not billed per call", ""))


class Report(NamedTuple):
    table: object   # pandas DataFrame: service, operation, calls, usd_per_call, usd, unit, source
    total: float

    @property
    def calls(self) -> int:
        return int(self.table["calls"].sum()) if len(self.table) else 0

    def __str__(self) -> str:
        return (f"this notebook made {self.calls:,} AWS calls; on AWS (us-east-1 list prices, "
                f"free tiers ignored) they would have cost ${self.total:,.6f}")


def report(meter, scale: float = 1.0) -> Report:
    """Price what ``meter`` (a :class:`mastery.aws.CallMeter`, or any mapping
    ``(service, operation) -> calls``) counted; ``scale`` multiplies the counts (e.g. the
    number of orders a day the measured run stands for)."""
    import pandas as pd

    calls = getattr(meter, "calls", meter)
    rows = []
    for (service, op), n in sorted(calls.items()):
        p = price(service, op)
        rows.append({"service": service, "operation": op, "calls": n * scale, "usd_per_call": p.usd,
                     "usd": n * scale * p.usd, "unit": p.unit, "source": p.source})
    cols = ["service", "operation", "calls", "usd_per_call", "usd", "unit", "source"]
    table = pd.DataFrame(rows, columns=cols)
    if len(table):
        table = table.sort_values(["usd", "calls"], ascending=False, ignore_index=True)
    return Report(table, float(table["usd"].sum()) if len(table) else 0.0)


def dynamodb_cost(read_units: float = 0.0, write_units: float = 0.0) -> float:
    """Exact on-demand price of consumed capacity (from ``ReturnConsumedCapacity``)."""
    return read_units * DDB_READ_UNIT + write_units * DDB_WRITE_UNIT


def state_transitions(events: list[dict]) -> int:
    """State transitions of one Step Functions execution, from its history events: one per
    state entered, plus one per retry of a task (AWS bills retries as transitions)."""
    n = 0
    scheduled_in_state = 0
    for e in events:
        kind = e.get("type", "")
        if kind.endswith("StateEntered"):
            n += 1
            scheduled_in_state = 0
        elif kind.endswith("Scheduled"):
            scheduled_in_state += 1
            if scheduled_in_state > 1:
                n += 1
    return n


def standard_workflow_cost(transitions: int) -> float:
    """Step Functions Standard: $0.025 per 1,000 state transitions."""
    return transitions * SFN_TRANSITION


# Express duration, us-east-1, per GB-hour of a month's use: the first 1,000 GB-hours, the next
# 4,000, then the rest (pricing page, checked 2026-12-01; its example 3 is tested in test_costs).
SFN_EXPRESS_GB_HOUR_TIERS = ((1_000, 0.06000), (4_000, 0.03000), (float("inf"), 0.01642))


def express_workflow_cost(requests: int, seconds: float, memory_mb: float = 64) -> float:
    """A month of Step Functions Express: $1.00 per million requests plus duration, each execution
    rounded up to 100 ms and its memory billed in 64-MB chunks (so 50 MB bills 64 and 65 MB bills
    128), priced per GB-hour in the page's volume tiers ($0.06 for the first 1,000 GB-hours, i.e.
    $0.00001667 per GB-second, then $0.03 and $0.01642)."""
    import math

    billed_s = math.ceil(round(seconds * 10, 9)) / 10
    billed_mb = max(1, math.ceil(memory_mb / 64)) * 64
    gb_hours = requests * billed_s * billed_mb / 1024 / 3600
    duration, left = 0.0, gb_hours
    for size, price in SFN_EXPRESS_GB_HOUR_TIERS:
        used = min(left, size)
        duration += used * price
        left -= used
        if left <= 0:
            break
    return requests * SFN_EXPRESS_REQUEST + duration
