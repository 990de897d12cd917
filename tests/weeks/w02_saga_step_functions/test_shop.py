"""The saga week's shop: its tables, seed state, and each Task state run on its own against the
backend (a one-state machine per step), so a learner's saga can only fail by its wiring."""

from __future__ import annotations

import pytest

from mastery import aws, workflows
from mastery.weeks.w02_saga_step_functions import shop

pytestmark = pytest.mark.usefixtures("local_aws")


@pytest.fixture(scope="module")
def tables():
    t = shop.create_tables(aws.namespace("m01-saga-unit", "pytest"))
    return t


@pytest.fixture
def seeded(tables):
    shop.seed(tables)
    return tables


def _run_step(tables, name: str, order: dict) -> workflows.Execution:
    """Run one Task state alone (``End``) on the backend and wait for the execution."""
    state = dict(shop.saga_steps(tables)[name], End=True)
    definition = {"StartAt": name, "States": {name: state}}
    arn = workflows.deploy(f"pytest-shop-{name}", definition)
    return workflows.run(arn, order)


def test_seed_resets_the_shop_to_its_known_state(seeded):
    s = shop.state(seeded)
    assert s["inventory"] == {"BOOK": {"stock": 10}, "LAMP": {"stock": 2}}
    assert s["accounts"] == {"ann": {"balance": 500}, "bob": {"balance": 20}}
    assert s["orders"] == {}
    aws.client("dynamodb").put_item(TableName=seeded.orders, Item=aws.to_item({"orderId": "x"}))
    shop.seed(seeded)
    assert shop.state(seeded)["orders"] == {}


def test_reserve_takes_stock_and_release_gives_it_back(seeded):
    o = shop.order("o-1", sku="BOOK", quantity=3)
    assert _run_step(seeded, "ReserveInventory", o).status == "SUCCEEDED"
    assert shop.state(seeded)["inventory"]["BOOK"]["stock"] == 7
    assert _run_step(seeded, "ReleaseInventory", o).status == "SUCCEEDED"
    assert shop.state(seeded)["inventory"]["BOOK"]["stock"] == 10


def test_a_failed_condition_is_the_business_error_and_changes_nothing(seeded):
    o = shop.order("o-2", customer="bob", amount=30)  # bob has 20
    run = _run_step(seeded, "ChargePayment", o)
    assert run.status == "FAILED" and run.error == shop.BUSINESS_ERROR
    assert shop.state(seeded)["accounts"]["bob"]["balance"] == 20


def test_order_builds_the_documented_input():
    assert shop.order("o-9") == {"orderId": "o-9", "sku": "BOOK", "quantity": 1, "customerId": "ann",
                                 "amount": 30, "zone": "EU"}
