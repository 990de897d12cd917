"""Plumbing for event sourcing and CQRS on DynamoDB (month 1, week 1).

What is here is the part of an event-sourced system nobody should have to retype: the
tables, the wire format of a stored event, the EventBridge bus → rule → SQS queue that
feeds projections, a Lambda-shaped delivery loop, and a client *spy* that lets a test
force two writers to interleave exactly where a race hurts. What is **not** here is the
interesting part, which the lesson explains and the exercise asks for: appending with an
expected version, replaying, deciding commands and projecting idempotently.

Stored event (one DynamoDB item)::

    aggregateId  S   partition key: one stream per aggregate
    version      N   sort key: 1, 2, 3, ... (a number, so 10 sorts after 9)
    type         S   e.g. "Deposited"
    data         S   the event's fields as JSON (no Decimal surprises)

Domain events travel as plain dicts ``{"aggregateId", "version", "type", "data"}``; on
EventBridge they are the ``detail`` of an envelope whose ``detail-type`` is the event type.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from mastery import aws, draws, lambdas
from mastery.lambdas import LambdaContext

WRITE_OPERATIONS = frozenset(
    {"put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"}
)
READ_OPERATIONS = frozenset({"get_item", "query", "scan", "batch_get_item", "transact_get_items"})


class ConcurrencyError(Exception):
    """Another writer appended to the stream since you read it: reload and decide again."""

    def __init__(self, aggregate_id: str, expected_version: int, detail: str = ""):
        self.aggregate_id = aggregate_id
        self.expected_version = expected_version
        msg = (f"stream {aggregate_id!r} is no longer at version {expected_version}: another writer "
               "appended first; reload the aggregate and retry the command")
        super().__init__(msg + (f" ({detail})" if detail else ""))


class CommandRejected(ValueError):
    """The command is invalid for the aggregate's current state; nothing was appended."""


# ------------------------------------------------------------------------------- tables


def create_store(name: str, reset: bool = False) -> str:
    """The event store table: PK ``aggregateId`` (S), SK ``version`` (N). Idempotent."""
    return aws.ensure_table(name, "aggregateId", "version", attr_types={"version": "N"}, reset=reset)


def create_snapshots(name: str, reset: bool = False) -> str:
    """The snapshot table: one item per aggregate (PK ``aggregateId``): its latest snapshot."""
    return aws.ensure_table(name, "aggregateId", reset=reset)


def to_item(aggregate_id: str, version: int, event: dict) -> dict:
    """A domain event ``{"type", "data"}`` as a DynamoDB item (wire format) at ``version``."""
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"version must be a positive int, not {version!r}")
    return {
        "aggregateId": {"S": aggregate_id},
        "version": {"N": str(version)},
        "type": {"S": event["type"]},
        "data": {"S": json.dumps(event.get("data", {}), sort_keys=True)},
    }


def from_item(item: dict) -> dict:
    """A stored item (wire format) back to ``{"aggregateId", "version", "type", "data"}``."""
    return {
        "aggregateId": item["aggregateId"]["S"],
        "version": int(item["version"]["N"]),
        "type": item["type"]["S"],
        "data": json.loads(item["data"]["S"]) if "data" in item else {},
    }


