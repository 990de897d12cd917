# Wrong answer: on ConcurrencyError re-appends the same events at the newer version without deciding again, so a shipment decided on a stale stock level drives the stock negative.
# cell: command-handler
# loses: test-stale-decision
def handle(command, ddb=ddb):
    sku, kind = command.get("sku"), command.get("type")
    state, version = load(ddb, sku)
    if kind == "RegisterItem":
        if state is not None:
            raise CommandRejected(f"{sku} is already registered")
        if not command.get("name"):
            raise CommandRejected("an item needs a name")
        new = [{"type": "ItemRegistered", "data": {"name": command["name"]}}]
    elif kind in ("ReceiveStock", "ShipStock"):
        quantity = command.get("quantity")
        if state is None:
            raise CommandRejected(f"unknown item {sku}")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise CommandRejected(f"quantity must be a positive whole number, not {quantity!r}")
        if kind == "ShipStock" and quantity > state["onHand"]:
            raise CommandRejected(f"cannot ship {quantity}: only {state['onHand']} on hand")
        new = [{"type": "StockReceived" if kind == "ReceiveStock" else "StockShipped",
                "data": {"quantity": quantity}}]
    else:
        raise CommandRejected(f"unknown command {kind!r}")
    try:
        append(ddb, sku, version, new)
    except ConcurrencyError:
        _, version = load(ddb, sku)   # "just retry": same decision, newer version
        append(ddb, sku, version, new)
    recorded = [{"aggregateId": sku, "version": version + i, **e} for i, e in enumerate(new, start=1)]
    eventstore.publish(pipeline, recorded)
    return recorded
