"""Trusted checks of the week-16 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients. It reads ``USAGE`` and ``EVENTS`` and decides from the item
contract the spec states (``USAGE``: ``pk = "<tenant>#<YYYY-MM>"`` with ``requests``; ``EVENTS``:
``pk = "<tenant>#<crc32(event_id) % SHARDS>"``, ``sk`` the event id, ``kind``, ``payload``), with
the expected values written or recomputed here, so nothing the kernel prints, rebinds or fakes
(a wrapped client, rows written to look right) can change them.
"""

from __future__ import annotations

import json
import zlib

from mastery.grading.integrity import scan_items

EXERCISE = "m04-tenant-economics"  # the exercise's namespace (its setup cell)
SHARDS = 8


def _table(ctx, name):
    return ctx.client("dynamodb"), ctx.namespace(EXERCISE).name(name)


def _usage(ctx) -> dict[str, int]:
    ddb, table = _table(ctx, "usage")
    return {i["pk"]["S"]: int(i["requests"]["N"]) for i in scan_items(ddb, table) if "requests" in i}


def _expect_usage(ctx, want: dict[str, int]) -> None:
    got = _usage(ctx)
    bad = {k: (got.get(k, 0), v) for k, v in want.items() if got.get(k, 0) != v}
    assert not bad, ("on the backend, USAGE's request counts differ (got, expected): "
                     + ", ".join(f"{k}: {g} vs {w}" for k, (g, w) in bad.items()))


def _events(ctx, tenant: str) -> list[dict]:
    ddb, table = _table(ctx, "events")
    return [i for i in scan_items(ddb, table) if i.get("pk", {}).get("S", "").startswith(tenant + "#")]


def _expect_events(ctx, tenant: str, want: dict[str, tuple[str, dict]]) -> None:
    """``want``: event id -> (kind, data); each stored once, in its stated shard."""
    items = _events(ctx, tenant)
    ids = [i.get("sk", {}).get("S") for i in items]
    assert sorted(ids) == sorted(want), (
        f"on the backend, EVENTS holds {len(ids)} items of {tenant} ({len(set(ids))} distinct ids), "
        f"expected the {len(want)} events once each")
    for i in items:
        eid = i["sk"]["S"]
        pk = f"{tenant}#{zlib.crc32(eid.encode('utf-8')) % SHARDS}"
        assert i["pk"]["S"] == pk, f"on the backend, event {eid} is in partition {i['pk']['S']}, not {pk}"
        kind, data = want[eid]
        try:
            payload = json.loads(i.get("payload", {}).get("S", "null"))
        except ValueError:
            payload = None
        same = i.get("kind", {}).get("S") == kind and i.get("tenant", {}).get("S") == tenant
        assert same and payload == data, (
            f"on the backend, event {eid} holds kind {i.get('kind')}, payload {i.get('payload')}, "
            f"tenant {i.get('tenant')}; expected {kind}, {data}, {tenant}")


def sharding(ctx) -> None:
    want = {f"evt-{n:04d}": ("TaskUpdated", {"task_id": f"t-{n % 9}", "n": n}) for n in range(160)}
    _expect_events(ctx, "hot-co", want)
    _expect_events(ctx, "cold-co", {"evt-0001": ("TaskCreated", {"task_id": "other"})})


def adapters(ctx) -> None:
    _expect_events(ctx, "adapt-co", {
        "ad-1": ("TaskCreated", {"task_id": "t-1", "title": "plan"}),
        "ad-2": ("TaskCreated", {"task_id": "t-2", "title": "ship"}),
        "ad-3": ("TaskUpdated", {"task_id": "t-1", "status": "done", "tenant_id": "adapt-co"}),
    })


def adapter_tenant(ctx) -> None:
    for tenant in ("victim-co", "mallory-co"):
        n = len(_events(ctx, tenant))
        assert n == 0, f"on the backend, EVENTS holds {n} items in {tenant}'s partitions after the attacks"


TRUSTED = {
    "test-bucket-boundaries": lambda ctx: _expect_usage(ctx, {"edge-b#2026-11": 7}),
    "test-quota": lambda ctx: _expect_usage(ctx, {"quota-a#2026-11": 5, "quota-b#2026-11": 3,
                                                  "quota-a#2026-12": 1}),
    "test-usage-throttled": lambda ctx: _expect_usage(ctx, {"thr-usage#2026-11": 3}),
    "test-sharding": sharding,
    "test-adapters": adapters,
    "test-adapter-tenant": adapter_tenant,
}
