"""Plumbing for cost analytics: FOCUS billing data, EC2 utilization, Lambda logs, prices.

The generators here make the course's synthetic billing data (``data/make_cost_analytics.py``
calls them) and, with another seed and company, the *hidden* second data set the exercise is
graded on. Column names are those of the FinOps Foundation's FOCUS 1.2 specification
(https://focus.finops.org/focus-specification/v1-2/): analysis code must select columns by
name, never by position, because :func:`make_focus` can shuffle them.

The learner's analyses (allocation, the Lambda bill, power tuning, rightsizing, break-even,
anomaly detection) are *not* here; only data, loaders and cited price constants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mastery import data
from mastery.errors import MasteryError

# ------------------------------------------------------------------------------ prices
# AWS Lambda, us-east-1, https://aws.amazon.com/lambda/pricing/ (first pricing tier; figures
# as published on that page in 2025; re-check the page before quoting them to a customer).
LAMBDA_PRICING_URL = "https://aws.amazon.com/lambda/pricing/"
LAMBDA_GB_SECOND_USD = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
LAMBDA_REQUEST_USD = 0.20 / 1_000_000
LAMBDA_FREE_REQUESTS = 1_000_000          # per month, all architectures together
LAMBDA_FREE_GB_SECONDS = 400_000          # per month, all architectures together
LAMBDA_BILLING_GRANULARITY_MS = 1         # rounded up to the next ms since December 2020

# EC2 On-Demand Linux, us-east-1, https://aws.amazon.com/ec2/pricing/on-demand/ (2025)
EC2_PRICING_URL = "https://aws.amazon.com/ec2/pricing/on-demand/"
EC2_HOURLY_USD = {
    "t3.medium": 0.0416, "t3.large": 0.0832, "t3.xlarge": 0.1664, "t3.2xlarge": 0.3328,
    "m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768,
    "c5.large": 0.085, "c5.xlarge": 0.17, "c5.2xlarge": 0.34, "c5.4xlarge": 0.68,
    "r5.large": 0.126, "r5.xlarge": 0.252, "r5.2xlarge": 0.504,
}
# AWS's pricing calculator turns hourly prices into monthly ones with 730 hours a month
# (https://docs.aws.amazon.com/pricing-calculator/latest/userguide/pricing-assumptions.html).
HOURS_PER_MONTH = 730
SIZES = ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge",
         "12xlarge", "16xlarge", "24xlarge"]

FOCUS_SPEC_URL = "https://focus.finops.org/focus-specification/v1-2/"
FOCUS_COLUMNS = [
    "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodStart",
    "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory",
    "ChargeFrequency", "ChargeDescription", "ProviderName", "ServiceCategory", "ServiceName",
    "RegionId", "SubAccountId", "ResourceId", "ResourceType", "PricingCategory", "PricingUnit",
    "PricingQuantity", "ListUnitPrice", "ConsumedQuantity", "ConsumedUnit", "ListCost",
    "BilledCost", "EffectiveCost", "CommitmentDiscountId", "CommitmentDiscountType",
    "CommitmentDiscountStatus", "Tags",
]


def size_step(instance_type: str, step: int) -> str | None:
    """The type ``step`` sizes up (+1) or down (-1) in the same family, if AWS sells it here."""
    family, size = instance_type.split(".", 1)
    i = SIZES.index(size) + step
    if not 0 <= i < len(SIZES):
        return None
    other = f"{family}.{SIZES[i]}"
    return other if other in EC2_HOURLY_USD else None


def tags(series: pd.Series) -> pd.DataFrame:
    """FOCUS ``Tags`` (a JSON object per row; empty, ``NULL``, JSON ``null`` or missing when
    untagged) as one column per key, with the series' index. A value that is not a JSON object
    raises :class:`BillingDataError` naming its row."""
    parsed = []
    for pos, (label, t) in enumerate(series.items(), 1):
        try:
            parsed.append(_tag_object(t))
        except ValueError as e:
            raise BillingDataError(f"Tags, row {pos} (index {label!r}): {e}") from None
    return pd.DataFrame(parsed, index=series.index)


def _tag_object(t) -> dict:
    """One ``Tags`` cell as a dict ({} when untagged); ValueError if it is not a JSON object."""
    if t is None or (isinstance(t, float) and np.isnan(t)) or t is pd.NA:
        return {}
    if not isinstance(t, str):
        raise ValueError(f"{t!r} is not a JSON object")
    text = t.strip()
    if text in NULL_TOKENS:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{_short(t)} is not valid JSON ({e.msg} at character {e.pos})") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{_short(t)} is JSON but not an object of key-value pairs")
    return value


def _short(text: str, n: int = 60) -> str:
    return repr(text if len(text) <= n else text[:n] + "...")


# ------------------------------------------------------------------------ FOCUS billing


@dataclass(frozen=True)
class Resource:
    service: str
    category: str
    rtype: str
    rid: str
    team: str | None
    env: str | None
    daily_usd: float          # list cost per weekday at the start
    unit: str
    unit_price: float
    weekly: bool = True       # traffic-driven: weekends cost 25 % less
    committed: bool = False   # covered by the Savings Plan once bought


_EC2 = "Amazon Elastic Compute Cloud"

COMPANIES = {
    "acme": {
        "name": "Acme Outfitters", "account": "111122223333",
        "resources": [
            Resource(_EC2, "Compute", "Instance", "i-0a11checkout", "checkout", "prod",
                     92.0, "Hrs", 0.192, committed=True),
            Resource(_EC2, "Compute", "Instance", "i-0a12search", "search", "prod",
                     61.0, "Hrs", 0.17, committed=True),
            Resource(_EC2, "Compute", "Instance", "i-0a13staging", "checkout", "staging",
                     18.0, "Hrs", 0.096, weekly=False),
            Resource("AWS Lambda", "Compute", "Function", "checkout-api", "checkout", "prod",
                     24.0, "GB-Seconds", 0.0000166667),
            Resource("AWS Lambda", "Compute", "Function", "resize-image", "catalog", "prod",
                     15.0, "GB-Seconds", 0.0000166667),
            Resource("Amazon DynamoDB", "Databases", "Table", "orders", "checkout", "prod",
                     33.0, "ReadRequestUnits", 0.000000125),
            Resource("Amazon DynamoDB", "Databases", "Table", "catalog", "catalog", "prod",
                     12.0, "ReadRequestUnits", 0.000000125),
            Resource("Amazon Simple Storage Service", "Storage", "Bucket", "acme-media", "catalog", "prod",
                     21.0, "GB-Mo", 0.023, weekly=False),
            Resource("Amazon Simple Storage Service", "Storage", "Bucket", "acme-logs", None, None,
                     9.0, "GB-Mo", 0.023, weekly=False),
            Resource("Amazon Virtual Private Cloud", "Networking", "NAT Gateway", "nat-0acme", None, None,
                     14.0, "Hrs", 0.045, weekly=False),
            Resource("Amazon CloudWatch", "Management and Governance", "Log Group", "/aws/lambda/checkout",
                     "checkout", "prod", 7.0, "GB", 0.50),
            Resource("Amazon OpenSearch Service", "Analytics", "Domain", "search-prod", "search", "prod",
                     38.0, "Hrs", 0.167, weekly=False),
            Resource("Amazon OpenSearch Service", "Analytics", "Domain", "search-dev", "search", "dev",
                     8.0, "Hrs", 0.036, weekly=False),
        ],
        # (day, ResourceId, multiplier): a runaway loop, a hot partition scan, a log storm
        "anomalies": [("2026-02-17", "resize-image", 3.5), ("2026-04-09", "orders", 3.0),
                      ("2026-06-22", "/aws/lambda/checkout", 6.0)],
        "savings_plan": "2026-03-01",
    },
    "globex": {
        "name": "Globex Logistics", "account": "444455556666",
        "resources": [
            Resource(_EC2, "Compute", "Instance", "i-0b21routing", "routing", "prod",
                     140.0, "Hrs", 0.384, committed=True),
            Resource(_EC2, "Compute", "Instance", "i-0b22dev", "routing", "dev",
                     22.0, "Hrs", 0.0832, weekly=False),
            Resource("AWS Lambda", "Compute", "Function", "track-parcel", "tracking", "prod",
                     48.0, "GB-Seconds", 0.0000133334),
            Resource("Amazon DynamoDB", "Databases", "Table", "parcels", "tracking", "prod",
                     55.0, "WriteRequestUnits", 0.000000625),
            Resource("Amazon Simple Queue Service", "Integration", "Queue", "scans", "tracking", "prod",
                     11.0, "Requests", 0.0000004),
            Resource("Amazon Simple Storage Service", "Storage", "Bucket", "globex-archive", "billing",
                     "prod", 30.0, "GB-Mo", 0.023, weekly=False),
            Resource("Amazon Relational Database Service", "Databases", "DB Instance", "billing-db",
                     "billing", "prod", 64.0, "Hrs", 0.36, weekly=False),
            Resource("Amazon Virtual Private Cloud", "Networking", "NAT Gateway", "nat-0globex", None, None,
                     19.0, "Hrs", 0.045, weekly=False),
            Resource("Amazon CloudWatch", "Management and Governance", "Log Group", "/aws/lambda/track",
                     "tracking", "prod", 6.0, "GB", 0.50),
        ],
        "anomalies": [("2026-01-28", "scans", 4.0), ("2026-03-15", "billing-db", 2.5),
                      ("2026-05-05", "track-parcel", 3.0)],
        "savings_plan": "2026-02-01",
    },
}
SAVINGS_PLAN_DISCOUNT = 0.28    # illustrative: the Compute Savings Plan rate is 28 % below On-Demand
GROWTH_PER_DAY = 0.0006         # about 2 % a month


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_focus(seed: int = 9, company: str = "acme", start: str = "2026-01-01", months: int = 7,
               shuffle_columns: bool = False) -> pd.DataFrame:
    """Daily FOCUS 1.2 cost rows of a fictional company: usage by resource, a Savings Plan
    bought up front (a ``Purchase`` row; covered usage then has ``BilledCost`` 0 and an
    amortised ``EffectiveCost``), untagged spend, weekly seasonality, growth and a few anomalies.
    Deterministic for a given seed; ``shuffle_columns`` permutes the column order."""
    spec = COMPANIES[company]
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=int((pd.Timestamp(start) + pd.DateOffset(months=months)
                                             - pd.Timestamp(start)).days), freq="D")
    sp_day = pd.Timestamp(spec["savings_plan"])
    sp_id = f"arn:aws:savingsplans::{spec['account']}:savingsplan/sp-{company}-0001"
    anomalies = {(pd.Timestamp(d), rid): m for d, rid, m in spec["anomalies"]}
    rows = []
    committed_daily = 0.0
    for i, day in enumerate(days):
        period_start = day.replace(day=1)
        period_end = period_start + pd.DateOffset(months=1)
        common = {
            "BillingAccountId": spec["account"], "BillingAccountName": spec["name"],
            "BillingCurrency": "USD", "BillingPeriodStart": _iso(period_start),
            "BillingPeriodEnd": _iso(period_end), "ChargePeriodStart": _iso(day),
            "ChargePeriodEnd": _iso(day + pd.Timedelta(days=1)), "ProviderName": "AWS",
            "RegionId": "us-east-1", "SubAccountId": spec["account"],
        }
        noise = rng.uniform(-0.02, 0.02, size=len(spec["resources"]))
        for r, eps in zip(spec["resources"], noise, strict=True):
            factor = (1 + GROWTH_PER_DAY) ** i * (1 + eps)
            if r.weekly and day.day_of_week >= 5:
                factor *= 0.75
            factor *= anomalies.get((day, r.rid), 1.0)
            list_cost = round(r.daily_usd * factor, 4)
            covered = r.committed and day >= sp_day
            effective = round(list_cost * (1 - SAVINGS_PLAN_DISCOUNT), 4) if covered else list_cost
            if covered and day == sp_day:
                committed_daily += effective
            qty = round(list_cost / r.unit_price, 4)
            t = json.dumps({"team": r.team, "env": r.env}, sort_keys=True) if r.team else "{}"
            rows.append({**common,
                         "ChargeCategory": "Usage", "ChargeFrequency": "Usage-Based",
                         "ChargeDescription": f"{r.service} {r.unit} in us-east-1",
                         "ServiceCategory": r.category, "ServiceName": r.service,
                         "ResourceId": r.rid, "ResourceType": r.rtype,
                         "PricingCategory": "Committed" if covered else "Standard",
                         "PricingUnit": r.unit, "PricingQuantity": qty, "ListUnitPrice": r.unit_price,
                         "ConsumedQuantity": qty, "ConsumedUnit": r.unit, "ListCost": list_cost,
                         "BilledCost": 0.0 if covered else list_cost, "EffectiveCost": effective,
                         "CommitmentDiscountId": sp_id if covered else "",
                         "CommitmentDiscountType": "Compute Savings Plan" if covered else "",
                         "CommitmentDiscountStatus": "Used" if covered else "", "Tags": t})
        if day == sp_day:
            upfront = round(365 * committed_daily, 2)
            rows.append({**common,
                         "ChargeCategory": "Purchase", "ChargeFrequency": "One-Time",
                         "ChargeDescription": "1 year All Upfront Compute Savings Plan",
                         "ServiceCategory": "Compute", "ServiceName": "Savings Plans for AWS Compute usage",
                         "ResourceId": sp_id, "ResourceType": "Savings Plan", "PricingCategory": "Committed",
                         "PricingUnit": "Commitment", "PricingQuantity": 1.0, "ListUnitPrice": upfront,
                         "ConsumedQuantity": np.nan, "ConsumedUnit": "", "ListCost": upfront,
                         "BilledCost": upfront, "EffectiveCost": 0.0, "CommitmentDiscountId": sp_id,
                         "CommitmentDiscountType": "Compute Savings Plan", "CommitmentDiscountStatus": "",
                         "Tags": "{}"})
    df = pd.DataFrame(rows, columns=FOCUS_COLUMNS)
    if shuffle_columns:
        order = list(df.columns)
        np.random.default_rng(seed + 1).shuffle(order)
        df = df[order]
    return df


def planted_anomalies(company: str = "acme") -> set[tuple[str, str]]:
    """The (day, ServiceName) pairs the generator made anomalous, as ISO dates."""
    spec = COMPANIES[company]
    service = {r.rid: r.service for r in spec["resources"]}
    return {(d, service[rid]) for d, rid, _ in spec["anomalies"]}


def make_orders(seed: int = 9, start: str = "2026-01-01", months: int = 7) -> pd.DataFrame:
    """Monthly orders (the business metric for unit cost): growth plus noise."""
    rng = np.random.default_rng(seed + 100)
    month = pd.date_range(start, periods=months, freq="MS")
    orders = (120_000 * 1.03 ** np.arange(months) * rng.uniform(0.95, 1.05, months)).round().astype(int)
    return pd.DataFrame({"month": month.strftime("%Y-%m"), "orders": orders})


# ---------------------------------------------------------------- utilization and logs

EC2_FLEET = [  # (InstanceId, InstanceType, mean CPU %, spike height %, spike probability per hour)
    ("i-0a11checkout", "m5.xlarge", 14.0, 0.0, 0.0),     # steadily idle: downsize
    ("i-0a12search", "c5.xlarge", 48.0, 0.0, 0.0),       # busy enough: keep
    ("i-0a13staging", "m5.large", 4.0, 0.0, 0.0),        # idle, but already the family's smallest
    ("i-0a14batch", "c5.2xlarge", 18.0, 70.0, 0.12),     # low mean, nightly peaks near 90 %: upsize
    ("i-0a15api", "t3.xlarge", 86.0, 0.0, 0.0),          # saturated: upsize
    ("i-0a16worker", "r5.xlarge", 22.0, 25.0, 0.10),     # mean 24 %, peaks below 80 %: keep
    ("i-0a17cache", "r5.2xlarge", 9.0, 8.0, 0.05),       # idle: downsize
    ("i-0a18report", "m5.2xlarge", 35.0, 10.0, 0.2),     # keep
]


def make_ec2_utilization(seed: int = 9, days: int = 14, start: str = "2026-07-01",
                         fleet=EC2_FLEET) -> pd.DataFrame:
    """Hourly CloudWatch ``CPUUtilization`` (Average, percent) of an EC2 fleet."""
    rng = np.random.default_rng(seed + 200)
    hours = pd.date_range(start, periods=24 * days, freq="h")
    frames = []
    for iid, itype, mean, spike, p in fleet:
        base = mean * (1 + 0.15 * np.sin(2 * np.pi * (hours.hour - 9) / 24)) + rng.normal(0, 2, len(hours))
        peaks = rng.random(len(hours)) < p
        cpu = np.clip(base + peaks * spike, 0.5, 100.0).round(2)
        frames.append(pd.DataFrame({"Timestamp": hours.strftime("%Y-%m-%dT%H:%M:%SZ"), "InstanceId": iid,
                                    "InstanceType": itype, "CPUUtilization": cpu}))
    return pd.concat(frames, ignore_index=True)


LAMBDA_FUNCTIONS = [  # (FunctionName, Architecture, MemorySize MB, median duration ms, sigma)
    ("checkout-api", "arm64", 512, 118.0, 0.35),
    ("resize-image", "x86_64", 1536, 640.0, 0.25),
    ("report-export", "x86_64", 2048, 3100.0, 0.4),
]


def make_lambda_invocations(seed: int = 9, n: int = 2000, start: str = "2026-07-01",
                            functions=LAMBDA_FUNCTIONS) -> pd.DataFrame:
    """Per-invocation REPORT lines (Duration in ms, 2 decimals, as Lambda logs it) of a few functions."""
    rng = np.random.default_rng(seed + 300)
    frames = []
    t0 = pd.Timestamp(start)
    for name, arch, mem, median, sigma in functions:
        dur = (median * np.exp(rng.normal(0, sigma, n))).round(2)
        secs = np.sort(rng.uniform(0, 30 * 86400, n)).astype(int)
        frames.append(pd.DataFrame({
            # "...Z" straight from numpy (timezone="UTC"): a fifth of the time of appending the "Z"
            "Timestamp": np.datetime_as_string(np.datetime64(t0) + secs.astype("timedelta64[s]"), unit="s",
                                               timezone="UTC"),
            "FunctionName": name, "Architecture": arch, "MemorySize": mem, "Duration": dur}))
    return pd.concat(frames, ignore_index=True)


# mean durations (ms) of two kinds of function in power-tuning runs. Lambda gives CPU in proportion
# to memory (one full vCPU at 1,769 MB; Lambda Developer Guide, "Configure Lambda function memory"),
# so CPU-bound work speeds up with memory until it runs out of parallelism, and small sizes pay
# extra for garbage collection and swapping: the cost curve has a minimum in the middle.
POWER_PROFILES = {
    "image": {128: 11000.0, 256: 4800.0, 512: 2000.0, 1024: 820.0, 1536: 600.0, 2048: 480.0, 3008: 400.0},
    "json": {128: 1400.0, 256: 520.0, 512: 240.0, 1024: 130.0, 1536: 100.0, 2048: 92.0, 3008: 90.0},
}
TUNING_MEMORY = [128, 256, 512, 1024, 1536, 2048, 3008]


def make_power_tuning(seed: int = 9, profile: str = "image", runs: int = 30,
                      memory=TUNING_MEMORY, architecture: str = "x86_64") -> pd.DataFrame:
    """Durations of ``runs`` invocations per memory size, as AWS Lambda Power Tuning collects them."""
    rng = np.random.default_rng(seed + 400)
    p = POWER_PROFILES[profile]
    frames = []
    for mem in memory:
        mean = p[mem]
        dur = (mean * rng.uniform(0.94, 1.06, runs)).round(2)
        frames.append(pd.DataFrame({"MemorySize": mem, "Architecture": architecture, "Duration": dur}))
    return pd.concat(frames, ignore_index=True)


# ----------------------------------------------------------------------------- loaders

FOLDER = "cost_analytics"


# ------------------------------------------------------------------ any FOCUS export

SAMPLE_FOLDER = "focus-1.0-sample"          # the FinOps Foundation's public sample (CC BY 4.0)
NULL_TOKENS = ("", "NULL")                  # how FOCUS CSV exports write a null cell
# FOCUS 1.0-1.2 columns whose values are decimals; every other column is kept as text (account
# ids that look numeric keep their leading zeros), and the four period columns become timestamps.
FOCUS_NUMERIC = (
    "BilledCost", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice",
    "PricingQuantity", "ConsumedQuantity", "CommitmentDiscountQuantity",
    "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice",
)
FOCUS_TIMESTAMPS = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
# what the week's analyses need in every row (FOCUS: "MUST NOT be null" for each of them)
FOCUS_REQUIRED = ("ChargePeriodStart", "ServiceName", "BilledCost", "EffectiveCost")


class BillingDataError(MasteryError, ValueError):
    """A billing file or table that cannot be analysed as it is; the message names the row and
    the column, and what a FOCUS file has there instead."""


def load_billing(path=None) -> pd.DataFrame:
    """A FOCUS billing export (1.0, 1.1 or 1.2; CSV, optionally ``.gz``) as a table every week-9
    analysis can use; without ``path``, the course's generated file (data/cost_analytics).

    The same rules for every export (see :func:`normalise_billing`): ``NULL`` and empty cells are
    missing values (NaN), never a label; the FOCUS cost and quantity columns are floats; the four
    period columns are UTC timestamps, whichever ISO 8601 style each row is written in (with or
    without ``T``, fractions, ``Z``, an offset such as ``+02:00``, or no zone at all, which FOCUS
    defines as UTC); ``Tags`` is a JSON object per row, ``"{}"`` when untagged; every other column
    is text. Nothing is dropped: every data row of the file is a row of the table, or the load
    fails with a :class:`BillingDataError` naming the row and the column.
    """
    import csv
    import gzip
    from pathlib import Path

    source = data.path(f"{FOLDER}/focus_billing.csv") if path is None else Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such billing file (give the path of a FOCUS CSV export)")
    opener = gzip.open if source.suffix == ".gz" else open
    try:
        with opener(source, "rt", encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)                 # pandas pads short rows silently: count first
            header = next(reader, None)
            if not header:
                raise BillingDataError(f"{source}: the file is empty; a FOCUS export starts with its header")
            n = 0
            for row in reader:
                if not row:
                    continue                       # a blank line (pandas skips it too)
                n += 1
                if len(row) != len(header):
                    raise BillingDataError(
                        f"{source}: data row {n} (line {reader.line_num}) has {len(row)} fields, the header "
                        f"{len(header)}: the file is cut short or a field is not quoted; nothing was loaded")
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, csv.Error, gzip.BadGzipFile, EOFError, pd.errors.ParserError) as e:
        raise BillingDataError(f"{source}: not a readable CSV export ({e})") from e
    names = [h.strip() for h in header]
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise BillingDataError(f"{source}: column(s) {dup} appear more than once in the header")
    frame.columns = names
    if len(frame) != n:
        raise BillingDataError(f"{source}: {n} data rows but pandas read {len(frame)}; check the quoting")
    return normalise_billing(frame, source=str(source))


def normalise_billing(frame: pd.DataFrame, source: str = "billing") -> pd.DataFrame:
    """``frame`` (a FOCUS table, cells as text or already typed) by :func:`load_billing`'s rules:
    a new table, same rows and columns in the same order. ``source`` names it in errors."""
    cols = [str(c) for c in frame.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise BillingDataError(f"{source}: column(s) {dup} appear more than once in the header")
    missing = [c for c in FOCUS_REQUIRED if c not in cols]
    if missing:
        raise BillingDataError(f"{source}: no column {missing}; a FOCUS export has them (found: {cols[:12]}"
                               f"{' ...' if len(cols) > 12 else ''}); the header must name FOCUS columns")
    out = {}
    for col in cols:
        values = frame[col].reset_index(drop=True)
        if col == "Tags":
            out[col] = _normalise_tags(values, source)
            continue
        null = _is_null(values)
        if col in FOCUS_NUMERIC:
            out[col] = _numbers(values, null, col, source)
        elif col in FOCUS_TIMESTAMPS:
            out[col] = _timestamps(values, null, col, source)
        else:
            text = values.astype(object).where(~null, np.nan)
            if pd.api.types.infer_dtype(text, skipna=True) not in ("string", "empty"):
                other = ~null & text.map(lambda v: not isinstance(v, str))   # typed cells become text
                text[other] = text[other].astype(str)
            out[col] = text
        if col in FOCUS_REQUIRED and null.any():
            raise BillingDataError(f"{source}: row {_row(null)}, column {col}: empty (NULL); FOCUS requires "
                                   f"a value in every row ({int(null.sum())} row(s) have none)")
    if "Tags" not in cols:          # FOCUS makes Tags optional: no column means nothing is tagged
        out["Tags"] = pd.Series("{}", index=pd.RangeIndex(len(frame)), dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _is_null(values: pd.Series) -> pd.Series:
    """Missing, empty or the literal NULL."""
    null = values.isna()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        null |= values.isin(NULL_TOKENS)
    return null.astype(bool)


def _row(mask: pd.Series) -> int:
    """1-based data row of the first True (the header not counted)."""
    return int(np.flatnonzero(mask.to_numpy())[0]) + 1


def _numbers(values, null, col, source) -> pd.Series:
    num = pd.to_numeric(values.where(~null, np.nan), errors="coerce").astype(float)
    bad = ~null & ~np.isfinite(num.fillna(0.0)) | ~null & num.isna()
    if bad.any():
        i = _row(bad)
        raise BillingDataError(f"{source}: row {i}, column {col}: {values.iloc[i - 1]!r} is not a number "
                               f"(a plain decimal such as 12.5; {int(bad.sum())} bad value(s) in {col})")
    return num.where(~null, np.nan)


def _timestamps(values, null, col, source) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values.dtype):
        ts = values if isinstance(values.dtype, pd.DatetimeTZDtype) else values.dt.tz_localize("UTC")
        return ts.dt.tz_convert("UTC")
    codes, uniques = pd.factorize(values.astype(object).where(~null, None))     # each distinct text once
    parsed = pd.to_datetime(pd.Series([_iso_text(u) for u in uniques], dtype=object), utc=True,
                            format="ISO8601", errors="coerce")
    ts = pd.Series(pd.DatetimeIndex(parsed).take(codes, allow_fill=True, fill_value=pd.NaT))
    bad = ~null & ts.isna()
    if bad.any():
        i = _row(bad)
        raise BillingDataError(f"{source}: row {i}, column {col}: {values.iloc[i - 1]!r} is not an ISO 8601 "
                               "timestamp (FOCUS writes e.g. 2024-09-01T00:00:00Z; "
                               f"{int(bad.sum())} bad value(s) in {col})")
    return ts


def _iso_text(v) -> str:
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    text = str(v).strip()
    if text.endswith(" UTC"):          # BigQuery's style: 2024-09-01 00:00:00 UTC
        text = text[:-4] + "Z"
    return text


def _normalise_tags(values, source) -> pd.Series:
    """Each distinct Tags cell parsed once: a JSON object as written, "{}" when untagged."""
    codes, uniques = pd.factorize(values.astype(object))        # missing cells get code -1
    canon = []
    for code, u in enumerate(uniques):
        try:
            obj = _tag_object(u)
        except ValueError as e:
            row = _row(pd.Series(codes == code))
            raise BillingDataError(f"{source}: row {row}, column Tags: {e}") from None
        canon.append(u.strip() if obj else "{}")
    return pd.Series(np.array([*canon, "{}"], dtype=object)[codes], dtype=object)


# how real exports write one instant: the generated file's style, the FOCUS 1.0 sample's (no zone,
# a space), fractions of a second, and another zone's local time with its offset
EXPORT_TIMESTAMP_STYLES = ("Z", "naive", "fraction", "-05:00")


def write_export(frame: pd.DataFrame, path, null: str = "NULL", mixed_timestamps: bool = True) -> None:
    """Write a FOCUS table the way real exports differ from the course's file: every field quoted,
    empty cells and untagged ``Tags`` as ``null`` (every other untagged row as ``{}``), and with
    ``mixed_timestamps`` each row's period columns in the next of :data:`EXPORT_TIMESTAMP_STYLES`.
    Same instants, same costs: :func:`load_billing` must read it back to the same table."""
    import csv

    out = frame.copy()
    n = len(out)
    style = [EXPORT_TIMESTAMP_STYLES[i % len(EXPORT_TIMESTAMP_STYLES)] if mixed_timestamps else "Z"
             for i in range(n)]
    for col in FOCUS_TIMESTAMPS:
        if col not in out:
            continue
        ts = pd.to_datetime(out[col], utc=True, format="ISO8601")
        cells = []
        for t, st in zip(ts, style, strict=True):
            if pd.isna(t):
                cells.append(null)
            elif st == "naive":
                cells.append(t.strftime("%Y-%m-%d %H:%M:%S"))
            elif st == "fraction":
                cells.append(t.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
            elif st == "-05:00":
                cells.append((t - pd.Timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S-05:00"))
            else:
                cells.append(t.strftime("%Y-%m-%dT%H:%M:%SZ"))
        out[col] = cells
    for col in out.columns:
        if col in FOCUS_TIMESTAMPS:
            continue
        values = out[col].astype(object)
        empty = values.isna() | values.isin(["", "{}"] if col == "Tags" else [""])
        if col == "Tags":
            empty &= np.arange(n) % 2 == 0          # every other untagged row keeps its "{}"
        out[col] = values.where(~empty, null)
    out.to_csv(path, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")


def load_focus_sample() -> pd.DataFrame:
    """The FinOps Foundation's public FOCUS 1.0 sample (data/focus-1.0-sample, CC BY 4.0): 1,000
    anonymised rows of AWS, Microsoft and Oracle bills, loaded by :func:`load_billing`."""
    return load_billing(data.path(f"{SAMPLE_FOLDER}/focus_sample.csv"))


def load_orders() -> pd.DataFrame:
    return data.read_csv(f"{FOLDER}/orders.csv")


def load_ec2() -> pd.DataFrame:
    return data.read_csv(f"{FOLDER}/ec2_utilization.csv")


def load_lambda() -> pd.DataFrame:
    return data.read_csv(f"{FOLDER}/lambda_invocations.csv")


def load_power_tuning() -> pd.DataFrame:
    return data.read_csv(f"{FOLDER}/power_tuning.csv")


def write_all(folder) -> list:
    """Write the course's data set into ``folder`` (what data/make_cost_analytics.py does)."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "focus_billing.csv": make_focus(),
        "orders.csv": make_orders(),
        "ec2_utilization.csv": make_ec2_utilization(),
        "lambda_invocations.csv": make_lambda_invocations(),
        "power_tuning.csv": make_power_tuning(),
    }
    for name, df in out.items():
        df.to_csv(folder / name, index=False, lineterminator="\n")
    return sorted(out)
