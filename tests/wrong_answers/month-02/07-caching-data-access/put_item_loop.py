# Wrong answer: Items are written one PutItem at a time instead of BatchWriteItem: one round trip per item, 25 times the requests.
# cell: load-items
# loses: test-batch-load
def load(table, items):
    """Write all `items` with BatchWriteItem (25 per request), retrying UnprocessedItems."""
    for item in items:
        ddb.put_item(TableName=table, Item=to_ddb(item))
