"""Plumbing for compliance-as-code: build S3 buckets and DynamoDB tables with a chosen security
posture inside a namespace, clear them again, and the map from checks to framework controls.

The learner writes the scanner; this module only sets the stage. Every helper takes plain
names, and :func:`clear` deletes only resources whose names start with ``prefix + "-"``, so a
shared backend can hold many learners' accounts side by side.

Checks (ids used everywhere in the course):

================== =====================================================================
``s3-encryption``  the bucket has a default-encryption configuration (SSE-S3 or SSE-KMS)
``s3-public-access-block``  all four Block Public Access settings are on for the bucket
``s3-versioning``  versioning is ``Enabled`` (never enabled, or ``Suspended``, fails)
``ddb-pitr``       point-in-time recovery is ``ENABLED``
``ddb-encryption`` the table is encrypted with a KMS key (``SSEDescription.SSEType == KMS``)
``required-tags``  the resource carries every tag in :data:`REQUIRED_TAGS`, non-empty
================== =====================================================================
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from mastery import aws

CHECKS = ("s3-encryption", "s3-public-access-block", "s3-versioning", "ddb-pitr", "ddb-encryption",
          "required-tags")
REQUIRED_TAGS = ("owner", "data-classification")
FULL_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
              "RestrictPublicBuckets": True}

# Which controls a failed check puts at risk. SOC 2: AICPA Trust Services Criteria (2017,
# revised points of focus 2022); HIPAA: 45 CFR Part 164 Subpart C (Security Rule); PCI DSS
# v4.0.1 (June 2024). The public-access mapping follows AWS Security Hub control S3.1
# ("Related requirements: ... PCI DSS v4.0.1/1.4.4"). An empty list means the framework has
# no requirement that this check evidences directly.
CONTROLS: dict[str, dict[str, list[str]]] = {
    "s3-encryption": {
        "SOC 2": ["CC6.1"],
        "HIPAA": ["164.312(a)(2)(iv)"],
        "PCI DSS": ["3.5.1"],
    },
    "s3-public-access-block": {
        "SOC 2": ["CC6.6"],
        "HIPAA": ["164.312(a)(1)"],
        "PCI DSS": ["1.4.4"],
    },
    "s3-versioning": {
        "SOC 2": ["A1.2"],
        "HIPAA": ["164.308(a)(7)(ii)(A)"],
        "PCI DSS": [],
    },
    "ddb-pitr": {
        "SOC 2": ["A1.2"],
        "HIPAA": ["164.308(a)(7)(ii)(A)", "164.308(a)(7)(ii)(B)"],
        "PCI DSS": [],
    },
    "ddb-encryption": {
        "SOC 2": ["CC6.1"],
        "HIPAA": ["164.312(a)(2)(iv)"],
        "PCI DSS": ["3.5.1"],
    },
    "required-tags": {
        "SOC 2": ["CC6.1"],
        "HIPAA": ["164.308(a)(1)(ii)(A)"],
        "PCI DSS": ["12.5.1"],
    },
}
FRAMEWORKS = ("SOC 2", "HIPAA", "PCI DSS")


def good_tags(owner: str = "payments-team", classification: str = "restricted") -> dict[str, str]:
    return {"owner": owner, "data-classification": classification}


def make_bucket(name: str, *, encryption: str | None = "aws:kms", public_access_block: dict | bool = True,
                versioning: str | None = "Enabled", tags: dict[str, str] | None = None, s3=None) -> str:
    """Create (or reconfigure) a bucket with exactly this posture. Defaults are compliant.

    ``encryption``: ``"AES256"``, ``"aws:kms"`` or None (no configuration, as the emulator
    reports for a new bucket). ``public_access_block``: True (all four on), False (none set)
    or a dict of the four flags. ``versioning``: ``"Enabled"``, ``"Suspended"`` or None (never
    set). ``tags``: None means :func:`good_tags`; ``{}`` means no tags.
    """
    s3 = s3 or aws.client("s3")
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as e:
        if e.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    if encryption:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": encryption}}]})
    else:
        s3.delete_bucket_encryption(Bucket=name)
    if public_access_block is False:
        s3.delete_public_access_block(Bucket=name)
    else:
        flags = FULL_BLOCK if public_access_block is True else {**FULL_BLOCK, **public_access_block}
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=flags)
    if versioning:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
    tags = good_tags() if tags is None else tags
    if tags:
        tag_set = [{"Key": k, "Value": v} for k, v in tags.items()]
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_set})
    else:
        s3.delete_bucket_tagging(Bucket=name)
    return name


def make_table(name: str, *, pitr: bool = True, kms: bool = True, tags: dict[str, str] | None = None,
               ddb=None) -> str:
    """Create a fresh on-demand table with this posture (an existing one is replaced).
    ``kms``: encrypted with the AWS managed KMS key, else with the default AWS owned key.
    ``tags``: None means :func:`good_tags`; ``{}`` means no tags."""
    ddb = ddb or aws.client("dynamodb")
    aws.delete_table(name, ddb=ddb)
    tags = good_tags() if tags is None else tags
    kwargs = {"SSESpecification": {"Enabled": True, "SSEType": "KMS"}} if kms else {}
    if tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST", **kwargs)
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    if pitr:
        ddb.update_continuous_backups(TableName=name,
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return name


def buckets(prefix: str, s3=None) -> list[str]:
    s3 = s3 or aws.client("s3")
    names = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
    return sorted(n for n in names if n.startswith(prefix + "-"))


def tables(prefix: str, ddb=None) -> list[str]:
    ddb = ddb or aws.client("dynamodb")
    names = []
    for page in ddb.get_paginator("list_tables").paginate():
        names += [t for t in page["TableNames"] if t.startswith(prefix + "-")]
    return sorted(names)


def empty_bucket(name: str, s3=None) -> None:
    """Delete every object version and delete marker, so the bucket can be deleted."""
    s3 = s3 or aws.client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                  for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        if doomed:
            s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})


def clear(prefix: str, s3=None, ddb=None) -> int:
    """Delete every bucket and table named ``prefix-*``. Returns how many were deleted."""
    s3 = s3 or aws.client("s3")
    ddb = ddb or aws.client("dynamodb")
    n = 0
    for b in buckets(prefix, s3):
        empty_bucket(b, s3)
        s3.delete_bucket(Bucket=b)
        n += 1
    for t in tables(prefix, ddb):
        aws.delete_table(t, ddb=ddb)
        n += 1
    return n


def build_account(prefix: str, spec: dict[str, dict], s3=None, ddb=None) -> list[str]:
    """Clear ``prefix`` then create one resource per spec entry and return their names.

    Keys are ``"bucket:<short name>"`` or ``"table:<short name>"``; values are the keyword
    arguments of :func:`make_bucket` / :func:`make_table` (an empty dict: fully compliant).
    """
    s3 = s3 or aws.client("s3")
    ddb = ddb or aws.client("dynamodb")
    clear(prefix, s3, ddb)
    names = []
    for key, kwargs in spec.items():
        kind, short = key.split(":", 1)
        name = f"{prefix}-{short}"
        if kind == "bucket":
            make_bucket(name, s3=s3, **kwargs)
        elif kind == "table":
            make_table(name, ddb=ddb, **kwargs)
        else:
            raise ValueError(f"{key!r}: a spec key is 'bucket:<name>' or 'table:<name>'")
        names.append(name)
    return names


# The account the lesson and the exercise's visible test use: each resource breaks at most a
# couple of rules, and one of each kind breaks none.
DEMO_ACCOUNT: dict[str, dict] = {
    "bucket:invoices": {},
    "bucket:exports": {"encryption": None, "versioning": None},
    "bucket:web-assets": {"public_access_block": False, "tags": {"owner": "web-team"}},
    "bucket:audit-logs": {"encryption": "AES256", "versioning": "Suspended"},
    "table:customers": {},
    "table:sessions": {"pitr": False, "kms": False},
    "table:payments": {"tags": {}},
}
