# Wrong answer: puts only its own rules, but PutBucketLifecycleConfiguration replaces the whole configuration, so the auditors' seven-year retention rule is silently deleted.
# cell: cold-storage
# loses: test-lifecycle-keeps-audit
def add_cold_storage_rules(s3, bucket):
    rules = [
        {"ID": "logs-cold-storage", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
         "Expiration": {"Days": 365}},
        {"ID": "abort-incomplete-uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
