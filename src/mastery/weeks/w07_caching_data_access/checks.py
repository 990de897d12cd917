"""Trusted checks of the week-7 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its test cell, against the learner's emulator,
with its own clients and its own expected values (the course's CSV files, read here): what the
learner's kernel prints, rebinds or replaces (``len``, ``aws.scan_all``) cannot change them.

The spec fixes no key or attribute names for the single table ("one item per row, with your
keys"), so the checks look for each row's *values*: a customer's name and e-mail, an order's id,
status and total, an order line's order id and SKU, each in an item of its own, and exactly one
item per row. The cache tests (L1, Redis, the origin) call the learner's classes and stay in the
kernel; Redis there is an in-kernel fakeredis the grader cannot read.
"""

from __future__ import annotations

import collections
import re

from mastery.grading import integrity

EXERCISE = "m02-caching"  # the exercise's namespace (its setup cell)
SHOP, PARTIAL = "shop", "shop-partial"  # the tables the harness and test-batch-partial create
PARTIAL_ROWS = (4, 20, 41)  # test-batch-partial loads the first customers, orders and lines
_ORDER_ID = re.compile(r"O\d{5}")  # the shop's order ids (O00001)


def _rows(heads: tuple[int, int, int] | None = None):
    from mastery import data

    frames = [data.read_csv(f"caching/{n}.csv") for n in ("customers", "orders", "order_items")]
    if heads:
        frames = [f.head(n) for f, n in zip(frames, heads, strict=True)]
    return frames


def _values(item: dict) -> set[str]:
    """The scalar values of a typed DynamoDB item, as strings (numbers without a trailing .0)."""
    out = set()
    for v in item.values():
        if "S" in v:
            out.add(v["S"])
        elif "N" in v:
            n = v["N"]
            out.add(n[:-2] if n.endswith(".0") else n)
    return out


def _scan(ddb, table: str) -> list[dict]:
    return integrity.scan_items(ddb, table)


def _holds_rows(ddb, table: str, heads=None) -> None:
    """One item per row of the shop's three tables (or their first ``heads`` rows), found by value."""
    customers, orders, lines = _rows(heads)
    items = [_values(i) for i in _scan(ddb, table)]
    want = len(customers) + len(orders) + len(lines)
    assert len(items) == want, (
        f"the table {table} holds {len(items)} items on the backend, not one per customer, order and "
        f"order line ({want})")
    by_value = collections.defaultdict(set)  # value -> items holding it
    by_order = collections.defaultdict(set)  # order id -> items with a value naming it
    for n, vals in enumerate(items):
        for v in vals:
            by_value[v].add(n)
            for order_id in _ORDER_ID.findall(v):
                by_order[order_id].add(n)

    def naming(candidates, text):
        return {n for n in candidates if any(text in v for v in items[n])}

    lost = [c.customer_id for c in customers.itertuples() if not by_value[c.name] & by_value[c.email]]
    assert not lost, f"no item on the backend holds the name and e-mail of customer(s) {lost[:5]}"
    lost = [o.order_id for o in orders.itertuples()
            if not naming(by_order[o.order_id] & by_value[str(int(o.total_cents))], o.status)]
    assert not lost, f"no item on the backend holds the id, status and total of order(s) {lost[:5]}"
    need = collections.Counter((r.order_id, r.sku) for r in lines.itertuples())
    lost = [k for k, count in need.items() if len(naming(by_order[k[0]], k[1])) < count]
    assert not lost, f"order lines missing on the backend (order, sku): {lost[:5]}"


def _gsis(ddb, table: str) -> list[str]:
    desc = ddb.describe_table(TableName=table)["Table"]
    return [g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])]


def table_design(ctx) -> None:
    """test-table-design: the one table holds one item per row, and has 1 to 5 GSIs."""
    ddb, table = ctx.client("dynamodb"), ctx.namespace(EXERCISE).name(SHOP)
    _holds_rows(ddb, table)
    gsis = _gsis(ddb, table)
    assert 1 <= len(gsis) <= 5, f"the table {table} has the GSIs {gsis} on the backend (1 to 5 expected)"


def batch_load(ctx) -> None:
    """test-batch-load: loading again leaves every row in the table, once."""
    _holds_rows(ctx.client("dynamodb"), ctx.namespace(EXERCISE).name(SHOP))


def batch_partial(ctx) -> None:
    """test-batch-partial: every item of the sample reached the table despite the partial results."""
    _holds_rows(ctx.client("dynamodb"), ctx.namespace(EXERCISE).name(PARTIAL), PARTIAL_ROWS)


TRUSTED = {
    "test-table-design": table_design,
    "test-batch-load": batch_load,
    "test-batch-partial": batch_partial,
}
