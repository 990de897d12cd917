"""Plumbing for the real-time week: the task table with its DynamoDB stream, the WebSocket
connections table, a management-API-shaped gateway whose "wire" the grader can read, a seeded
multi-tenant change workload (week 13's), and the spec's model of what each connection must get.

Nothing here routes a change: that is the learner's handler. This module only:

* :func:`task_table` creates week 13's task table (:func:`~mastery.weeks.w13_multi_tenant.tenancy.
  task_table`: ``pk``/``sk`` strings) and switches its stream on (``NEW_AND_OLD_IMAGES``); the
  platform's key format is fixed here: ``pk = "TENANT#<tenant>"``, ``sk = "TASK#<task id>"``;
* :func:`apply` writes week 13's seeded requests (:func:`tenancy.workload`) to it as the
  repository would (create = conditional put, update = update of an existing task, delete), so
  the stream holds INSERT, MODIFY and REMOVE records of many tenants, interleaved;
* :class:`Gateway` is the API Gateway management API's ``post_to_connection`` (same call, same
  errors: ``GoneException`` for a closed connection) whose delivered frames land in a DynamoDB
  table (the *wire*), in arrival order, because the embedded emulator keeps posted data where no
  API can read it back (moto's ``apigatewaymanagementapi``: see the lesson);
* :func:`message_for` and :func:`expected` are the spec's model: what a stream record becomes
  on the wire, and what each connection must have received. The expected side is computed from
  the stream itself, never from what the handler wrote.
"""

from __future__ import annotations

import json
import random
import time

from botocore.exceptions import ClientError

from mastery import aws
from mastery.weeks.w13_multi_tenant import tenancy

STREAM_VIEW = "NEW_AND_OLD_IMAGES"
VISIBLE = ("title", "status")  # what a subscriber sees of a task; other attributes are internal


def pk(tenant: str) -> str:
    return f"TENANT#{tenant}"


def sk(task_id: str) -> str:
    return f"TASK#{task_id}"


def task_table(ns: aws.Namespace, name: str = "tasks", ddb=None, reset: bool = False) -> tuple[str, str]:
    """Week 13's task table with its stream on: ``(table name, stream ARN)``. Idempotent;
    ``reset`` deletes the table first (a new table, a new stream, nothing in it)."""
    ddb = ddb or aws.client("dynamodb")
    if reset:
        aws.delete_table(ns.name(name), ddb=ddb)
    table = tenancy.task_table(ns, name, ddb=ddb)
    spec = ddb.describe_table(TableName=table)["Table"].get("StreamSpecification") or {}
    if not spec.get("StreamEnabled"):
        ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True,
                                                               "StreamViewType": STREAM_VIEW})
    return table, ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]


def connections_table(ns: aws.Namespace, name: str = "connections", ddb=None) -> str:
    """The WebSocket connections table: ``tenant`` (partition) and ``connection_id`` (sort), as
    the ``$connect`` route writes it from the verified token's tenant (week 13)."""
    return aws.ensure_table(ns.name(name), "tenant", "connection_id", ddb=ddb)


def wire_table(ns: aws.Namespace, name: str = "wire", ddb=None) -> str:
    """Where :class:`Gateway` puts each frame: ``connection_id``, ``n`` (arrival order), ``data``."""
    return aws.ensure_table(ns.name(name), "connection_id", "n", attr_types={"n": "N"}, ddb=ddb)


def connect(table: str, tenant: str, connection_id: str, ddb=None) -> None:
    """What the ``$connect`` route does once it has verified the token: remember the connection."""
    (ddb or aws.client("dynamodb")).put_item(TableName=table, Item={
        "tenant": {"S": tenant}, "connection_id": {"S": connection_id},
        "connected_at": {"N": str(int(time.time()))}})


# ------------------------------------------------------------------------------ the gateway


