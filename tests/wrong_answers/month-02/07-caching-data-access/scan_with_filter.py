# Wrong answer: A customer's orders are found with a Scan and a FilterExpression, which reads (and bills) every item in the table to return a few.
# cell: access-patterns
# loses: test-access-patterns, test-pagination
def get_customer(table, customer_id):
    """AP1: the customer's profile as a dict (with "name" and "email"), or None."""
    key = {"PK": {"S": f"CUSTOMER#{customer_id}"}, "SK": {"S": f"CUSTOMER#{customer_id}"}}
    item = ddb.get_item(TableName=table, Key=key).get("Item")
    return from_ddb(item) if item else None


def customer_orders(table, customer_id, page_size=50):
    """AP2: ids of all the customer's orders, newest first, read `page_size` items per request."""
    rows, kwargs = [], {
        "TableName": table, "FilterExpression": "customer_id = :c AND #t = :o",
        "ExpressionAttributeNames": {"#t": "type"},
        "ExpressionAttributeValues": {":c": {"S": customer_id}, ":o": {"S": "order"}},
    }
    while True:  # the filter is applied AFTER every item of the table is read
        page = ddb.scan(**kwargs)
        rows += [from_ddb(it) for it in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return [r["order_id"] for r in sorted(rows, key=lambda r: r["placed_at"], reverse=True)]
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def order_with_items(table, order_id):
    """AP3: {"order_id", "status", "total_cents", "skus": [sku of each line, in line order]}."""
    page = ddb.query(TableName=table, KeyConditionExpression="PK = :pk",
                     ExpressionAttributeValues={":pk": {"S": f"ORDER#{order_id}"}})
    rows = [from_ddb(it) for it in page["Items"]]
    order = next(r for r in rows if r["type"] == "order")
    lines = sorted((r for r in rows if r["type"] == "item"), key=lambda r: r["line"])
    return {"order_id": order_id, "status": order["status"], "total_cents": order["total_cents"],
            "skus": [r["sku"] for r in lines]}


def orders_by_status(table, status, start, end):
    """AP4: ids of the orders with `status` placed in [start, end] (ISO strings), oldest first."""
    ids, kwargs = [], {
        "TableName": table, "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":pk": {"S": f"STATUS#{status}"}, ":a": {"S": start},
                                      ":b": {"S": end + "\uffff"}},
    }
    while True:
        page = ddb.query(**kwargs)
        ids += [from_ddb(it)["order_id"] for it in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return ids
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
