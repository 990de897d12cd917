"""What the saga exercise's tests read back, with their own clients: executions, their
DynamoDB calls (recognised by the table and the update they make, never by a state's name),
the deployed definition, and the shop's tables.

Plumbing for the tests (never the learner's answer). A learner names the states of the saga
as they like; the grader recognises the seven steps of :func:`shop.saga_steps` by what they
do, so ``ReserveInventory`` below means "the call that takes stock", whatever its state is
called.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from dataclasses import dataclass, field

from mastery import aws, faults
from mastery.weeks.w02_saga_step_functions import shop

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
FORWARD = ("ReserveInventory", "ChargePayment", "CreateShipment", "ConfirmOrder")
COMPENSATIONS = ("RefundPayment", "ReleaseInventory", "MarkOrderFailed")
CONDITIONAL = ("ReserveInventory", "ChargePayment", "CreateShipment")  # can fail for business reasons
# what a fault rule matches in a step's request (its table is the other half)
MATCH = {"ReserveInventory": "stock - ", "ReleaseInventory": "stock + ", "ChargePayment": "balance - ",
         "RefundPayment": "balance + ", "CreateShipment": "booked + ", "ConfirmOrder": "CONFIRMED",
         "MarkOrderFailed": "FAILED"}
TABLE = {"ReserveInventory": "inventory", "ReleaseInventory": "inventory", "ChargePayment": "accounts",
         "RefundPayment": "accounts", "CreateShipment": "zones", "ConfirmOrder": "orders",
         "MarkOrderFailed": "orders"}


def _signature(action: str, params: dict) -> tuple:
    item = params.get("Item") or {}
    status = (item.get("status") or {}).get("S")
    return (action.lower(), params.get("TableName"), params.get("UpdateExpression") or status)


def step_names(tables: shop.Tables) -> dict[tuple, str]:
    """signature -> the step's name in shop.saga_steps."""
    return {_signature(s["Resource"].rsplit(":", 1)[-1], s["Parameters"]): name
            for name, s in shop.saga_steps(tables).items()}


def recognise(definition: dict, tables: shop.Tables) -> dict[str, list[tuple[str, dict]]]:
    """step -> [(state name, state)] for every Task state of ``definition`` that is that step."""
    known = step_names(tables)
    out: dict[str, list[tuple[str, dict]]] = {name: [] for name in known.values()}
    for sname, state in definition.get("States", {}).items():
        if state.get("Type") == "Task" and isinstance(state.get("Parameters"), dict):
            action = str(state.get("Resource", "")).rsplit(":", 1)[-1]
            step = known.get(_signature(action, state["Parameters"]))
            if step:
                out[step].append((sname, state))
    return out


def handler(rules: list[dict] | None, error: str) -> dict | None:
    """The first Retry (or Catch) rule that handles ``error``, as Step Functions picks it."""
    for r in rules or []:
        names = r.get("ErrorEquals", [])
        if ("States.ALL" in names or error in names
                or ("States.TaskFailed" in names and error != "States.Timeout")):
            return r
    return None


@dataclass
class Run:
    arn: str
    status: str
    error: str | None
    cause: str | None
    calls: list[tuple[str, str]] = field(default_factory=list)  # (step, "ok" or the error)
    state: dict = field(default_factory=dict)

    def attempts(self, step: str) -> int:
        return sum(s == step for s, _ in self.calls)

    def done(self, step: str) -> int:
        return sum(s == step and o == "ok" for s, o in self.calls)

    def succeeded(self) -> list[str]:
        """The steps that took effect, in order."""
        return [s for s, o in self.calls if o == "ok"]


def calls(events: list[dict], tables: shop.Tables) -> list[tuple[str, str]]:
    known = step_names(tables)
    out, open_ = [], None
    for e in events:
        if e["type"] == "TaskScheduled":
            d = e["taskScheduledEventDetails"]
            params = json.loads(d.get("parameters") or "{}")
            open_ = len(out)
            out.append((known.get(_signature(d.get("resource", ""), params), "?"), "pending"))
        elif e["type"] in ("TaskSucceeded", "TaskFailed", "TaskTimedOut") and open_ is not None:
            step = out[open_][0]
            out[open_] = (step, "ok" if e["type"] == "TaskSucceeded"
                          else (e.get("taskFailedEventDetails") or {}).get("error", e["type"]))
            open_ = None
    return out


