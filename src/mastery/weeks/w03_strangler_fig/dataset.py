"""Make the 'mainframe' order file for month 1, week 3 (strangler fig).

Writes ``mainframe_orders/`` (``mastery data mainframe_orders [--out DIR]``):

* ``orders.dat``  -- 300 fixed-width records, 80 columns each (one punched card), ASCII,
  the layout of ``layout.csv``: what the legacy order API speaks;
* ``layout.csv``  -- the record layout, copybook style (field, start, length, picture);
* ``orders.json`` -- the same 300 orders in the modern JSON contract (the golden file the
  translator is checked against, record for record).

Seeded and pure: the same bytes on every run. The data is invented. A few records are there
on purpose: prices whose cents a float cannot hold (0.29, 0.57, 1.13, 4.35), a name that
fills all 20 columns, orders with no ship date (zeros), and one with quantity 9999.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

SEED = 20240303
N = 300
# field, start (1-based, as a COBOL copybook counts), length, picture, meaning
LAYOUT = [
    ("ORDER-ID", 1, 10, "X(10)", "order id"),
    ("ORDER-DATE", 11, 8, "9(8)", "order date YYYYMMDD"),
    ("CUST-ID", 19, 8, "X(8)", "customer id"),
    ("CUST-NAME", 27, 20, "X(20)", "customer name, upper case, space padded on the right"),
    ("SKU", 47, 8, "X(8)", "stock keeping unit"),
    ("QTY", 55, 4, "9(4)", "quantity, zero padded"),
    ("UNIT-PRICE", 59, 9, "9(7)V99", "unit price, implied decimal point before the last 2 digits"),
    ("CURRENCY", 68, 3, "X(3)", "ISO 4217 currency code"),
    ("STATUS", 71, 1, "X(1)", "O open, S shipped, C cancelled"),
    ("EXPRESS", 72, 1, "X(1)", "Y express delivery, N standard"),
    ("SHIP-DATE", 73, 8, "9(8)", "ship date YYYYMMDD, 00000000 when not shipped"),
]
STATUS = {"O": "OPEN", "S": "SHIPPED", "C": "CANCELLED"}
FIRST = ["ANN", "BOB", "CHEN", "DIEGO", "EMMA", "FATIMA", "GRETA", "HIRO", "IVAN", "JOAO", "KEMAL", "LINA"]
LAST = ["LEE", "SMITH", "O'NEIL", "MUELLER", "GARCIA-LOPEZ", "NAKAMURA", "DUBOIS", "ROSSI", "SILVA"]
TRICKY_PRICES = ["0.29", "0.57", "1.13", "4.35", "0.01", "99999.99"]


def make_orders(rng: random.Random) -> list[dict]:
    orders = []
    start = dt.date(2024, 1, 2)
    for i in range(1, N + 1):
        day = start + dt.timedelta(days=rng.randrange(0, 360))
        status = rng.choice("OOSSSC")
        shipped = (day + dt.timedelta(days=rng.randrange(1, 6))).isoformat() if status == "S" else None
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if i == 7:
            name = "MARIA-LUISA FERREIRA"  # exactly 20 characters: no padding at all
        if i % 10 == 3:
            price = rng.choice(TRICKY_PRICES)
        else:
            price = f"{Decimal(rng.randrange(50, 250000)) / 100:.2f}"
        orders.append({
            "orderId": f"ORD{i:07d}",
            "orderDate": day.isoformat(),
            "customer": {"id": f"C{rng.randrange(1, 5000):07d}", "name": name},
            "item": {"sku": f"SKU{rng.randrange(1, 900):05d}",
                     "quantity": 9999 if i == 42 else rng.randrange(1, 25), "unitPrice": price},
            "currency": rng.choice(["EUR", "EUR", "USD", "GBP"]),
            "status": STATUS[status],
            "express": rng.random() < 0.3,
            "shippedOn": shipped,
        })
    return orders


def record(o: dict) -> str:
    cents = int(Decimal(o["item"]["unitPrice"]) * 100)
    code = {v: k for k, v in STATUS.items()}[o["status"]]
    parts = [
        o["orderId"].ljust(10), o["orderDate"].replace("-", ""), o["customer"]["id"].ljust(8),
        o["customer"]["name"].ljust(20), o["item"]["sku"].ljust(8), f"{o['item']['quantity']:04d}",
        f"{cents:09d}", o["currency"], code, "Y" if o["express"] else "N",
        (o["shippedOn"] or "0000-00-00").replace("-", ""),
    ]
    line = "".join(parts)
    assert len(line) == 80, (line, len(line))
    return line


def write(out: Path) -> None:
    """Write ``mainframe_orders/`` (records, their JSON twin, the layout) under ``out``."""
    out = out / "mainframe_orders"
    out.mkdir(parents=True, exist_ok=True)
    orders = make_orders(random.Random(SEED))
    (out / "orders.dat").write_text("".join(record(o) + "\n" for o in orders), encoding="ascii")
    (out / "orders.json").write_text(json.dumps(orders, indent=1) + "\n", encoding="ascii")
    rows = ["field,start,length,picture,meaning"] + [
        f'{f},{s},{n},{pic},"{m}"' for f, s, n, pic, m in LAYOUT
    ]
    (out / "layout.csv").write_text("\n".join(rows) + "\n", encoding="ascii")
