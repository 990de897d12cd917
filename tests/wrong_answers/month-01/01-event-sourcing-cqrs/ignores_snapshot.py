# Wrong answer: always replays the full history and never reads the snapshot, so loading gets slower and costlier with every event the aggregate ever had.
# cell: load
# loses: test-snapshot
def load(ddb, aggregate_id):
    state, version = None, 0
    kwargs = {"TableName": STORE, "ConsistentRead": True,
              "KeyConditionExpression": "aggregateId = :a",
              "ExpressionAttributeValues": {":a": {"S": aggregate_id}}}
    while True:
        page = ddb.query(**kwargs)
        for item in page["Items"]:
            event = eventstore.from_item(item)
            state, version = evolve(state, event), event["version"]
        if "LastEvaluatedKey" not in page:
            return state, version
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
