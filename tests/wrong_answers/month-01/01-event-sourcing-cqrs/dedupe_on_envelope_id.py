# Wrong answer: deduplicates on the EventBridge envelope id (what an idempotency key over the whole message amounts to), so the same domain event published twice in two envelopes is applied twice.
# cell: projection
# loses: test-duplicates
_seen_envelopes = set()


def projection_handler(event, context):
    for record in event["Records"]:
        envelope = json.loads(record["body"])
        if envelope["id"] in _seen_envelopes:
            continue
        e = envelope["detail"]
        values = {":v": {"N": str(e["version"])}}
        names = {}
        if e["type"] == "ItemRegistered":
            update = "SET #n = :name, onHand = :zero, version = :v"
            names["#n"] = "name"
            values.update({":name": {"S": e["data"]["name"]}, ":zero": {"N": "0"}})
        else:
            sign = 1 if e["type"] == "StockReceived" else -1
            update = "SET onHand = onHand + :d, version = :v"
            values[":d"] = {"N": str(sign * e["data"]["quantity"])}
        kwargs = {"ExpressionAttributeNames": names} if names else {}
        ddb.update_item(TableName=READ_MODEL, Key={"sku": {"S": e["aggregateId"]}}, UpdateExpression=update,
                        ExpressionAttributeValues=values, **kwargs)
        _seen_envelopes.add(envelope["id"])
    return {"batchItemFailures": []}
