"""Make the local DynamoDB fail on purpose, as production does: throttling, internal errors.

For graders and lessons. The embedded emulator (``mastery.emulator``) answers the next *n*
DynamoDB calls that match a rule with an AWS error instead of doing them. Step Functions'
DynamoDB integration calls the same emulator, so a saga's Task sees a real
``DynamoDB.ThrottlingException`` and its ``Retry``/``Catch`` decide what happens::

    with faults.injected([faults.rule(tables.inventory, times=3)], retry_delay_scale=0.01):
        ...  # the next 3 calls on the inventory table are throttled; Retry waits are 100x shorter

LocalStack has no such switch: there :func:`injected` raises :class:`FaultsUnavailable`.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request

from mastery import backend
from mastery.emulator import FAULTS_PATH
from mastery.errors import MasteryError

FOREVER = 1_000_000


class FaultsUnavailable(MasteryError):
    """The backend cannot inject faults (LocalStack, or an emulator older than this course)."""


def rule(table: str, error: str = "ThrottlingException", times: int = 1, contains: str = "",
         operation: str = "", status: int = 400) -> dict:
    """The next ``times`` calls of ``operation`` (any if empty) on ``table`` whose request
    contains ``contains`` fail with ``error``."""
    return {"table": table, "error": error, "times": times, "contains": contains,
            "operation": operation, "status": status}


def _call(method: str, payload: dict | None = None) -> dict:
    h = backend.require()
    if h.kind != "embedded":
        raise FaultsUnavailable("injected faults need the embedded emulator (`mastery up` without "
                                "LocalStack running); LocalStack has no switch for them")
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(backend.endpoint() + FAULTS_PATH, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise FaultsUnavailable("this emulator has no fault switch: restart it "
                                    "(`mastery down && mastery up`)") from exc
        raise


def inject(rules: list[dict], retry_delay_scale: float | None = None) -> dict:
    payload: dict = {"rules": rules}
    if retry_delay_scale is not None:
        payload["retry_delay_scale"] = retry_delay_scale
    return _call("POST", payload)


def status() -> dict:
    """The rules in force, each with how many calls it ``failed`` so far."""
    return _call("GET")


def clear() -> None:
    _call("DELETE")


@contextlib.contextmanager
def injected(rules: list[dict], retry_delay_scale: float | None = None):
    """Inject ``rules`` for the ``with`` block; yields a function that returns :func:`status`."""
    clear()
    inject(rules, retry_delay_scale)
    try:
        yield status
    finally:
        clear()
