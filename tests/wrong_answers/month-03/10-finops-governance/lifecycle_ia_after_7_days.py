# Wrong answer: moves logs to STANDARD_IA after 7 days, below S3's 30-day minimum for that transition (AWS rejects it; an emulator may not), and pays IA's 30-day minimum charge on short-lived objects.
# cell: cold-storage
# loses: test-lifecycle-cold
def add_cold_storage_rules(s3, bucket):
    try:
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except ClientError:
        rules = []
    rules = [r for r in rules if r.get("ID") not in {"logs-cold-storage", "abort-incomplete-uploads"}]
    rules.append({"ID": "logs-cold-storage", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                  "Transitions": [{"Days": 7, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
                  "Expiration": {"Days": 365}})
    rules.append({"ID": "abort-incomplete-uploads", "Filter": {"Prefix": ""}, "Status": "Enabled",
                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
