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