def save_snapshot(ddb, table: str, aggregate_id: str, version: int, state) -> None:
    """Store ``state`` as the snapshot of ``aggregate_id`` at ``version`` (JSON). A snapshot is
    a cache: it never replaces events, and an older one never overwrites a newer one."""
    try:
        ddb.put_item(
            TableName=table,
            Item={"aggregateId": {"S": aggregate_id}, "version": {"N": str(version)},
                  "state": {"S": json.dumps(state, sort_keys=True)}},
            ConditionExpression="attribute_not_exists(version) OR version < :v",
            ExpressionAttributeValues={":v": {"N": str(version)}},
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        pass  # a newer snapshot is already there


def get_snapshot(ddb, table: str, aggregate_id: str):
    """``(state, version)`` of the latest snapshot, or ``(None, 0)`` when there is none."""
    item = ddb.get_item(TableName=table, Key={"aggregateId": {"S": aggregate_id}},
                        ConsistentRead=True).get("Item")
    if not item:
        return None, 0
    return json.loads(item["state"]["S"]), int(item["version"]["N"])


def stream(ddb, table: str, aggregate_id: str) -> list[dict]:
    """Every stored event of one aggregate, oldest first (for showing and checking)."""
    out, kwargs = [], {
        "TableName": table, "KeyConditionExpression": "aggregateId = :a",
        "ExpressionAttributeValues": {":a": {"S": aggregate_id}}, "ConsistentRead": True,
    }
    while True:
        page = ddb.query(**kwargs)
        out += [from_item(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# ---------------------------------------------------------------- EventBridge -> SQS


@dataclass(frozen=True)
class Pipeline:
    """A custom event bus whose rule sends every event of ``source`` to one SQS queue."""

    bus: str
    rule: str
    queue_url: str
    queue_arn: str
    source: str


def ensure_pipeline(ns: aws.Namespace, source: str, name: str = "projection",
                    visibility_timeout: int = 30) -> Pipeline:
    """Create (once) the bus ``<ns>-bus``, a queue and a rule routing ``source`` to it."""
    events, sqs = aws.client("events"), aws.client("sqs")
    bus = ns.name("bus")
    try:
        events.create_event_bus(Name=bus)
    except events.exceptions.ResourceAlreadyExistsException:
        pass
    queue_url = sqs.create_queue(
        QueueName=ns.name(name), Attributes={"VisibilityTimeout": str(visibility_timeout)}
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    rule = ns.name(f"{name}-rule")
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "projection-queue", "Arn": queue_arn}])
    return Pipeline(bus, rule, queue_url, queue_arn, source)


def publish(pipeline: Pipeline, events: list[dict], client=None) -> list[str]:
    """Put domain events on the bus (``detail`` = the event). Returns the EventBridge ids."""
    client = client or aws.client("events")
    ids = []
    for i in range(0, len(events), 10):  # PutEvents takes at most 10 entries per call
        batch = events[i:i + 10]
        r = client.put_events(Entries=[
            {"Source": pipeline.source, "DetailType": e["type"], "Detail": json.dumps(e, sort_keys=True),
             "EventBusName": pipeline.bus} for e in batch])
        if r.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge rejected {r['FailedEntryCount']} event(s): {r['Entries']}")
        ids += [x["EventId"] for x in r["Entries"]]
    return ids


def sqs_event(messages: list[dict], queue_arn: str) -> dict:
    """The event a Lambda function receives from an SQS event source mapping."""
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": aws.REGION,
    } for m in messages]}


def lambda_context(function_name: str = "projection", timeout_ms: int = 30_000) -> LambdaContext:
    """A stand-in for the Lambda context object (the emulator cannot run Lambda code)."""
    return lambdas.lambda_context(function_name, timeout_ms=timeout_ms)


def deliver(pipeline: Pipeline, handler, context=None, batch_size: int = 10, max_rounds: int = 20,
            client=None) -> list[dict]:
    """Do what Lambda's SQS event source mapping does, until the queue is empty: receive a
    batch, call ``handler(event, context)``, delete the messages it handled, and make the
    ones it reported in ``batchItemFailures`` visible again (they are retried next round).

    Returns the records handled successfully, in delivery order. Stops after ``max_rounds``
    batches that made no progress, leaving failing messages in the queue."""
    sqs = client or aws.client("sqs")
    context = context or lambda_context()
    done, stuck = [], 0
    while stuck < max_rounds:
        msgs = sqs.receive_message(QueueUrl=pipeline.queue_url, MaxNumberOfMessages=batch_size,
                                   WaitTimeSeconds=0).get("Messages", [])
        if not msgs:
            return done
        event = sqs_event(msgs, pipeline.queue_arn)
        result = handler(event, context) or {}
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for r in event["Records"]:
            if r["messageId"] in failed:
                sqs.change_message_visibility(QueueUrl=pipeline.queue_url, ReceiptHandle=r["receiptHandle"],
                                              VisibilityTimeout=0)
            else:
                sqs.delete_message(QueueUrl=pipeline.queue_url, ReceiptHandle=r["receiptHandle"])
                done.append(r)
        stuck = stuck + 1 if len(failed) == len(msgs) else 0
    return done


