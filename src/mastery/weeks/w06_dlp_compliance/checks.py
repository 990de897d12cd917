"""Trusted checks of the week-6 exercise (DLP and compliance; see :mod:`mastery.grading.integrity`).

The scanner tests plant accounts of buckets and tables on the backend and compare the learner's
``scan`` with the findings the spec names. The grading process checks, after each of those
cells, that the backend really holds those findings (a scanner restated from the spec, run with
its own clients), so the expected set is the state of the backend, not whatever the kernel was
made to see; and that the out-of-scope account was cleared. The detector, redactor and report
tests check what a function returns and stay kernel-side.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from mastery.weeks.w06_dlp_compliance import compliance

EXERCISE = "m02-dlp"  # the exercise's namespace (its setup cell)
ENCRYPTED = {"AES256", "aws:kms", "aws:kms:dsse"}


def _read(call, missing: str, default):
    try:
        return call()
    except ClientError as e:
        if e.response["Error"]["Code"] != missing:
            raise
        return default


def _tags_ok(tags: dict) -> bool:
    return all(tags.get(k) for k in compliance.REQUIRED_TAGS)


def _bucket(s3, bucket: str) -> set[str]:
    out = set()
    config = _read(lambda: s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"],
                   "ServerSideEncryptionConfigurationNotFoundError", {})
    rules = config.get("Rules", [])
    algorithms = {r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules}
    if not algorithms & ENCRYPTED:
        out.add("s3-encryption")
    block = _read(lambda: s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
                  "NoSuchPublicAccessBlockConfiguration", {})
    if not all(block.get(k) is True for k in compliance.FULL_BLOCK):
        out.add("s3-public-access-block")
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        out.add("s3-versioning")
    tag_set = _read(lambda: s3.get_bucket_tagging(Bucket=bucket)["TagSet"], "NoSuchTagSet", [])
    if not _tags_ok({t["Key"]: t.get("Value", "") for t in tag_set}):
        out.add("required-tags")
    return out


def _table(ddb, table: str) -> set[str]:
    out = set()
    desc = ddb.describe_table(TableName=table)["Table"]
    backups = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    if backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") != "ENABLED":
        out.add("ddb-pitr")
    sse = desc.get("SSEDescription") or {}
    if not (sse.get("SSEType") == "KMS" and sse.get("Status") == "ENABLED"):
        out.add("ddb-encryption")
    tags = ddb.list_tags_of_resource(ResourceArn=desc["TableArn"]).get("Tags", [])
    if not _tags_ok({t["Key"]: t.get("Value", "") for t in tags}):
        out.add("required-tags")
    return out


def findings(ctx, prefix: str) -> set[tuple[str, str]]:
    """Every (resource, check id) that fails for the buckets and tables named ``prefix-*``."""
    s3, ddb = ctx.client("s3"), ctx.client("dynamodb")
    mine = prefix + "-"
    out = {(b["Name"], c) for b in s3.list_buckets().get("Buckets", []) if b["Name"].startswith(mine)
           for c in _bucket(s3, b["Name"])}
    for page in ddb.get_paginator("list_tables").paginate():
        out |= {(t, c) for t in page["TableNames"] if t.startswith(mine) for c in _table(ddb, t)}
    return out


def _holds(ctx, suffix: str, want: set[tuple[str, str]]) -> None:
    acct = f"{ctx.namespace(EXERCISE).prefix}-{suffix}"
    expected = {(f"{acct}-{r}", c) for r, c in want}
    got = findings(ctx, acct)
    assert got == expected, (f"the account {acct} on the backend does not hold the planted violations: "
                             f"missing {sorted(expected - got)}, extra {sorted(got - expected)}")


def scan_visible(ctx) -> None:
    """test-scan-visible: the demo account's eight violations."""
    _holds(ctx, "demo", {
        ("exports", "s3-encryption"), ("exports", "s3-versioning"), ("web-assets", "s3-public-access-block"),
        ("web-assets", "required-tags"), ("audit-logs", "s3-versioning"), ("sessions", "ddb-pitr"),
        ("sessions", "ddb-encryption"), ("payments", "required-tags")})


def scan_hidden(ctx) -> None:
    """test-scan-hidden: the hidden account's ten violations."""
    _holds(ctx, "h", {
        ("raw", "s3-public-access-block"), ("archive", "s3-versioning"), ("archive", "required-tags"),
        ("legacy", "s3-encryption"), ("legacy", "s3-public-access-block"), ("legacy", "s3-versioning"),
        ("legacy", "required-tags"), ("orders", "ddb-pitr"), ("ledger", "ddb-encryption"),
        ("ledger", "required-tags")})


def scan_scope(ctx) -> None:
    """test-scan-scope: the compliant account has no findings; the other one was cleared."""
    _holds(ctx, "s", set())
    other = f"{ctx.namespace(EXERCISE).prefix}-sx"
    left = compliance.buckets(other, ctx.client("s3")) + compliance.tables(other, ctx.client("dynamodb"))
    assert not left, (
        f"the out-of-scope account should be cleared at the end of the test; the backend holds {left}")


TRUSTED = {
    "test-scan-visible": scan_visible,
    "test-scan-hidden": scan_hidden,
    "test-scan-scope": scan_scope,
}
