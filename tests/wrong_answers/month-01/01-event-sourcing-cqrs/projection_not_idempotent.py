# Wrong answer: applies every delivered event unconditionally, so SQS's at-least-once redelivery counts the same stock movement twice.
# cell: projection
# loses: test-duplicates
def projection_handler(event, context):
    for record in event["Records"]:
        e = json.loads(record["body"])["detail"]
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
    return {"batchItemFailures": []}
