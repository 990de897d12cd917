# Wrong answer: starts from the snapshot but then replays the whole stream from version 1, so every event before the snapshot is applied twice.
# cell: load
# loses: test-snapshot
def load(ddb, aggregate_id):
    state, version = eventstore.get_snapshot(ddb, SNAPSHOTS, aggregate_id)
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
