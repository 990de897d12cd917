# Wrong answer: money goes through a binary float (int(float(price) * 100)), so 0.29 becomes 28 cents and a tenth of the records no longer round-trip.
# cell: translator
# loses: test-to-modern, test-round-trip
def to_modern(record):
    """One 80-column legacy record -> one order dict in the modern JSON contract."""
    if len(record) != strangler.RECORD_LENGTH:
        raise ValueError(f"a record has {strangler.RECORD_LENGTH} columns, not {len(record)}")
    f = {fld.name: record[fld.start:fld.end] for fld in LAYOUT}

    def date(s):
        return None if s == "00000000" else f"{s[:4]}-{s[4:6]}-{s[6:]}"

    cents = int(f["UNIT-PRICE"])
    return {
        "orderId": f["ORDER-ID"].rstrip(),
        "orderDate": date(f["ORDER-DATE"]),
        "customer": {"id": f["CUST-ID"].rstrip(), "name": f["CUST-NAME"].rstrip()},
        "item": {"sku": f["SKU"].rstrip(), "quantity": int(f["QTY"]),
                 "unitPrice": f"{cents // 100}.{cents % 100:02d}"},
        "currency": f["CURRENCY"],
        "status": {"O": "OPEN", "S": "SHIPPED", "C": "CANCELLED"}[f["STATUS"]],
        "express": f["EXPRESS"] == "Y",
        "shippedOn": date(f["SHIP-DATE"]),
    }
def to_legacy(order):
    """One order dict in the modern contract -> one 80-column legacy record (or ValueError)."""
    strangler.check_contract(order)  # refuse what the record cannot hold; never truncate or round

    def date(s):
        return "00000000" if s is None else s.replace("-", "")

    cents = int(float(order["item"]["unitPrice"]) * 100)
    values = {
        "ORDER-ID": order["orderId"], "ORDER-DATE": date(order["orderDate"]),
        "CUST-ID": order["customer"]["id"], "CUST-NAME": order["customer"]["name"],
        "SKU": order["item"]["sku"], "QTY": f"{order['item']['quantity']:04d}",
        "UNIT-PRICE": f"{cents:09d}", "CURRENCY": order["currency"],
        "STATUS": {"OPEN": "O", "SHIPPED": "S", "CANCELLED": "C"}[order["status"]],
        "EXPRESS": "Y" if order["express"] else "N", "SHIP-DATE": date(order["shippedOn"]),
    }
    out = []
    for fld in LAYOUT:
        v = values[fld.name]
        if len(v) > fld.length:
            raise ValueError(f"{fld.name}: {v!r} does not fit in {fld.length} columns")
        out.append(v.ljust(fld.length))
    return "".join(out)