class Gateway:
    """``post_to_connection(ConnectionId=..., Data=...)`` as the ``apigatewaymanagementapi``
    client has it. A connection named in ``gone`` raises ``GoneException`` (410), as AWS does
    for a closed connection; one named in ``throttled`` raises ``LimitExceededException`` (429)
    on every post; every other frame is stored on the wire table, in arrival order."""

    _last = 0  # the last frame's arrival number in this process (frames are numbered in order)

    def __init__(self, wire: str, ddb=None, gone=(), throttled=()):
        self.wire, self.gone, self.throttled = wire, set(gone), set(throttled)
        self._ddb = ddb or aws.client("dynamodb")

    def post_to_connection(self, *, ConnectionId: str, Data) -> dict:  # noqa: N803 - boto3's names
        if not isinstance(ConnectionId, str) or not ConnectionId:
            raise ClientError({"Error": {"Code": "BadRequestException", "Message": "Invalid connectionId"}},
                              "PostToConnection")
        if ConnectionId in self.gone:
            raise ClientError({"Error": {"Code": "GoneException", "Message": ""},
                               "ResponseMetadata": {"HTTPStatusCode": 410}}, "PostToConnection")
        if ConnectionId in self.throttled:
            raise ClientError({"Error": {"Code": "LimitExceededException", "Message": "Rate exceeded"},
                               "ResponseMetadata": {"HTTPStatusCode": 429}}, "PostToConnection")
        data = Data.decode() if isinstance(Data, bytes | bytearray) else str(Data)
        n = Gateway._last = max(Gateway._last + 1, time.time_ns())
        self._ddb.put_item(TableName=self.wire, Item={
            "connection_id": {"S": ConnectionId}, "n": {"N": str(n)}, "data": {"S": data}})
        return {"ResponseMetadata": {"HTTPStatusCode": 200}}


def forget(wire: str, connection_id: str, ddb=None) -> None:
    """Delete what the wire holds for a connection (a test's clean start)."""
    ddb = ddb or aws.client("dynamodb")
    kw = {"TableName": wire, "KeyConditionExpression": "connection_id = :c", "ConsistentRead": True,
          "ExpressionAttributeValues": {":c": {"S": connection_id}}}
    while True:
        page = ddb.query(**kw)
        for it in page["Items"]:
            ddb.delete_item(TableName=wire, Key={"connection_id": it["connection_id"], "n": it["n"]})
        if "LastEvaluatedKey" not in page:
            return
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def received(wire: str, connection_id: str, ddb=None) -> list:
    """The frames a connection received, in arrival order, each parsed as JSON (or the raw text
    when it is not JSON)."""
    ddb, out = ddb or aws.client("dynamodb"), []
    kw = {"TableName": wire, "KeyConditionExpression": "connection_id = :c",
          "ExpressionAttributeValues": {":c": {"S": connection_id}}, "ConsistentRead": True}
    while True:
        page = ddb.query(**kw)
        for it in page["Items"]:
            try:
                out.append(json.loads(it["data"]["S"]))
            except ValueError:
                out.append(it["data"]["S"])
        if "LastEvaluatedKey" not in page:
            return out
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


# ------------------------------------------------------------------------------ the stream


def stream_records(stream_arn: str, streams=None) -> list[dict]:
    """Every record the stream holds (its 24 hours), shard by shard, in sequence order."""
    streams = streams or aws.client("dynamodbstreams")
    out = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = streams.get_records(ShardIterator=it, Limit=1000)
            out += page["Records"]
            it = page.get("NextShardIterator") if page["Records"] else None
    return out


def _plain(image: dict | None) -> dict:
    return {k: v.get("S") for k, v in (image or {}).items() if k in VISIBLE}


def message_for(record: dict) -> dict | None:
    """The spec: the frame a stream record becomes, or ``None`` when nothing is sent (a MODIFY
    that changes neither title nor status). The tenant and task come from the *key*."""
    d = record["dynamodb"]
    tenant = d["Keys"]["pk"]["S"].removeprefix("TENANT#")
    task_id = d["Keys"]["sk"]["S"].removeprefix("TASK#")
    change = record["eventName"]
    new, old = _plain(d.get("NewImage")), _plain(d.get("OldImage"))
    if change == "MODIFY" and new == old:
        return None
    return {"seq": d["SequenceNumber"], "change": change, "tenant": tenant, "task_id": task_id,
            "task": None if change == "REMOVE" else new}


def tenant_of(record: dict) -> str:
    return record["dynamodb"]["Keys"]["pk"]["S"].removeprefix("TENANT#")


def expected(records: list[dict], connections: dict[str, list[str]]) -> dict[str, list[dict]]:
    """connection id -> the frames it must have received, in stream order, once each, for
    ``connections`` (tenant -> its connection ids)."""
    out = {c: [] for cs in connections.values() for c in cs}
    for r in sorted(records, key=lambda r: int(r["dynamodb"]["SequenceNumber"])):
        m = message_for(r)
        if m is not None:
            for c in connections.get(tenant_of(r), []):
                out[c].append(m)
    return out


