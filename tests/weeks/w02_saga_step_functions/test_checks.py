"""The saga grader's read-back helpers: Retry/Catch matching as Step Functions does it, steps
recognised by what they do (not by their state names), and an injected throttle seen by a Task."""

from __future__ import annotations

import copy
import uuid

import pytest

from mastery import aws, faults, workflows
from mastery.weeks.w02_saga_step_functions import checks, shop

T = shop.TRANSIENT_ERRORS
TABLES = shop.Tables("t--orders", "t--inventory", "t--accounts", "t--zones")


def test_handler_follows_the_first_matching_rule_with_the_wildcards():
    rules = [{"ErrorEquals": [T[0]], "MaxAttempts": 5},
             {"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1},
             {"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]
    assert checks.handler(rules, T[0])["MaxAttempts"] == 5
    assert checks.handler(rules, shop.BUSINESS_ERROR)["MaxAttempts"] == 1  # TaskFailed matches it
    assert checks.handler(rules, "States.Timeout")["MaxAttempts"] == 2  # TaskFailed does not
    assert checks.handler([{"ErrorEquals": [T[1]]}], T[0]) is None
    assert checks.handler(None, T[0]) is None


def test_steps_are_recognised_by_content_whatever_their_names():
    steps = shop.saga_steps(TABLES)
    renamed = {f"S{i}": copy.deepcopy(s) for i, s in enumerate(steps.values())}
    renamed["Extra"] = {"Type": "Succeed"}
    renamed["Copy"] = copy.deepcopy(steps["ReleaseInventory"])
    found = checks.recognise({"StartAt": "S0", "States": renamed}, TABLES)
    assert {k: [n for n, _ in v] for k, v in found.items()} == {
        "ReserveInventory": ["S0"], "ChargePayment": ["S1"], "CreateShipment": ["S2"], "ConfirmOrder": ["S3"],
        "RefundPayment": ["S4"], "ReleaseInventory": ["S5", "Copy"], "MarkOrderFailed": ["S6"]}
    changed = copy.deepcopy(renamed)
    changed["S0"]["Parameters"]["UpdateExpression"] = "SET stock = :q"
    assert checks.recognise({"States": changed}, TABLES)["ReserveInventory"] == []


@pytest.mark.usefixtures("local_aws")
def test_a_throttle_injected_on_dynamodb_reaches_a_task_and_its_retry():
    ns = aws.namespace("m01-saga-checks", "pytest")
    tables = shop.create_tables(ns)
    shop.seed(tables)
    retry = [{"ErrorEquals": T, "MaxAttempts": 3}]
    state = dict(shop.saga_steps(tables)["ReserveInventory"], End=True, Retry=retry)
    arn = workflows.deploy(ns.name("reserve"), {"StartAt": "R", "States": {"R": state}})
    order = shop.order(f"o-{uuid.uuid4().hex[:8]}", quantity=2)

    def place(sfn, sm_arn, o):
        return workflows.start(sm_arn, o, name=o["orderId"], sfn=sfn)

    run = checks.place_and_wait(place, arn, order, tables,
                                [checks.fault(tables, "ReserveInventory", T[1], 2)])
    assert run.status == "SUCCEEDED"
    assert run.calls == [("ReserveInventory", T[1])] * 2 + [("ReserveInventory", "ok")]
    assert run.state["inventory"]["BOOK"]["stock"] == 8
    run = checks.place_and_wait(place, arn, dict(order, orderId=order["orderId"] + "-x"), tables,
                                [checks.fault(tables, "ReserveInventory", T[0], faults.FOREVER)])
    assert run.status == "FAILED" and run.error == T[0] and run.attempts("ReserveInventory") == 4
    assert faults.status()["rules"] == []  # cleared after the run
