"""Plumbing for canary releases: a Lambda function with published versions and an alias on
the local backend, the provided canary traffic, and the sample size a canary analysis needs.

The emulator stores Lambda code without running it (no Docker), so :func:`deploy_function`
uploads a tiny zip per version; the alias and its weighted routing are real API state that
:func:`routing` reads back. The learner's answers (sticky assignment, the analysis, the
rollout controller) are *not* here.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

from botocore.exceptions import ClientError

from mastery import aws, data

LAMBDA_ROLE = "course-lambda-role"
TRAFFIC = "canary_traffic/traffic.csv"
_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
})


def handler_source(version: int) -> str:
    """The code of version ``version`` of the demo checkout function (a real Lambda handler)."""
    return (
        f"VERSION = {version}\n\n\n"
        "def handler(event, context):\n"
        "    user = (event.get('headers') or {}).get('x-user-id', 'anonymous')\n"
        "    return {'statusCode': 200, 'body': f'checkout v{VERSION} for {user}'}\n"
    )


def zip_bytes(source: str, filename: str = "app.py") -> bytes:
    """A deployment package holding one file, built in memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(filename, date_time=(2026, 1, 1, 0, 0, 0))
        z.writestr(info, source)
    return buf.getvalue()


def ensure_lambda_role(iam=None) -> str:
    """The execution role every course function uses (the emulator checks that it exists)."""
    return aws.ensure_role(LAMBDA_ROLE, _TRUST, iam=iam)


def published_versions(function: str, lam=None) -> list[str]:
    """Numbered versions of ``function`` (``$LATEST`` left out), oldest first."""
    lam = lam or aws.client("lambda")
    out = []
    for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=function):
        out += [v["Version"] for v in page["Versions"] if v["Version"] != "$LATEST"]
    return sorted(out, key=int)


def deploy_function(function: str, versions: int = 2, lam=None) -> list[str]:
    """Create ``function`` (once) and publish versions until it has ``versions`` of them.
    Returns their ids, oldest first (``["1", "2"]``). Safe to call again."""
    lam = lam or aws.client("lambda")
    try:
        lam.get_function(FunctionName=function)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        lam.create_function(
            FunctionName=function, Runtime="python3.12", Role=ensure_lambda_role(), Handler="app.handler",
            Code={"ZipFile": zip_bytes(handler_source(1))}, Description="checkout v1",
        )
    have = published_versions(function, lam)
    while len(have) < versions:
        n = len(have) + 1
        lam.update_function_code(FunctionName=function, ZipFile=zip_bytes(handler_source(n)))
        lam.publish_version(FunctionName=function, Description=f"checkout v{n}")
        have = published_versions(function, lam)
    return have[:versions]


def reset_alias(function: str, alias: str, version: str, lam=None) -> dict:
    """Point ``alias`` at ``version`` with no weighted routing, creating it if needed."""
    lam = lam or aws.client("lambda")
    plain = {"AdditionalVersionWeights": {}}
    try:
        return lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=version,
                                RoutingConfig=plain)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    return lam.create_alias(FunctionName=function, Name=alias, FunctionVersion=version, RoutingConfig=plain)


def routing(function: str, alias: str, lam=None) -> dict:
    """The alias as the backend holds it: ``{"primary": "1", "weights": {"2": 0.05}}``."""
    lam = lam or aws.client("lambda")
    a = lam.get_alias(FunctionName=function, Name=alias)
    weights = (a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return {"primary": a["FunctionVersion"], "weights": {k: float(v) for k, v in weights.items()}}


def traffic_share(function: str, alias: str, version: str, lam=None) -> float:
    """Percent of the alias's invocations that go to ``version`` (0..100), read from the backend."""
    r = routing(function, alias, lam)
    extra = sum(r["weights"].values())
    if r["primary"] == version:
        return round(100 * (1 - extra), 6)
    return round(100 * r["weights"].get(version, 0.0), 6)


# ------------------------------------------------------------------------------ statistics


def sample_size(p_baseline: float, p_canary: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Requests per arm a one-sided two-proportion test needs to detect a rise of the error rate
    from ``p_baseline`` to ``p_canary`` with false-alarm rate ``alpha`` and the given power.

    The normal-approximation formula without continuity correction (Fleiss, Levin & Paik,
    *Statistical Methods for Rates and Proportions*, 3rd ed., 2003, ch. 4):
    ``n = (z_(1-alpha) + z_power)^2 * (p0 q0 + p1 q1) / (p1 - p0)^2``.
    """
    from scipy.stats import norm

    if not 0 < p_baseline < p_canary < 1:
        raise ValueError("need 0 < p_baseline < p_canary < 1")
    z = norm.ppf(1 - alpha) + norm.ppf(power)
    var = p_baseline * (1 - p_baseline) + p_canary * (1 - p_canary)
    return math.ceil(z * z * var / (p_canary - p_baseline) ** 2)


# ------------------------------------------------------------------------------ the data


def load_traffic():
    """The provided rollouts: one row per scenario, minute and version (see data/README.md)."""
    return data.read_csv(TRAFFIC)


def totals(traffic, scenario: str, until_minute: int | None = None) -> tuple[dict, dict]:
    """``(baseline, canary)`` request and error counts of one scenario, summed over minutes
    ``0..until_minute`` (all minutes when None): ``{"requests": n, "errors": k}`` each."""
    rows = traffic[traffic["scenario"] == scenario]
    if rows.empty:
        raise KeyError(f"no scenario {scenario!r}; the data has {sorted(set(traffic['scenario']))}")
    if until_minute is not None:
        rows = rows[rows["minute"] <= until_minute]
    out = []
    for version in ("baseline", "canary"):
        v = rows[rows["version"] == version]
        out.append({"requests": int(v["requests"].sum()), "errors": int(v["errors"].sum())})
    return out[0], out[1]


def cumulative(traffic, scenario: str):
    """Per minute: the canary's share and both versions' cumulative requests, errors and error
    rates (for plotting a rollout)."""
    rows = traffic[traffic["scenario"] == scenario]
    wide = rows.pivot(index="minute", columns="version", values=["requests", "errors"]).cumsum()
    out = wide.copy()
    out.columns = [f"{a}_{b}" for a, b in out.columns]
    for v in ("baseline", "canary"):
        out[f"rate_{v}"] = out[f"errors_{v}"] / out[f"requests_{v}"].where(out[f"requests_{v}"] > 0)
    out["canary_percent"] = rows.groupby("minute")["canary_percent"].first()
    return out.reset_index()
