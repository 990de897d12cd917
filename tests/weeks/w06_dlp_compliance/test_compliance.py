"""compliance builds accounts with exactly the posture asked for, inside a prefix."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from mastery import aws
from mastery.weeks.w06_dlp_compliance import compliance

pytestmark = pytest.mark.usefixtures("local_aws")


@pytest.fixture
def prefix():
    p = f"t-cmp-{uuid.uuid4().hex[:6]}"
    yield p
    compliance.clear(p)


def test_make_bucket_defaults_are_compliant_and_overrides_stick(prefix):
    s3 = aws.client("s3")
    good = compliance.make_bucket(f"{prefix}-good")
    rules = s3.get_bucket_encryption(Bucket=good)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert s3.get_public_access_block(Bucket=good)["PublicAccessBlockConfiguration"] == compliance.FULL_BLOCK
    assert s3.get_bucket_versioning(Bucket=good)["Status"] == "Enabled"
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=good)["TagSet"]}
    assert set(compliance.REQUIRED_TAGS) <= set(tags)

    bad = compliance.make_bucket(f"{prefix}-bad", encryption=None, public_access_block=False,
                                 versioning="Suspended", tags={})
    for call, code in [(s3.get_bucket_encryption, "ServerSideEncryptionConfigurationNotFoundError"),
                       (s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration"),
                       (s3.get_bucket_tagging, "NoSuchTagSet")]:
        with pytest.raises(ClientError) as e:
            call(Bucket=bad)
        assert e.value.response["Error"]["Code"] == code
    assert s3.get_bucket_versioning(Bucket=bad)["Status"] == "Suspended"
    partial = compliance.make_bucket(f"{prefix}-partial", public_access_block={"IgnorePublicAcls": False})
    flags = s3.get_public_access_block(Bucket=partial)["PublicAccessBlockConfiguration"]
    assert flags["IgnorePublicAcls"] is False and flags["BlockPublicAcls"] is True


def test_make_table_posture(prefix):
    ddb = aws.client("dynamodb")
    good = compliance.make_table(f"{prefix}-good")
    bad = compliance.make_table(f"{prefix}-bad", pitr=False, kms=False, tags={})
    pitr = lambda t: ddb.describe_continuous_backups(TableName=t)[  # noqa: E731
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
    assert pitr(good) == "ENABLED" and pitr(bad) == "DISABLED"
    assert ddb.describe_table(TableName=good)["Table"]["SSEDescription"]["SSEType"] == "KMS"
    assert "SSEDescription" not in ddb.describe_table(TableName=bad)["Table"]
    arn = ddb.describe_table(TableName=bad)["Table"]["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_build_account_is_repeatable_and_clear_stays_in_its_prefix(prefix):
    names = compliance.build_account(prefix, compliance.DEMO_ACCOUNT)
    again = compliance.build_account(prefix, compliance.DEMO_ACCOUNT)
    assert names == again
    assert sorted(names) == sorted(compliance.buckets(prefix) + compliance.tables(prefix))
    neighbour = prefix + "x"
    compliance.build_account(neighbour, {"bucket:keep": {}, "table:keep": {}})
    try:
        assert compliance.clear(prefix) == len(compliance.DEMO_ACCOUNT)
        assert compliance.buckets(prefix) == [] and compliance.tables(prefix) == []
        assert compliance.buckets(neighbour) == [f"{neighbour}-keep"]
    finally:
        compliance.clear(neighbour)


def test_clear_deletes_versioned_buckets_with_objects(prefix):
    s3 = aws.client("s3")
    b = compliance.make_bucket(f"{prefix}-versioned")
    for body in (b"one", b"two"):
        s3.put_object(Bucket=b, Key="k", Body=body)
    s3.delete_object(Bucket=b, Key="k")
    assert compliance.clear(prefix) == 1


def test_every_check_maps_every_framework():
    assert set(compliance.CONTROLS) == set(compliance.CHECKS)
    for check, by_framework in compliance.CONTROLS.items():
        assert set(by_framework) == set(compliance.FRAMEWORKS), check
    with pytest.raises(ValueError):
        compliance.build_account("t-cmp-never", {"queue:x": {}})
