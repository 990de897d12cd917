"""The course's sample shop: the tables an order saga touches, their seed data, and the
saga's steps as Step Functions tasks that call DynamoDB directly (no Lambda needed).

Forward steps and their compensations:

=================  ==========================================  =====================
step               what it does (conditional update)          compensation
=================  ==========================================  =====================
ReserveInventory   stock -= quantity   if stock >= quantity     ReleaseInventory
ChargePayment      balance -= amount   if balance >= amount     RefundPayment
CreateShipment     booked += 1         if zone exists, booked < maxParcels   (none: last step)
ConfirmOrder       order.status = CONFIRMED                     MarkOrderFailed ends a failed saga
=================  ==========================================  =====================

A failed condition is a *business* error (``DynamoDB.ConditionalCheckFailedException``):
retrying it cannot help. Throttling is a *transient* error: retrying it is right.
"""

from __future__ import annotations

from dataclasses import dataclass

from mastery import aws

BUSINESS_ERROR = "DynamoDB.ConditionalCheckFailedException"
TRANSIENT_ERRORS = [
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.ThrottlingException",
    "DynamoDB.InternalServerErrorException",
]

SEED = {
    "inventory": [{"sku": "BOOK", "stock": 10}, {"sku": "LAMP", "stock": 2}],
    "accounts": [{"customerId": "ann", "balance": 500}, {"customerId": "bob", "balance": 20}],
    "zones": [{"zone": "EU", "booked": 0, "maxParcels": 100}, {"zone": "MOON", "booked": 0, "maxParcels": 0}],
}
KEYS = {"orders": "orderId", "inventory": "sku", "accounts": "customerId", "zones": "zone"}


@dataclass(frozen=True)
class Tables:
    orders: str
    inventory: str
    accounts: str
    zones: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


def create_tables(ns: aws.Namespace) -> Tables:
    """Create (once) the four shop tables inside a namespace."""
    ddb = aws.client("dynamodb")
    return Tables(**{t: aws.ensure_table(ns.name(t), pk, ddb=ddb) for t, pk in KEYS.items()})


def seed(tables: Tables) -> None:
    """Reset the shop to its seed state: empty orders, known stock, balances and zones."""
    ddb = aws.client("dynamodb")
    for name in ("orders", *SEED):
        table = getattr(tables, name)
        for item in aws.scan_all(table, ddb=ddb):
            key = KEYS[name]
            ddb.delete_item(TableName=table, Key=aws.to_item({key: item[key]}))
        for item in SEED.get(name, []):
            ddb.put_item(TableName=table, Item=aws.to_item(item))


def state(tables: Tables) -> dict[str, dict]:
    """The shop's tables as ``{table: {key: item}}`` for showing and testing."""
    out = {}
    for name, key in KEYS.items():
        rows = aws.scan_all(getattr(tables, name))
        out[name] = {r[key]: {k: v for k, v in r.items() if k != key} for r in rows}
    return out


def _number(path: str) -> dict:
    # DynamoDB wants numbers as strings in its wire format; States.Format turns a JSON number
    # into one (JSONPath: the embedded emulator does not run JSONata).
    return {"N.$": f"States.Format('{{}}', {path})"}


def _update(table: str, key: dict, expression: str, values: dict, condition: str | None = None,
            names: dict | None = None) -> dict:
    params = {"TableName": table, "Key": key, "UpdateExpression": expression,
              "ExpressionAttributeValues": values}
    if condition:
        params["ConditionExpression"] = condition
    if names:
        params["ExpressionAttributeNames"] = names
    return {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Parameters": params, "ResultPath": None}


def saga_steps(tables: Tables) -> dict[str, dict]:
    """The saga's Task states, without ``Next``/``End``/``Catch``/``Retry``: wiring them is the
    learner's job. The input of every execution is an order::

        {"orderId": "o-1", "sku": "BOOK", "quantity": 2, "customerId": "ann",
         "amount": 30, "zone": "EU"}
    """
    t = tables
    qty, amount = _number("$.quantity"), _number("$.amount")
    return {
        "ReserveInventory": _update(t.inventory, {"sku": {"S.$": "$.sku"}},
                                    "SET stock = stock - :q", {":q": qty}, "stock >= :q"),
        "ChargePayment": _update(t.accounts, {"customerId": {"S.$": "$.customerId"}},
                                 "SET balance = balance - :a", {":a": amount}, "balance >= :a"),
        "CreateShipment": _update(t.zones, {"zone": {"S.$": "$.zone"}},
                                  "SET booked = booked + :one", {":one": {"N": "1"}},
                                  "attribute_exists(#z) AND booked < maxParcels", {"#z": "zone"}),
        "ConfirmOrder": {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
            "Parameters": {"TableName": t.orders, "Item": {
                "orderId": {"S.$": "$.orderId"}, "status": {"S": "CONFIRMED"}}},
        },
        "RefundPayment": _update(t.accounts, {"customerId": {"S.$": "$.customerId"}},
                                 "SET balance = balance + :a", {":a": amount}),
        "ReleaseInventory": _update(t.inventory, {"sku": {"S.$": "$.sku"}},
                                    "SET stock = stock + :q", {":q": qty}),
        "MarkOrderFailed": {
            "Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
            "Parameters": {"TableName": t.orders, "Item": {
                "orderId": {"S.$": "$.orderId"}, "status": {"S": "FAILED"},
                "reason": {"S.$": "$.error.Error"}}},
        },
    }


def order(order_id: str, sku: str = "BOOK", quantity: int = 1, customer: str = "ann",
          amount: int = 30, zone: str = "EU") -> dict:
    return {"orderId": order_id, "sku": sku, "quantity": quantity, "customerId": customer,
            "amount": amount, "zone": zone}
