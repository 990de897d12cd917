# Wrong answer: writes the events with plain puts and no condition, so a stale writer silently overwrites the versions another writer already appended (lost update).
# cell: append
# loses: test-append, test-race
def append(ddb, aggregate_id, expected_version, events):
    for i, event in enumerate(events, start=1):
        ddb.put_item(TableName=STORE, Item=eventstore.to_item(aggregate_id, expected_version + i, event))
    return expected_version + len(events)