def discard(pipeline: Pipeline, client=None) -> int:
    """Delete every message waiting in the pipeline's queue (a clean start). Returns how many."""
    sqs = client or aws.client("sqs")
    n = 0
    while True:
        msgs = sqs.receive_message(QueueUrl=pipeline.queue_url, MaxNumberOfMessages=10,
                                   WaitTimeSeconds=0, VisibilityTimeout=30).get("Messages", [])
        if not msgs:
            return n
        for m in msgs:
            sqs.delete_message(QueueUrl=pipeline.queue_url, ReceiptHandle=m["ReceiptHandle"])
        n += len(msgs)


# ------------------------------------------------------------------------ the client spy


class ClientSpy:
    """Wraps a boto3 DynamoDB client: records every call, and can run ``before_write`` once,
    just before the first write goes out. That is how a test makes a race happen on
    purpose: writer A has read, then writer B commits, then A writes.

    ``spy.items_read(table)`` counts the items that reads on ``table`` returned."""

    def __init__(self, client, before_write=None):
        self._client = client
        self._before_write = before_write
        self.calls: list[tuple[str, dict, dict | None]] = []

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr) or name.startswith("_") or name in ("exceptions", "meta"):
            return attr

        def call(*args, **kwargs):
            if name in WRITE_OPERATIONS and self._before_write is not None:
                hook, self._before_write = self._before_write, None
                hook()
            result = None
            try:
                result = attr(*args, **kwargs)
                return result
            finally:
                self.calls.append((name, kwargs, result))

        return call

    def get_paginator(self, operation: str):
        """A paginator whose pages are recorded like single calls (so reads are counted)."""
        paginator = self._client.get_paginator(operation)
        spy = self

        class _Recorded:
            def paginate(self, **kwargs):
                for page in paginator.paginate(**kwargs):
                    spy.calls.append((operation, kwargs, page))
                    yield page

        return _Recorded()

    @property
    def exceptions(self):
        return self._client.exceptions

    @property
    def meta(self):
        return self._client.meta

    def operations(self) -> list[str]:
        return [c[0] for c in self.calls]

    def items_read(self, table: str) -> int:
        n = 0
        for op, kwargs, result in self.calls:
            if op not in READ_OPERATIONS or not result:
                continue
            if op in ("query", "scan") and kwargs.get("TableName") == table:
                n += len(result.get("Items", []))
            elif op == "get_item" and kwargs.get("TableName") == table:
                n += "Item" in result
            elif op == "batch_get_item":
                n += len(result.get("Responses", {}).get(table, []))
            elif op == "transact_get_items":
                gets = [t.get("Get", {}) for t in kwargs.get("TransactItems", [])]
                n += sum(1 for g, r in zip(gets, result.get("Responses", []), strict=False)
                         if g.get("TableName") == table and r.get("Item"))
        return n


# ------------------------------------------------------- failures production has, on demand


def _client_error(client, code: str, operation: str, message: str, **extra):
    """The exception boto3 raises for ``code`` (its modeled class when the service has one)."""
    from botocore.exceptions import ClientError

    response = {"Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": 400}, **extra}
    try:
        cls = client.exceptions.from_code(code)
    except Exception:  # noqa: BLE001 - no modeled class: a plain ClientError
        cls = ClientError
    return cls(response, operation)


