"""Make data/caching/: a request trace for a product catalogue and a small shop for the
single-table design of month 2, week 7.

* ``catalog.csv``   the origin's rows: product id, name, price (cents)
* ``trace.csv``     30 minutes of requests: t (seconds), op (get|put), key. Keys follow a
                    Zipf-like law (s = 1.1) over 400 ids, of which 40 do not exist in the
                    catalogue (negative caching); about 1 % of requests are writes (put).
* ``customers.csv``, ``orders.csv``, ``order_items.csv``  the shop the table is designed for;
                    customer C001 has 130 orders, so listing them needs pagination.

Seeded and byte-for-byte deterministic: ``mastery data caching [--out DIR]``.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

SEED = 7
N_KEYS = 400
N_MISSING = 40
N_REQUESTS = 3000
SPAN_S = 1800.0
ZIPF_S = 1.1
STATUSES = ["PLACED", "SHIPPED", "DELIVERED", "CANCELLED"]
SKUS = [f"SKU-{i:03d}" for i in range(1, 41)]


def _write(path: Path, header: list[str], rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write(out: Path) -> None:
    """Write ``caching/`` under ``out``."""
    rng = np.random.default_rng(SEED)
    d = out / "caching"
    keys = [f"p{i:04d}" for i in range(N_KEYS)]
    # popularity rank is shuffled against the id, and some popular ids do not exist
    order = rng.permutation(N_KEYS)
    missing = set(rng.choice(N_KEYS, size=N_MISSING, replace=False).tolist())
    catalog = [(k, f"Product {k[1:]}", int(rng.integers(199, 99_999)))
               for i, k in enumerate(keys) if i not in missing]
    _write(d / "catalog.csv", ["id", "name", "price_cents"], catalog)

    weights = 1.0 / np.arange(1, N_KEYS + 1) ** ZIPF_S
    weights /= weights.sum()
    ranks = rng.choice(N_KEYS, size=N_REQUESTS, p=weights)
    times = np.sort(rng.uniform(0, SPAN_S, size=N_REQUESTS))
    existing = [i for i in range(N_KEYS) if i not in missing]
    rows = []
    for t, r in zip(times, ranks, strict=True):
        idx = int(order[r])
        op = "get"
        if rng.random() < 0.01:
            op, idx = "put", existing[int(order[r]) % len(existing)]
        rows.append((f"{t:.3f}", op, keys[idx]))
    _write(d / "trace.csv", ["t", "op", "key"], rows)

    customers = [(f"C{i:03d}", f"Customer {i}", f"c{i}@example.com") for i in range(1, 21)]
    _write(d / "customers.csv", ["customer_id", "name", "email"], customers)
    start = datetime(2026, 1, 1)
    orders, items = [], []
    n = 0
    for cid, _, _ in customers:
        count = 130 if cid == "C001" else int(rng.integers(2, 12))
        for _ in range(count):
            n += 1
            oid = f"O{n:05d}"
            when = start + timedelta(seconds=int(rng.integers(0, 90 * 86400)))
            status = STATUSES[int(rng.integers(0, len(STATUSES)))]
            lines = int(rng.integers(1, 5))
            total = 0
            for line in range(1, lines + 1):
                sku = SKUS[int(rng.integers(0, len(SKUS)))]
                qty = int(rng.integers(1, 4))
                price = int(rng.integers(500, 5000))
                total += qty * price
                items.append((oid, line, sku, qty, price))
            orders.append((oid, cid, when.strftime("%Y-%m-%dT%H:%M:%SZ"), status, total))
    _write(d / "orders.csv", ["order_id", "customer_id", "placed_at", "status", "total_cents"], orders)
    _write(d / "order_items.csv", ["order_id", "line", "sku", "qty", "price_cents"], items)
