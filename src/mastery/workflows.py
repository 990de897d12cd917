"""Step Functions helpers: deploy a state machine once, run executions, read their history.

The seed code of the course created a state machine for every order. A state machine is
infrastructure, like a table: create it once (or update it), then start one *execution*
per order. :func:`deploy` does exactly that and is safe to call again.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from mastery import aws

TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def find_state_machine(name: str, sfn=None) -> str | None:
    sfn = sfn or aws.client("stepfunctions")
    for page in sfn.get_paginator("list_state_machines").paginate():
        for sm in page["stateMachines"]:
            if sm["name"] == name:
                return sm["stateMachineArn"]
    return None


def deploy(name: str, definition: dict | str, sfn=None, role_arn: str | None = None) -> str:
    """Create the state machine ``name``, or update its definition if it exists. Returns its ARN."""
    sfn = sfn or aws.client("stepfunctions")
    body = definition if isinstance(definition, str) else json.dumps(definition)
    role = role_arn or aws.role_arn()
    arn = find_state_machine(name, sfn)
    if arn:
        sfn.update_state_machine(stateMachineArn=arn, definition=body, roleArn=role)
        return arn
    return sfn.create_state_machine(name=name, definition=body, roleArn=role)["stateMachineArn"]


@dataclass
class Execution:
    """A finished execution: status, input/output, and its history events."""

    arn: str
    status: str
    input: dict
    output: dict | None
    events: list[dict] = field(repr=False)
    error: str | None = None
    cause: str | None = None

    @property
    def states(self) -> list[str]:
        """Names of the states entered, in order."""
        return entered_states(self.events)

    def count(self, state: str) -> int:
        """How many times ``state``'s task was attempted (retries included)."""
        return task_attempts(self.events).get(state, 0)


def start(state_machine_arn: str, payload: dict, name: str | None = None, sfn=None) -> str:
    sfn = sfn or aws.client("stepfunctions")
    # Always name it: moto names unnamed executions "None", so a second one would collide.
    name = name or uuid.uuid4().hex
    return sfn.start_execution(stateMachineArn=state_machine_arn, name=name,
                               input=json.dumps(payload))["executionArn"]


def wait(execution_arn: str, timeout: float = 60.0, sfn=None) -> Execution:
    """Poll until the execution ends; raise TimeoutError (naming the execution) if it does not."""
    sfn = sfn or aws.client("stepfunctions")
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        d = sfn.describe_execution(executionArn=execution_arn)
        if d["status"] in TERMINAL:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"execution {execution_arn} still {d['status']} after {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    return Execution(
        arn=execution_arn,
        status=d["status"],
        input=json.loads(d.get("input") or "{}"),
        output=json.loads(d["output"]) if d.get("output") else None,
        events=history(execution_arn, sfn),
        error=d.get("error"),
        cause=d.get("cause"),
    )


def run(state_machine_arn: str, payload: dict, name: str | None = None, sfn=None) -> Execution:
    """Start an execution and wait for it to end."""
    sfn = sfn or aws.client("stepfunctions")
    return wait(start(state_machine_arn, payload, name, sfn), sfn=sfn)


def history(execution_arn: str, sfn=None) -> list[dict]:
    sfn = sfn or aws.client("stepfunctions")
    events = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        events += page["events"]
    return events


def entered_states(events: list[dict]) -> list[str]:
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def task_attempts(events: list[dict]) -> dict[str, int]:
    """State name -> number of TaskScheduled events (1 + retries)."""
    counts: dict[str, int] = {}
    current = None
    for e in events:
        if "stateEnteredEventDetails" in e:
            current = e["stateEnteredEventDetails"]["name"]
        elif e["type"] == "TaskScheduled" and current:
            counts[current] = counts.get(current, 0) + 1
    return counts


def timeline(events: list[dict]) -> list[dict]:
    """One row per state visit: name, start and end (seconds from the execution start), outcome."""
    if not events:
        return []
    t0 = events[0]["timestamp"]
    rows, open_row = [], None
    for e in events:
        t = (e["timestamp"] - t0).total_seconds()
        if "stateEnteredEventDetails" in e:
            open_row = {"state": e["stateEnteredEventDetails"]["name"], "start": t, "end": t,
                        "outcome": "ok"}
            rows.append(open_row)
        elif open_row is not None:
            open_row["end"] = t
            if e["type"] in ("TaskFailed", "ExecutionFailed", "FailStateEntered"):
                open_row["outcome"] = "failed"
    return rows


def delete_state_machines(prefix: str, sfn=None) -> int:
    """Delete every state machine whose name starts with ``prefix``; returns how many."""
    sfn = sfn or aws.client("stepfunctions")
    n = 0
    for page in sfn.get_paginator("list_state_machines").paginate():
        for sm in page["stateMachines"]:
            if sm["name"].startswith(prefix):
                try:
                    sfn.delete_state_machine(stateMachineArn=sm["stateMachineArn"])
                    n += 1
                except ClientError:
                    pass
    return n


def count_state_machines(prefix: str, sfn=None) -> int:
    sfn = sfn or aws.client("stepfunctions")
    return sum(
        sm["name"].startswith(prefix)
        for page in sfn.get_paginator("list_state_machines").paginate()
        for sm in page["stateMachines"]
    )
