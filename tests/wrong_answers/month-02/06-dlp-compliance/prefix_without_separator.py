# Wrong answer: filters resources with startswith(prefix) instead of prefix + '-': a neighbouring account named prefix + 'x' is scanned too, and its violations are reported as ours.
# cell: scanner
# loses: test-scan-scope
def scan(prefix):
    """Every (resource name, check id) that fails, for the buckets and tables named prefix-*."""
    def error_code(e):
        return e.response["Error"]["Code"]

    def tags_ok(tags):
        return all(tags.get(k) for k in compliance.REQUIRED_TAGS)

    findings = set()
    mine = prefix
    for bucket in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        if not bucket.startswith(mine):
            continue
        try:
            rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
            algos = {r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules}
            encrypted = bool(algos & {"AES256", "aws:kms", "aws:kms:dsse"})
        except ClientError as e:
            if error_code(e) != "ServerSideEncryptionConfigurationNotFoundError":
                raise
            encrypted = False
        if not encrypted:
            findings.add((bucket, "s3-encryption"))
        try:
            block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
            blocked = all(block.get(k) is True for k in compliance.FULL_BLOCK)
        except ClientError as e:
            if error_code(e) != "NoSuchPublicAccessBlockConfiguration":
                raise
            blocked = False
        if not blocked:
            findings.add((bucket, "s3-public-access-block"))
        if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
            findings.add((bucket, "s3-versioning"))
        try:
            tags = {t["Key"]: t.get("Value", "") for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
        except ClientError as e:
            if error_code(e) != "NoSuchTagSet":
                raise
            tags = {}
        if not tags_ok(tags):
            findings.add((bucket, "required-tags"))

    for page in ddb.get_paginator("list_tables").paginate():
        for table in page["TableNames"]:
            if not table.startswith(mine):
                continue
            desc = ddb.describe_table(TableName=table)["Table"]
            backups = ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
            pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
            if pitr != "ENABLED":
                findings.add((table, "ddb-pitr"))
            sse = desc.get("SSEDescription") or {}
            if not (sse.get("SSEType") == "KMS" and sse.get("Status") == "ENABLED"):
                findings.add((table, "ddb-encryption"))
            tags = {t["Key"]: t.get("Value", "")
                    for t in ddb.list_tags_of_resource(ResourceArn=desc["TableArn"]).get("Tags", [])}
            if not tags_ok(tags):
                findings.add((table, "required-tags"))
    return findings