def wait(arn: str, tables: shop.Tables, sfn=None, timeout: float = 60.0) -> Run:
    sfn = sfn or aws.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] in TERMINAL:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"execution {arn} still {d['status']} after {timeout:.0f} s")
        time.sleep(0.05)
    events = [e for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
              for e in page["events"]]
    return Run(arn, d["status"], d.get("error"), d.get("cause"), calls(events, tables), state(tables))


def state(tables: shop.Tables) -> dict[str, dict]:
    """The shop's tables, read with a fresh client (``{table: {key: item}}``)."""
    ddb = aws.client("dynamodb")
    out = {}
    for name, key in shop.KEYS.items():
        rows = aws.scan_all(getattr(tables, name), ddb=ddb)
        out[name] = {r[key]: {k: v for k, v in r.items() if k != key} for r in rows}
    return out


def fault(tables: shop.Tables, step: str, error: str, times: int = 1) -> dict:
    """A rule that makes ``step``'s DynamoDB call fail with ``error`` (``DynamoDB.X`` or ``X``)."""
    return faults.rule(getattr(tables, TABLE[step]), error.removeprefix("DynamoDB."), times,
                       contains=MATCH[step], status=500 if "InternalServer" in error else 400)


def place_and_wait(place_order, sm_arn: str, order: dict, tables: shop.Tables, rules=(),
                   timeout: float = 60.0) -> Run:
    """Start ``order`` with the learner's ``place_order`` (with injected faults, if any, and
    Retry waits shortened 100 times) and read back what happened."""
    sfn = aws.client("stepfunctions")
    ctx = faults.injected(list(rules), retry_delay_scale=0.01) if rules else contextlib.nullcontext()
    with ctx:
        arn = place_order(sfn, sm_arn, order)
        while sfn.describe_execution(executionArn=arn)["status"] not in TERMINAL:
            time.sleep(0.05)
    return wait(arn, tables, sfn, timeout)


def executions_of(sm_arn: str, order_id: str, sfn=None) -> list[str]:
    """ARNs of every execution of the state machine whose input is the order ``order_id``."""
    sfn = sfn or aws.client("stepfunctions")
    out = []
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=sm_arn):
        for e in page["executions"]:
            d = sfn.describe_execution(executionArn=e["executionArn"])
            if json.loads(d.get("input") or "{}").get("orderId") == order_id:
                out.append(e["executionArn"])
    return out


def deployed(name: str, sfn=None) -> tuple[str | None, dict | None, int]:
    """(ARN, definition, how many state machines have this exact name) as the backend has them."""
    sfn = sfn or aws.client("stepfunctions")
    found = [sm["stateMachineArn"] for page in sfn.get_paginator("list_state_machines").paginate()
             for sm in page["stateMachines"] if sm["name"] == name]
    if not found:
        return None, None, 0
    d = sfn.describe_state_machine(stateMachineArn=found[0])
    return found[0], json.loads(d["definition"]), len(found)


# ---------------------------------------------------------------- trusted checks (issue 19)
# Run by the grading process around each test cell, against the learner's emulator, with its own
# clients (mastery.grading.integrity): ``before`` lists the saga's executions already there; the
# check reads the executions the cell started, their histories and the shop's tables, and compares
# them with what the spec says, computed here. test-deploy-updates' check reads the definition the
# test's last deploy left (its Comment is the grader's marker; the rest is the learner's own).

EXERCISE = "m01-saga"  # the exercise's namespace (its setup cell)
BUSINESS_FAILED = [
    "ReserveInventory", "ChargePayment", "RefundPayment", "ReleaseInventory", "MarkOrderFailed"]


def _trusted_tables(ctx) -> shop.Tables:
    ns = ctx.namespace(EXERCISE)
    return shop.Tables(**{t: ns.name(t) for t in shop.KEYS})


def _saga_executions(ctx) -> set[str]:
    """Every execution of every state machine in the exercise's namespace (the test that the
    saga is one machine, named `name`, is test-one-state-machine's, not every test's)."""
    sfn = ctx.client("stepfunctions")
    prefix = ctx.namespace(EXERCISE).prefix + "--"
    machines = [sm["stateMachineArn"] for page in sfn.get_paginator("list_state_machines").paginate()
                for sm in page["stateMachines"] if sm["name"].startswith(prefix)]
    return {e["executionArn"] for arn in machines
            for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
            for e in page["executions"]}


