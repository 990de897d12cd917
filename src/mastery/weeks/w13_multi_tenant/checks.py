"""Trusted checks of the week-13 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients. It reads the task table and decides, from the item contract the
spec states (every item carries its ``tenant``, tasks their ``task_id``, ``title``, ``status``):

* isolation on the backend: each tenant's items share one partition key value that names the
  tenant, and no two tenants share one (whatever the learner's key format);
* content: the tenants a test used hold exactly the tasks the spec says they must, computed here
  (for the random workload: :func:`tenancy.model` of the seeded requests, replayed in this
  process), so nothing the kernel prints, rebinds or fakes can change the expected values.
"""

from __future__ import annotations

from mastery.grading.integrity import scan_items
from mastery.weeks.w13_multi_tenant import tenancy

EXERCISE = "m04-multi-tenant"  # the exercise's namespace (its setup cell)


def _items(ctx) -> list[dict]:
    ddb = ctx.client("dynamodb")
    return scan_items(ddb, ctx.namespace(EXERCISE).name("tasks"))


def partition_problems(items: list[dict]) -> list[str]:
    """Where the table breaks "one partition per tenant, named after it" (empty: nowhere)."""
    problems, pks, owner = [], {}, {}
    for it in items:
        tenant = it.get("tenant", {}).get("S")
        pk = it.get("pk", {}).get("S", "")
        if not tenant:
            problems.append(
                f"an item without a string 'tenant' attribute (pk {pk!r}, sk {it.get('sk', {}).get('S')!r})"
            )
            continue
        if tenant not in pk:
            problems.append(
                f"tenant {tenant!r}'s item is in partition {pk!r}, which does not name the tenant"
            )
        pks.setdefault(tenant, set()).add(pk)
        if owner.setdefault(pk, tenant) != tenant:
            problems.append(f"partition {pk!r} holds items of tenants {owner[pk]!r} and {tenant!r}")
    problems += [
        f"tenant {t!r}'s items are spread over partitions {sorted(p)[:3]}"
        for t, p in pks.items()
        if len(p) > 1
    ]
    return problems


def tasks_of(items: list[dict], tenants) -> dict[str, dict[str, dict]]:
    """tenant -> task_id -> the task, for the named tenants' task items."""
    out: dict[str, dict[str, dict]] = {t: {} for t in tenants}
    for it in items:
        tenant = it.get("tenant", {}).get("S")
        if tenant in out and "task_id" in it:
            out[tenant][it["task_id"]["S"]] = {
                "task_id": it["task_id"]["S"],
                "title": it.get("title", {}).get("S"),
                "status": it.get("status", {}).get("S"),
            }
    return out


def around(items: list[dict], tenants) -> list[dict]:
    """The items of ``tenants`` and every item that shares a partition with one of them (the
    rest of the table, a learner's earlier experiments, is not this test's business)."""
    theirs = {i.get("pk", {}).get("S") for i in items if i.get("tenant", {}).get("S") in tenants}
    return [i for i in items if i.get("tenant", {}).get("S") in tenants or i.get("pk", {}).get("S") in theirs]


def _expect_tasks(ctx, want: dict[str, dict[str, dict]]) -> None:
    items = _items(ctx)
    problems = partition_problems(around(items, want))
    assert not problems, (
        f"on the backend, {len(problems)} isolation problem(s) in the task table: {problems[0]}"
    )
    got = tasks_of(items, want)
    bad = [t for t in want if got[t] != want[t]]
    assert not bad, (
        f"on the backend, {len(bad)} tenant(s) do not hold exactly their tasks; e.g. {bad[0]!r} holds "
        f"{sorted(got[bad[0]])[:6]}, expected {sorted(want[bad[0]])[:6]}"
        + ("" if sorted(got[bad[0]]) != sorted(want[bad[0]]) else " (with other titles or statuses)")
    )


def _task(task_id, title, status="open"):
    return {task_id: {"task_id": task_id, "title": title, "status": status}}


def random_workload(ctx) -> None:
    _answers, final = tenancy.model(tenancy.graded_ops())
    _expect_tasks(ctx, final)


TRUSTED = {
    "test-repository-visible": lambda ctx: _expect_tasks(ctx, {"visible": _task("t-2", "second", "doing")}),
    "test-guessed-ids": lambda ctx: _expect_tasks(
        ctx,
        {
            "victim": {
                k: v for n in range(5) for k, v in _task(f"v-{n}", f"victim's secret {n}", "doing").items()
            },
            "thief": {},
        },
    ),
    "test-same-id-two-tenants": lambda ctx: _expect_tasks(
        ctx, {"twin-a": _task("t-1", "a's task"), "twin-b": _task("t-1", "b's task", "doing")}
    ),
    "test-no-scan": lambda ctx: _expect_tasks(
        ctx, {"noscan": {**_task("s-1", "one"), **_task("s-2", "two")}}
    ),
    "test-errors-propagate": lambda ctx: _expect_tasks(ctx, {"throttled": _task("x-1", "one")}),
    "test-random-workload": random_workload,
}
