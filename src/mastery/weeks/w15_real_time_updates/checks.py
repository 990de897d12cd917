"""Trusted checks of the week-15 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients. Each hidden test writes to a task table of its own
(``tasks-<prefix>``) whose connections are fixed by the spec (seeded: :func:`realtime.
graded_connections`, or the crafted test's literal ones). The check reads that table's DynamoDB
stream itself, computes what every connection must have received (:func:`realtime.expected`:
its tenant's frames from the *key*, once, in stream order), and compares it with the wire the
gateway wrote, read with its own client. Nothing the kernel prints, rebinds (``frames_of``, the
expected values) or holds in memory can change the outcome.
"""

from __future__ import annotations

from mastery.weeks.w15_real_time_updates import realtime

EXERCISE = "m04-realtime"  # the exercise's namespace (its setup cell)
CRAFTED = {"crv": ["crv-victim", "crv-stray"], "crm": ["crm-mallory"], "cr1": ["cr1-a"], "cr10": ["cr10-a"]}
KINDS = {"kd": ["kd-1", "kd-2"]}
GONE, SLOW = "fail0-conn0", "fail0-conn1"


def _wire_matches(ctx, prefix: str, connections: dict[str, list[str]], silent=()) -> None:
    ns = ctx.namespace(EXERCISE)
    ddb = ctx.client("dynamodb")
    table = ns.name(f"tasks-{prefix}")
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    want = realtime.expected(realtime.stream_records(arn, ctx.client("dynamodbstreams")), connections)
    wire = ns.name("wire")
    bad = []
    for cid, frames in want.items():
        frames = [] if cid in silent else frames
        got = realtime.received(wire, cid, ddb=ddb)
        if got != frames:
            bad.append(f"{cid} received {len(got)} frames, expected {len(frames)}")
    assert not bad, ("on the backend, the connections' frames are not exactly their tenant's changes, "
                     "once each, in stream order: " + "; ".join(bad[:3]))


def failing(ctx) -> None:
    _wire_matches(ctx, "fail", realtime.graded_connections("fail"), silent={GONE, SLOW})
    ddb = ctx.client("dynamodb")
    items = ddb.query(TableName=ctx.namespace(EXERCISE).name("connections"),
                      KeyConditionExpression="tenant = :t", ConsistentRead=True,
                      ExpressionAttributeValues={":t": {"S": "fail0"}})["Items"]
    registered = {i["connection_id"]["S"] for i in items}
    assert GONE not in registered and SLOW in registered, (
        f"on the backend, CONNECTIONS holds {sorted(registered)} for fail0: the gone connection must be "
        "deleted, the throttled one kept")


TRUSTED = {
    "test-fan-out": lambda ctx: _wire_matches(ctx, "mix", realtime.graded_connections("mix")),
    "test-crafted": lambda ctx: _wire_matches(ctx, "crafted", CRAFTED),
    "test-change-kinds": lambda ctx: _wire_matches(ctx, "kinds", KINDS),
    "test-redelivery": lambda ctx: _wire_matches(ctx, "redo", realtime.graded_connections("redo")),
    "test-failing-subscriber": failing,
    "test-throttled-writes": lambda ctx: _wire_matches(ctx, "thr", realtime.graded_connections("thr")),
}