class FaultyClient(ClientSpy):
    """A :class:`ClientSpy` whose write requests fail the way DynamoDB fails them.

    ``fail`` says which write requests fail: a set of ordinals (1 = the first write request,
    counted over every write operation), or ``"always"``. ``error`` says how:

    * ``"throttle"``: a throttle that outlasted the SDK's retries. A ``TransactWriteItems`` is
      cancelled (``TransactionCanceledException``, reason ``ThrottlingError`` on its first
      item); any other write raises ``ProvisionedThroughputExceededException``;
    * ``"conflict"``: another transaction was writing the same item. A ``TransactWriteItems``
      is cancelled with reason ``TransactionConflict``; any other write raises
      ``TransactionConflictException``.

    A failed request writes nothing. ``ops`` limits the failures to some write operations.
    ``faults`` counts the failures raised, ``writes`` the write requests seen."""

    def __init__(self, client, fail="always", error: str = "throttle", ops=WRITE_OPERATIONS,
                 before_write=None):
        super().__init__(client, before_write=before_write)
        if error not in ("throttle", "conflict"):
            raise ValueError(f"error must be 'throttle' or 'conflict', not {error!r}")
        self._fail, self._error, self._ops = fail, error, frozenset(ops)
        self.faults = 0
        self.writes = 0

    def __getattr__(self, name):
        call = super().__getattr__(name)
        if name not in WRITE_OPERATIONS or not callable(call):
            return call

        def write(*args, **kwargs):
            self.writes += 1
            if name in self._ops and (self._fail == "always" or self.writes in self._fail):
                self.faults += 1
                self.calls.append((name, kwargs, None))
                raise self._fault(name, kwargs)
            return call(*args, **kwargs)

        return write

    def _fault(self, name: str, kwargs: dict):
        operation = "".join(p.title() for p in name.split("_"))
        if name == "transact_write_items":
            n = max(1, len(kwargs.get("TransactItems", [])))
            code = "ThrottlingError" if self._error == "throttle" else "TransactionConflict"
            reasons = [{"Code": code, "Message": "injected by the grader"}] + [{"Code": "None"}] * (n - 1)
            return _client_error(self._client, "TransactionCanceledException", operation,
                                 f"Transaction cancelled, please refer cancellation reasons for specific "
                                 f"reasons [{', '.join(r['Code'] for r in reasons)}]",
                                 CancellationReasons=reasons)
        code = ("ProvisionedThroughputExceededException" if self._error == "throttle"
                else "TransactionConflictException")
        return _client_error(self._client, code, operation, "injected by the grader")


class RequestLog:
    """Records the parameters of every request ``client`` sends (read from botocore's own
    events, so it sees calls made through paginators too), and can cap a ``Query``'s page size
    to make paging happen on a small table (``page_size``): DynamoDB cuts a page at 1 MB, or
    at ``Limit`` items, whichever comes first, so a reader must follow ``LastEvaluatedKey``."""

    def __init__(self, client, page_size: int | None = None):
        self.client = client
        self.requests: list[tuple[str, dict]] = []
        self._page_size = page_size
        service = client.meta.service_model.service_name
        client.meta.events.register(f"provide-client-params.{service}", self._params)

    def _params(self, params, model, **_):
        if self._page_size and model.name in ("Query", "Scan"):
            params["Limit"] = min(int(params.get("Limit") or self._page_size), self._page_size)
        self.requests.append((model.name, dict(params)))
        return params

    def sent(self, operation: str, table: str | None = None) -> list[dict]:
        """The parameters of every ``operation`` request (e.g. ``"Query"``), on ``table`` if given."""
        return [p for op, p in self.requests
                if op == operation and (table is None or p.get("TableName") == table)]


def queued_events(pipeline: Pipeline, client=None) -> list[dict]:
    """Take every message waiting in the pipeline's queue and return the domain events they
    carry (their ``detail``), in the order received. The messages are deleted."""
    sqs = client or aws.client("sqs")
    out = []
    while True:
        msgs = sqs.receive_message(QueueUrl=pipeline.queue_url, MaxNumberOfMessages=10,
                                   WaitTimeSeconds=0, VisibilityTimeout=30).get("Messages", [])
        if not msgs:
            return out
        for m in msgs:
            out.append(json.loads(m["Body"]).get("detail"))
            sqs.delete_message(QueueUrl=pipeline.queue_url, ReceiptHandle=m["ReceiptHandle"])


def envelope(event: dict, source: str = "m01.warehouse", envelope_id: str | None = None) -> dict:
    """The EventBridge envelope a rule delivers to SQS for one domain event."""
    import uuid

    return {"version": "0", "id": envelope_id or str(uuid.uuid4()), "detail-type": event["type"],
            "source": source, "account": "000000000000", "time": "2026-01-01T00:00:00Z",
            "region": aws.REGION, "resources": [], "detail": event}


def sqs_record(event: dict, message_id: str | None = None, queue_arn: str = "", **kwargs) -> dict:
    """One SQS record (as Lambda receives it) whose body is the envelope of ``event``."""
    import uuid

    mid = message_id or str(uuid.uuid4())
    return sqs_event([{"MessageId": mid, "ReceiptHandle": f"rh-{mid}",
                       "Body": json.dumps(envelope(event, **kwargs))}], queue_arn)["Records"][0]