def _with_executions(check):
    check.before = _saga_executions
    return check


def _new_runs(ctx, before, prefix: str, count: int) -> list[Run]:
    """The runs of orders ``prefix*`` the cell started, oldest first; exactly ``count`` of them."""
    sfn, tables = ctx.client("stepfunctions"), _trusted_tables(ctx)
    found = []
    for arn in _saga_executions(ctx) - (before or set()):
        d = sfn.describe_execution(executionArn=arn)
        try:
            oid = json.loads(d.get("input") or "{}").get("orderId", "")
        except ValueError:
            oid = ""
        if str(oid).startswith(prefix):
            found.append((d["startDate"], oid, arn))
    ids = [oid for _, oid, _ in found]
    assert len(found) == count and len(set(ids)) == count, (
        f"the backend holds {len(found)} new execution(s) of orders {prefix}* ({sorted(ids)}); "
        f"the test places {count} order(s), each started exactly once")
    runs = []
    for _, oid, arn in sorted(found):
        run = wait(arn, tables, sfn, timeout=30)
        run.order_id = oid
        runs.append(run)
    return runs


def _expect_run(run: Run, status: str | None, took_effect: list[str], what: str) -> None:
    if status == "SUCCEEDED":
        assert run.status == "SUCCEEDED", (
            f"{what}: the execution on the backend ended {run.status} / {run.error}")
    else:
        assert run.status == "FAILED" and run.error == "OrderFailed", (
            f"{what}: the execution on the backend ended {run.status} / {run.error}, "
            "not FAILED / OrderFailed")
    assert run.succeeded() == took_effect, (
        f"{what}: its history on the backend shows {run.succeeded()} taking effect, not {took_effect}")


def _expect_shop(run: Run, order_id: str | None = None, status: str | None = None, reason: str | None = None,
                 **numbers) -> None:
    s = run.state
    if order_id:
        row = s["orders"].get(order_id, {})
        assert row.get("status") == status and (reason is None or row.get("reason") == reason), (
            f"the order {order_id} on the backend is {row}, not {status} {reason or ''}")
    where = {"stock": "inventory", "balance": "accounts", "booked": "zones"}
    for key, want in numbers.items():
        field_, item = key.split("_", 1)
        got = s[where[field_]].get(item, {}).get(field_)
        assert got == want, f"the shop's {item} {field_} on the backend is {got}, not {want}"


@_with_executions
def trusted_happy_path(ctx, before) -> None:
    (run,) = _new_runs(ctx, before, "o-", 1)
    _expect_run(run, "SUCCEEDED", list(FORWARD), "a valid order")
    _expect_shop(run, run.order_id, "CONFIRMED", stock_BOOK=8, balance_ann=460, booked_EU=1)


@_with_executions
def trusted_out_of_stock(ctx, before) -> None:
    (run,) = _new_runs(ctx, before, "o-", 1)
    _expect_run(run, "FAILED", ["MarkOrderFailed"], "an order that cannot be reserved")
    assert run.attempts("ReserveInventory") == 1, "the out-of-stock reservation was retried (backend history)"
    _expect_shop(run, run.order_id, "FAILED", shop.BUSINESS_ERROR, stock_LAMP=2, balance_ann=500)


@_with_executions
def trusted_payment_declined(ctx, before) -> None:
    (run,) = _new_runs(ctx, before, "pd-", 1)
    _expect_run(run, "FAILED", ["ReserveInventory", "ReleaseInventory", "MarkOrderFailed"],
                "a declined payment")
    assert run.attempts("ChargePayment") == 1 and run.attempts("RefundPayment") == 0, (
        f"a declined payment is neither retried nor refunded; the backend history shows {run.calls}")
    _expect_shop(run, run.order_id, "FAILED", shop.BUSINESS_ERROR, balance_bob=20, stock_BOOK=10)


@_with_executions
def trusted_shipment_failure(ctx, before) -> None:
    (run,) = _new_runs(ctx, before, "sf-", 1)
    _expect_run(run, "FAILED", BUSINESS_FAILED, "a zone without couriers")
    assert run.attempts("CreateShipment") == 1, "the impossible shipment was retried (backend history)"
    _expect_shop(run, run.order_id, "FAILED", balance_ann=500, stock_BOOK=10, booked_MOON=0)


