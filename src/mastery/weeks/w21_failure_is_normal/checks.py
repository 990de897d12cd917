"""Trusted checks of the week-21 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own client: it reads the exchange's fills in ORDERS (written by the course's
:class:`~mastery.weeks.w21_failure_is_normal.retries.Exchange`, never by the learner) and proves
each idempotency key the test used was filled exactly once. Each hidden test deletes its prefix's
rows before it starts, so the number of keys is exact; the visible tests use a fresh random key,
which the check finds as the one key the cell added (a ``before`` hook reads the keys first).
"""

from __future__ import annotations

from collections import Counter

from mastery.grading.integrity import scan_items

EXERCISE = "m06-failure"  # the exercise's namespace (its setup cell)

# grade id -> (the key prefix the test uses, how many keys it places)
KEYS = {
    "test-duplicates": ("dup-", 12),
    "test-other-process": ("proc-", 5),
    "test-lost-reply": ("lost-", 1),
    "test-crash-after-fill": ("after-", 1),
    "test-crash-before-fill": ("before-", 1),
    "test-conflict": ("conf-", 1),
}


def fills_per_key(ctx, prefix: str) -> Counter:
    ddb = ctx.client("dynamodb")
    table = ctx.namespace(EXERCISE).name("orders")
    return Counter(it["key"]["S"] for it in scan_items(ddb, table)
                   if it.get("key", {}).get("S", "").startswith(prefix))


def _once_each(prefix: str, keys: int):
    def check(ctx) -> None:
        got = fills_per_key(ctx, prefix)
        twice = {k: n for k, n in got.items() if n != 1}
        assert not twice, (f"on the backend, ORDERS holds more than one fill for {len(twice)} key(s) "
                           "of this test: "
                           + ", ".join(f"{k}: {n} fills" for k, n in list(twice.items())[:3]))
        assert len(got) == keys, (f"on the backend, ORDERS holds fills for {len(got)} key(s) of this test, "
                                  f"not the {keys} it placed (each exactly once)")
    return check


VISIBLE = "vis-"  # the visible tests' prefix: a fresh random key per run of the cell


def _vis_keys(ctx) -> set[str]:
    return set(fills_per_key(ctx, VISIBLE))


def visible_once(ctx, before: set[str] | None) -> None:
    """The visible tests place one order under a random key (then replay it, or send another
    payload under it): the one key the cell added holds exactly one fill, of the first order."""
    ddb = ctx.client("dynamodb")
    table = ctx.namespace(EXERCISE).name("orders")
    new = [it for it in scan_items(ddb, table) if it.get("key", {}).get("S", "").startswith(VISIBLE)
           and it["key"]["S"] not in (before or set())]
    keys = Counter(it["key"]["S"] for it in new)
    assert len(keys) == 1, (f"on the backend, ORDERS holds fills for {len(keys)} new key(s), "
                            "not the 1 the test placed")
    ((key, fills),) = keys.items()
    assert fills == 1, f"on the backend, ORDERS holds {fills} fills for the test's key {key}, not exactly one"
    qty = new[0].get("qty", {}).get("N")
    assert qty == "5", f"on the backend, the fill for {key} is of {qty} shares, not the first order's 5"


visible_once.before = _vis_keys


TRUSTED = {grade_id: _once_each(prefix, n) for grade_id, (prefix, n) in KEYS.items()}
TRUSTED |= {"test-replay": visible_once, "test-conflict-visible": visible_once}