def run_batches(handler, batches: list[list[dict]], context=None, max_rounds: int = 60) -> list[dict]:
    """Deliver SQS ``records`` in ``batches`` as Lambda's event source mapping does: a record
    reported in ``batchItemFailures`` comes back in a later batch, and when the handler
    raises, the whole batch comes back. Returns one entry per call:
    ``{"batch": [messageId, ...], "failed": [...], "raised": exception or None}``."""
    context = context or lambda_context()
    pending = [list(b) for b in batches if b]
    log = []
    while pending and len(log) < max_rounds:
        batch = pending.pop(0)
        ids = [r["messageId"] for r in batch]
        try:
            result = handler({"Records": batch}, context) or {}
            failed = [f.get("itemIdentifier") for f in result.get("batchItemFailures", [])]
            raised = None
        except Exception as e:  # noqa: BLE001 - Lambda retries the batch, whatever failed
            failed, raised = ids, e
        log.append({"batch": ids, "failed": failed, "raised": raised})
        again = [r for r in batch if r["messageId"] in set(failed)]
        if again:
            pending.append(again)
    return log


def read_model_row(table: str, sku: str, client=None) -> dict | None:
    """The read model's item for ``sku`` as plain values (strongly consistent), or ``None``."""
    ddb = client or aws.client("dynamodb")
    item = ddb.get_item(TableName=table, Key={"sku": {"S": sku}}, ConsistentRead=True).get("Item")
    return aws.from_item(item) if item else None


# ------------------------------------------------------------------ test-projection-order's cases

PROJECTION_CASES = 12  # drawn cases, after the explicit first one
PROJECTION_SKU = re.compile(r"^sku-(?P<tag>[0-9a-f]{6})x(?P<case>\d+)$")  # its items' names


def item_events(sku: str, moves: list[int]) -> list[dict]:
    """A valid stream: the registration (named ``sku``), then the moves (+ received, - shipped)
    that keep stock at or above 0; a shipment of more than is on hand is left out."""
    out, on_hand = [{"aggregateId": sku, "version": 1, "type": "ItemRegistered", "data": {"name": sku}}], 0
    for m in moves:
        if m < 0 and -m > on_hand:
            continue
        on_hand += m
        out.append({"aggregateId": sku, "version": len(out) + 1,
                    "type": "StockReceived" if m > 0 else "StockShipped", "data": {"quantity": abs(m)}})
    return out


@dataclass(frozen=True)
class ProjectionCase:
    """One item's events, and the batches they reach the projection in: indexes into
    ``events``, in any order, some delivered again (a new message each time)."""

    sku: str
    events: list[dict]
    batches: list[list[int]]


def projection_cases(tag: str, n: int = PROJECTION_CASES) -> list[ProjectionCase]:
    """test-projection-order's cases: first version 3 before versions 1 and 2, then ``n``
    derandomized Hypothesis draws of moves, redeliveries, their order and the batch sizes.
    The hidden test (in the kernel) and its trusted check (in the grading process) draw the
    same cases (:func:`mastery.draws.draws`); the items are named ``sku-<tag>x<case>``, so a
    fresh ``tag`` per run of the cell starts from nothing."""
    from hypothesis import strategies as st

    @st.composite
    def case(draw):
        moves = draw(st.lists(st.integers(-6, 6).filter(bool), min_size=0, max_size=4), label="moves")
        size = len(item_events("x", moves))
        again = draw(st.lists(st.sampled_from(range(size)), max_size=3), label="redelivered")
        order = draw(st.permutations(list(range(size)) + again), label="order")
        sizes = draw(st.lists(st.integers(1, 4), min_size=len(order), max_size=len(order)), label="sizes")
        return moves, order, sizes

    out = []
    for i, (moves, order, sizes) in enumerate(draws.draws(case(), n, examples=(([5, -2, 4], [2, 0, 1, 3],
                                                                                [1, 2, 1]),))):
        batches, at = [], 0
        for size in sizes:
            if at < len(order):
                batches.append(order[at:at + size])
                at += size
        sku = f"sku-{tag}x{i}"
        out.append(ProjectionCase(sku, item_events(sku, moves), batches))
    return out
