"""The week's trusted checks (mastery.weeks.w07_caching_data_access.checks), run as the grading
process runs them: against tables on the emulator, with the grader's own clients. A table loaded
as the spec says passes; missing rows, padded rows and a wrong GSI count fail, whatever key and
attribute names the design uses."""

from __future__ import annotations

import uuid

import pytest

from mastery import aws
from mastery.grading import integrity
from mastery.weeks.w07_caching_data_access import checks

pytestmark = pytest.mark.usefixtures("local_aws")


def _items(customers, orders, lines, style):
    """The shop's rows as typed items, in the reference's layout or another design's."""
    out = []
    for c in customers.itertuples():
        out.append({"PK": f"CUSTOMER#{c.customer_id}", "SK": "PROFILE", "name": c.name, "email": c.email}
                   if style == "other" else
                   {"PK": f"CUSTOMER#{c.customer_id}", "SK": f"CUSTOMER#{c.customer_id}",
                    "customer_id": c.customer_id, "name": c.name, "email": c.email})
    for o in orders.itertuples():
        out.append({"PK": f"ORDER#{o.order_id}", "SK": "META", "GSI1PK": f"STATUS#{o.status}",
                    "GSI1SK": o.placed_at, "total_cents": int(o.total_cents)}
                   if style == "other" else
                   {"PK": f"ORDER#{o.order_id}", "SK": f"ORDER#{o.order_id}", "order_id": o.order_id,
                    "status": o.status, "total_cents": int(o.total_cents),
                    "GSI1PK": f"CUSTOMER#{o.customer_id}", "GSI1SK": o.placed_at})
    for i in lines.itertuples():
        out.append({"PK": f"ORDER#{i.order_id}", "SK": f"LINE#{int(i.line):03d}#{i.sku}"}
                   if style == "other" else
                   {"PK": f"ORDER#{i.order_id}", "SK": f"ITEM#{int(i.line):03d}", "sku": i.sku,
                    "qty": int(i.qty)})
    return [{k: ({"N": str(v)} if isinstance(v, int) else {"S": v}) for k, v in it.items()} for it in out]


@pytest.fixture
def shop():
    """(context, ddb, table name, the grader's rows) for a learner of its own."""
    learner = f"pytest-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("07-caching-data-access", learner)
    ddb = ctx.client("dynamodb")
    gsi = {"IndexName": "GSI1", "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"},
                                              {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
           "Projection": {"ProjectionType": "ALL"}}
    name = ctx.namespace(checks.EXERCISE).name(checks.SHOP)
    table = aws.ensure_table(name, "PK", "SK", gsis=[gsi], ddb=ddb)
    yield ctx, ddb, table, checks._rows()
    aws.delete_table(table, ddb=ddb)


def _load(ddb, table, items):
    for n in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": it}} for it in items[n:n + 25]]})


@pytest.mark.parametrize("style", ["reference", "other"])
def test_a_table_loaded_as_the_spec_says_passes_whatever_its_names(shop, style):
    ctx, ddb, table, rows = shop
    _load(ddb, table, _items(*rows, style))
    for gid in ("test-table-design", "test-batch-load"):
        assert integrity.run_trusted(checks.TRUSTED[gid], ctx) is None


def test_missing_rows_fail_and_fake_padding_does_not_help(shop):
    ctx, ddb, table, (customers, orders, lines) = shop
    items = _items(customers, orders, lines, "reference")
    _load(ddb, table, items[:-30])  # the last 30 order lines never written
    msg = integrity.run_trusted(checks.TRUSTED["test-table-design"], ctx)
    assert msg and "not one per customer, order and order line" in msg
    _load(ddb, table, [{"PK": {"S": f"FAKE#{n}"}, "SK": {"S": "x"}} for n in range(30)])  # count made right
    msg = integrity.run_trusted(checks.TRUSTED["test-batch-load"], ctx)
    assert msg and "order lines missing" in msg


def test_an_order_stored_with_a_wrong_total_fails(shop):
    ctx, ddb, table, (customers, orders, lines) = shop
    items = _items(customers, orders, lines, "reference")
    first_order = len(customers)
    items[first_order]["total_cents"] = {"N": "1"}
    _load(ddb, table, items)
    msg = integrity.run_trusted(checks.TRUSTED["test-table-design"], ctx)
    assert msg and orders.order_id.iloc[0] in msg


def test_no_table_is_a_failure_that_says_why():
    ctx = integrity.Context("07-caching-data-access", f"pytest-{uuid.uuid4().hex[:6]}")
    msg = integrity.run_trusted(checks.TRUSTED["test-batch-partial"], ctx)
    assert msg and "could not read" in msg and "ResourceNotFound" in msg


def test_the_trusted_checks_are_registered_for_the_notebook():
    assert set(integrity.trusted_checks("07-caching-data-access")) == {
        "test-table-design", "test-batch-load", "test-batch-partial"}
