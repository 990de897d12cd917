# Wrong answer: checks the current version with a read and then writes without a condition, so a writer that commits between the read and the write is overwritten: both racers "win".
# cell: append
# loses: test-race, test-stale-decision
def append(ddb, aggregate_id, expected_version, events):
    current = ddb.query(TableName=STORE, ConsistentRead=True, ScanIndexForward=False, Limit=1,
                        KeyConditionExpression="aggregateId = :a",
                        ExpressionAttributeValues={":a": {"S": aggregate_id}})["Items"]
    head = int(current[0]["version"]["N"]) if current else 0
    if head != expected_version:
        raise ConcurrencyError(aggregate_id, expected_version)
    for i, event in enumerate(events, start=1):
        ddb.put_item(TableName=STORE, Item=eventstore.to_item(aggregate_id, expected_version + i, event))
    return expected_version + len(events)
