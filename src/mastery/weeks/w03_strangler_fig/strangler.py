"""Plumbing for the strangler-fig week (month 1, week 3): the two order services a router sits
in front of, the record layout and JSON contract they speak, feature flags in DynamoDB, HTTP API
events, and reading a CloudWatch metric back.

* :class:`LegacyOrderService` is the "mainframe": it stores and returns 80-column fixed-width
  records (layout in ``data/mainframe_orders/layout.csv``) and nothing else.
* :class:`ModernOrderService` speaks the JSON contract :data:`ORDER_SCHEMA`; it rejects a payload
  that breaks the contract and, during an :meth:`~ModernOrderService.outage`, fails like a service
  that is down (:class:`ServiceUnavailable`); its table throttled or timing out (``mastery.faults``
  injects that) is :class:`ServiceUnavailable` too.

Both keep their data in DynamoDB tables on the local backend, so a test can look at what each
side really stored. The translator and the router are the learner's work, not here.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import time
from dataclasses import dataclass, field

from mastery import aws, data, events, lambdas

RECORD_LENGTH = 80  # one IBM punched card: 80 columns
DATA_FILE = "mainframe_orders/orders.dat"
GOLDEN_FILE = "mainframe_orders/orders.json"
LAYOUT_FILE = "mainframe_orders/layout.csv"
FALLBACK_METRIC = "ModernFallback"

# The modern order contract (JSON Schema draft 2020-12). Money is a decimal *string*, never a float.
ORDER_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["orderId", "orderDate", "customer", "item", "currency", "status", "express", "shippedOn"],
    "properties": {
        "orderId": {"type": "string", "pattern": "^ORD[0-9]{7}$"},
        "orderDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "customer": {
            "type": "object", "additionalProperties": False, "required": ["id", "name"],
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 8, "pattern": r"^\S+$"},
                "name": {"type": "string", "minLength": 1, "maxLength": 20, "pattern": r"^\S(.*\S)?$"},
            },
        },
        "item": {
            "type": "object", "additionalProperties": False, "required": ["sku", "quantity", "unitPrice"],
            "properties": {
                "sku": {"type": "string", "minLength": 1, "maxLength": 8, "pattern": r"^\S+$"},
                "quantity": {"type": "integer", "minimum": 1, "maximum": 9999},
                "unitPrice": {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,6})\.[0-9]{2}$"},
            },
        },
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "status": {"enum": ["OPEN", "SHIPPED", "CANCELLED"]},
        "express": {"type": "boolean"},
        "shippedOn": {"anyOf": [{"type": "null"}, {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}]},
    },
}


class OrderNotFound(KeyError):
    """The service answered: there is no such order (an answer, not an outage)."""


class ServiceUnavailable(RuntimeError):
    """The service did not answer (HTTP 503, a timeout, a dropped connection)."""


class ContractViolation(ValueError):
    """A payload does not follow the contract it claims to follow."""


# ----------------------------------------------------------------------------- the contract


@dataclass(frozen=True)
class Field:
    name: str
    start: int  # 0-based offset into the record (the copybook counts from 1)
    length: int
    picture: str

    @property
    def end(self) -> int:
        return self.start + self.length


def layout() -> list[Field]:
    """The fixed-width record layout from ``data/mainframe_orders/layout.csv``, in column order."""
    with open(data.path(LAYOUT_FILE), newline="") as f:
        fields = [Field(r["field"], int(r["start"]) - 1, int(r["length"]), r["picture"])
                  for r in csv.DictReader(f)]
    return fields


def records() -> list[str]:
    """Every record of the legacy order file, without line ends (each is 80 characters)."""
    return data.path(DATA_FILE).read_text(encoding="ascii").splitlines()


def golden_orders() -> list[dict]:
    """The same orders in the modern contract, record for record (the golden file)."""
    return data.read_json(GOLDEN_FILE)


def contract_errors(order) -> list[str]:
    """Every way ``order`` breaks :data:`ORDER_SCHEMA` (empty when it follows the contract),
    plus a real-calendar check of the dates, which a regular expression cannot do."""
    import jsonschema

    v = jsonschema.Draft202012Validator(ORDER_SCHEMA)
    errs = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in v.iter_errors(order)]
    if not errs:
        for key in ("orderDate", "shippedOn"):
            if order[key] is not None:
                try:
                    dt.date.fromisoformat(order[key])
                except ValueError:
                    errs.append(f"{key}: {order[key]!r} is not a calendar date")
    return errs


def check_contract(order) -> None:
    """Raise :class:`ContractViolation` naming every problem, or return quietly."""
    errs = contract_errors(order)
    if errs:
        raise ContractViolation("; ".join(errs))


# ------------------------------------------------------------------------------- services


@dataclass
class _Service:
    table: str
    calls: int = 0
    _client: object = field(default=None, repr=False, compare=False)

    @property
    def ddb(self):
        if self._client is None:  # one client per service: making a client costs ~50 ms
            self._client = aws.client("dynamodb")
        return self._client

    def _get(self, order_id: str) -> dict:
        self.calls += 1
        item = self.ddb.get_item(TableName=self.table, Key={"orderId": {"S": order_id}},
                                 ConsistentRead=True).get("Item")
        if item is None:
            raise OrderNotFound(order_id)
        return item

    def _put(self, order_id: str, body: str) -> None:
        self.calls += 1
        self.ddb.put_item(TableName=self.table, Item={"orderId": {"S": order_id}, "body": {"S": body}})

    def stored(self, order_id: str) -> str | None:
        """What the table holds for ``order_id`` (raw), bypassing the service: for tests."""
        item = self.ddb.get_item(TableName=self.table, Key={"orderId": {"S": order_id}},
                                 ConsistentRead=True).get("Item")
        return item["body"]["S"] if item else None


@dataclass
class LegacyOrderService(_Service):
    """The mainframe order API: fixed-width 80-column records in, fixed-width records out."""

    def get_order(self, order_id: str) -> str:
        return self._get(order_id)["body"]["S"]

    def create_order(self, record: str) -> None:
        if not isinstance(record, str) or len(record) != RECORD_LENGTH or not record.isascii():
            raise ContractViolation(f"the mainframe takes {RECORD_LENGTH}-column ASCII records; got "
                                    f"{len(record) if isinstance(record, str) else type(record).__name__}")
        self._put(record[:10].rstrip(), record)


# what a throttled or overloaded DynamoDB answers; behind an HTTP API the caller sees a 503 or 429
_UNAVAILABLE = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                "InternalServerError", "ServiceUnavailable"}


@contextlib.contextmanager
def _unavailable_on_throttle():
    """The modern service's own store throttling or timing out (after the client's retries) is the
    service not answering: :class:`ServiceUnavailable`, as a caller over HTTP would see it."""
    from botocore.exceptions import ClientError, ReadTimeoutError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    try:
        yield
    except ClientError as e:
        if e.response.get("Error", {}).get("Code") in _UNAVAILABLE:
            raise ServiceUnavailable(f"the modern order service is throttled: {e}") from e
        raise
    except (ReadTimeoutError, BotoConnectionError) as e:
        raise ServiceUnavailable(f"the modern order service timed out: {e}") from e


@dataclass
class ModernOrderService(_Service):
    """The new order service: JSON orders that follow :data:`ORDER_SCHEMA`."""

    down: bool = field(default=False)

    def _check_up(self) -> None:
        if self.down:
            self.calls += 1
            time.sleep(0.005)
            raise ServiceUnavailable("503 Service Unavailable from the modern order service")

    def get_order(self, order_id: str) -> dict:
        self._check_up()
        with _unavailable_on_throttle():
            return json.loads(self._get(order_id)["body"]["S"])

    def create_order(self, order: dict) -> None:
        self._check_up()
        check_contract(order)
        with _unavailable_on_throttle():
            self._put(order["orderId"], json.dumps(order, sort_keys=True))

    @contextlib.contextmanager
    def outage(self):
        """Inside the ``with`` block every call fails with :class:`ServiceUnavailable`."""
        self.down = True
        try:
            yield self
        finally:
            self.down = False


class FlagStore:
    """Feature flags in a DynamoDB table, read on every call (a flip takes effect at once).

    An item: ``flag`` (key), ``enabled`` (bool), optional ``users`` (string set): when present,
    the flag is on only for those users."""

    def __init__(self, table: str):
        self.table = table
        self.reads = 0
        self.ddb = aws.client("dynamodb")

    def set(self, flag: str, enabled: bool, users: list[str] | None = None) -> None:
        item = {"flag": {"S": flag}, "enabled": {"BOOL": bool(enabled)}}
        if users:
            item["users"] = {"SS": sorted(set(users))}
        self.ddb.put_item(TableName=self.table, Item=item)

    def is_on(self, flag: str, user: str) -> bool:
        self.reads += 1
        item = self.ddb.get_item(TableName=self.table, Key={"flag": {"S": flag}},
                                 ConsistentRead=True).get("Item")
        if not item or not item["enabled"]["BOOL"]:
            return False
        return "users" not in item or user in item["users"]["SS"]


@dataclass
class Stack:
    legacy: LegacyOrderService
    modern: ModernOrderService
    flags: FlagStore
    metric_namespace: str


def create_stack(ns: aws.Namespace, seed: bool = True) -> Stack:
    """Tables for both services and the flags (created once), both services loaded with the
    order file: the legacy one with the records, the modern one with the same orders in JSON
    (as if a data migration had already copied them). Safe to run again."""
    legacy_t = aws.ensure_table(ns.name("legacy-orders"), "orderId")
    modern_t = aws.ensure_table(ns.name("modern-orders"), "orderId")
    flags_t = aws.ensure_table(ns.name("flags"), "flag")
    stack = Stack(LegacyOrderService(legacy_t), ModernOrderService(modern_t), FlagStore(flags_t),
                  metric_namespace=f"Mastery/{ns.prefix}")
    if seed:
        recs = records()
        gold = golden_orders()
        _batch_put(legacy_t, [(r[:10].rstrip(), r) for r in recs])
        _batch_put(modern_t, [(o["orderId"], json.dumps(o, sort_keys=True)) for o in gold])
    return stack


def _batch_put(table: str, rows: list[tuple[str, str]]) -> None:
    ddb = aws.client("dynamodb")
    for i in range(0, len(rows), 25):
        reqs = [{"PutRequest": {"Item": {"orderId": {"S": k}, "body": {"S": b}}}} for k, b in rows[i:i + 25]]
        pending = {table: reqs}
        for _ in range(10):
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(0.05)


# ---------------------------------------------------------------------------- Lambda shapes


def http_event(method: str, route: str, user: str, path_params: dict | None = None, body=None) -> dict:
    """An API Gateway HTTP API (payload format 2.0) event for ``route`` such as
    ``"GET /orders/{orderId}"``, from a caller whose JWT ``sub`` is ``user``."""
    template = route.split(" ", 1)[1]
    raw_path = template
    for k, v in (path_params or {}).items():
        raw_path = raw_path.replace("{" + k + "}", str(v))
    return events.http_api(method, raw_path, route=template, path_params=path_params, body=body,
                           claims={"sub": user})


def user_of(event: dict) -> str:
    """The caller's id: the ``sub`` claim the JWT authorizer put in the request context."""
    return event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"]


def LambdaContext(function_name: str = "order-router", **kwargs) -> lambdas.LambdaContext:  # noqa: N802
    """The router's Lambda context (see :mod:`mastery.lambdas`)."""
    return lambdas.lambda_context(function_name, **{"memory_limit_in_mb": 256, **kwargs})


# ------------------------------------------------------------------------------- metrics


metric_sum = aws.metric_sum  # the one CloudWatch read-back; this week reads the last hour