@_with_executions
def trusted_transient_retried(ctx, before) -> None:
    (ok,) = _new_runs(ctx, before, "tr-", 1)
    _expect_run(ok, "SUCCEEDED", list(FORWARD), "forward steps throttled three times each")
    (failed,) = _new_runs(ctx, before, "tc-", 1)
    _expect_run(failed, "FAILED", BUSINESS_FAILED, "compensations throttled three times each")
    _expect_shop(failed, failed.order_id, "FAILED", shop.BUSINESS_ERROR, stock_BOOK=10, balance_ann=500)


@_with_executions
def trusted_non_business(ctx, before) -> None:
    runs = _new_runs(ctx, before, "nb-", 3)
    cases = [("ReserveInventory", ["MarkOrderFailed"]),
             ("ChargePayment", ["ReserveInventory", "ReleaseInventory", "MarkOrderFailed"]),
             ("CreateShipment", BUSINESS_FAILED)]
    for run, (step, effects) in zip(runs, cases, strict=True):
        _expect_run(run, "FAILED", effects, f"{step} failing for good")
    _expect_shop(runs[-1], runs[-1].order_id, "FAILED", "DynamoDB.ValidationException",
                 stock_BOOK=10, balance_ann=500, booked_EU=0)


def trusted_one_state_machine(ctx) -> None:
    sfn = ctx.client("stepfunctions")
    prefix = ctx.namespace(EXERCISE).prefix + "--"
    mine = [sm["name"] for page in sfn.get_paginator("list_state_machines").paginate()
            for sm in page["stateMachines"] if sm["name"].startswith(prefix)]
    assert len(mine) == 1, f"the backend holds the state machines {mine}, not one saga"


@_with_executions
def trusted_duplicate_order(ctx, before) -> None:
    runs = _new_runs(ctx, before, "dup-", 2)  # two orders, one execution each
    _expect_shop(runs[-1], stock_BOOK=6, balance_ann=420)


def trusted_deploy_updates(ctx) -> None:
    """test-deploy-updates ends with the learner's deploy_saga updating the saga while more than
    100 state machines fill the account (ListStateMachines answers in pages), with a definition
    whose Comment is ``grader page <6 hex digits>``; the test leaves that definition in place
    only when the backend holds it, and restores the notebook's own otherwise."""
    _, definition, count = deployed(ctx.namespace(EXERCISE).name("order-saga"), ctx.client("stepfunctions"))
    assert count == 1 and definition, "the backend does not hold exactly one saga state machine"
    comment = str(definition.get("Comment", ""))
    assert re.fullmatch(r"grader page [0-9a-f]{6}", comment), (
        "the saga on the backend does not hold the definition the test deployed last through "
        "deploy_saga (with more than 100 state machines in the account): an existing machine's "
        "definition must be updated, and found past ListStateMachines' first page")


def trusted_retry_policy(ctx) -> None:
    _, definition, count = deployed(ctx.namespace(EXERCISE).name("order-saga"), ctx.client("stepfunctions"))
    assert count == 1 and definition, "the backend does not hold the saga's state machine"
    for step, found in recognise(definition, _trusted_tables(ctx)).items():
        assert found, f"the deployed saga on the backend has no Task state for {step}"
        for sname, st in found:
            for error in shop.TRANSIENT_ERRORS:
                r = handler(st.get("Retry"), error)
                assert r is not None and r.get("MaxAttempts", 3) >= 3 and r.get("BackoffRate", 2.0) > 1, (
                    f"{sname} on the backend does not retry {error} at least 3 times with backoff")
            if step in CONDITIONAL:
                r = handler(st.get("Retry"), shop.BUSINESS_ERROR)
                assert r is None or r.get("MaxAttempts", 3) == 0, (
                    f"{sname} on the backend retries {shop.BUSINESS_ERROR}")


TRUSTED = {
    "test-happy-path": trusted_happy_path,
    "test-out-of-stock": trusted_out_of_stock,
    "test-payment-declined": trusted_payment_declined,
    "test-shipment-failure": trusted_shipment_failure,
    "test-transient-retried": trusted_transient_retried,
    "test-non-business-failure": trusted_non_business,
    "test-one-state-machine": trusted_one_state_machine,
    "test-deploy-updates": trusted_deploy_updates,
    "test-duplicate-order": trusted_duplicate_order,
    "test-retry-policy": trusted_retry_policy,
}
