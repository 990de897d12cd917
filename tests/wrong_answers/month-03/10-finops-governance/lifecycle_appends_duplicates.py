# Wrong answer: appends its rules to the existing ones without removing its own earlier copies, so every scheduled run adds another pair (AWS rejects duplicate rule IDs).
# cell: cold-storage
# loses: test-lifecycle-cold
def add_cold_storage_rules(s3, bucket):
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError:
        rules = []
    rules.append({"ID": "logs-cold-storage", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                  "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
                  "Expiration": {"Days": 365}})
    rules.append({"ID": "abort-incomplete-uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
