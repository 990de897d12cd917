# Wrong answer: validates only the command's own fields and never the aggregate's state, so an item can be shipped beyond its stock, shipped before it exists, or registered twice.
# cell: command-handler
# loses: test-rejected-commands
def handle(command, ddb=ddb):
    sku, kind = command.get("sku"), command.get("type")
    _, version = load(ddb, sku)
    if kind == "RegisterItem":
        if not command.get("name"):
            raise CommandRejected("an item needs a name")
        new = [{"type": "ItemRegistered", "data": {"name": command["name"]}}]
    elif kind in ("ReceiveStock", "ShipStock"):
        quantity = command.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise CommandRejected(f"quantity must be a positive whole number, not {quantity!r}")
        new = [{"type": "StockReceived" if kind == "ReceiveStock" else "StockShipped",
                "data": {"quantity": quantity}}]
    else:
        raise CommandRejected(f"unknown command {kind!r}")
    append(ddb, sku, version, new)
    recorded = [{"aggregateId": sku, "version": version + i, **e} for i, e in enumerate(new, start=1)]
    eventstore.publish(pipeline, recorded)
    return recorded