def after(records: list[dict], tenant: str, cursor: str | None) -> list[dict]:
    """The spec of catch-up: the tenant's frames after ``cursor`` (a sequence number; ``None``:
    from the start), in stream order."""
    out = []
    for r in sorted(records, key=lambda r: int(r["dynamodb"]["SequenceNumber"])):
        m = message_for(r)
        if m and m["tenant"] == tenant and (cursor is None or int(m["seq"]) > int(cursor)):
            out.append(m)
    return out


# ------------------------------------------------------------------------------ the workload

# The hidden tests' workloads: week 13's generator (tenants, shared task ids, retries of creates).
GRADED = {
    "mix": dict(seed=1515, tenants=6, requests=50, ids=4),
    "cu": dict(seed=1518, tenants=4, requests=36, ids=3),
    "thr": dict(seed=1519, tenants=2, requests=16, ids=2),
    "redo": dict(seed=1516, tenants=3, requests=30, ids=3),
    "fail": dict(seed=1517, tenants=2, requests=24, ids=3),
}


# Each hidden workload ends with a burst: one task of its first tenant (which has connections)
# created and then changed in a row, so batches hold many changes of one task. A handler that
# reorders a batch by anything but its order (the emulator's random eventID, say) keeps a burst
# of 12 in order by chance at most once in 518,400 gradings (two batches of 6 at worst); the
# seeded workloads alone have few changes of one task per batch, and such a handler kept
# test-fan-out in one grading of a fresh-clone run and test-redelivery in one of four (measured
# 2026-12-02): its grade depended on the ids the emulator drew.
BURSTS = {"mix": 12, "redo": 12, "fail": 12, "thr": 12}


def graded_ops(prefix: str) -> list[tenancy.Op]:
    ops = tenancy.workload(**GRADED[prefix], prefix=prefix)
    tenant, task, statuses = f"{prefix}0", "task-burst", tenancy.STATUSES
    return ops + [tenancy.Op(tenant, "create" if k == 0 else "update", task, f"burst step {k}",
                             statuses[k % len(statuses)]) for k in range(BURSTS.get(prefix, 0))]


def graded_connections(prefix: str) -> dict[str, list[str]]:
    """tenant -> connection ids for a hidden test: 3 for the first tenant, 0 to 3 for the others
    (seeded; some tenants have none)."""
    rng = random.Random(GRADED[prefix]["seed"])
    out = {}
    for i in range(GRADED[prefix]["tenants"]):
        tenant = f"{prefix}{i}"
        out[tenant] = [f"{tenant}-conn{k}" for k in range(rng.choice((0, 1, 2, 3)) if i else 3)]
    return out


def apply(table: str, ops: list[tenancy.Op], ddb=None) -> int:
    """Write the requests as the week-13 repository would; the number of writes that changed the
    table (each is one stream record). An update bumps the internal ``version`` too: an update
    that repeats the title and status changes only ``version`` (a MODIFY nobody needs to see)."""
    ddb, n = ddb or aws.client("dynamodb"), 0
    for op in ops:
        key = {"pk": {"S": pk(op.tenant)}, "sk": {"S": sk(op.task_id)}}
        try:
            if op.kind == "create":
                ddb.put_item(TableName=table, Item={**key, "tenant": {"S": op.tenant},
                                                   "task_id": {"S": op.task_id}, "title": {"S": op.title},
                                                   "status": {"S": op.status}, "version": {"N": "1"}},
                             ConditionExpression="attribute_not_exists(pk)")
            elif op.kind == "update":
                ddb.update_item(TableName=table, Key=key, ConditionExpression="attribute_exists(pk)",
                                UpdateExpression="SET title = :t, #s = :s ADD version :one",
                                ExpressionAttributeNames={"#s": "status"},
                                ExpressionAttributeValues={":t": {"S": op.title}, ":s": {"S": op.status},
                                                           ":one": {"N": "1"}})
            elif op.kind == "delete":
                ddb.delete_item(TableName=table, Key=key, ConditionExpression="attribute_exists(pk)")
            else:
                continue
            n += 1
        except ddb.exceptions.ConditionalCheckFailedException:
            pass
    return n
