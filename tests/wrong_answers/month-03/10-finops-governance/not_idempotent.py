# Wrong answer: decides every recommendation again on each run (unconditional put), so the scheduled re-run sends duplicate approval requests and re-applies changes already made.
# cell: optimisation-workflow
# loses: test-workflow-rerun
def process_recommendations(recs, threshold, flow):
    ddb, sqs = aws.client("dynamodb"), aws.client("sqs")
    decisions = {}
    for rec in recs:
        rid = rec["recommendationId"]
        status = "PENDING_APPROVAL" if rec["monthlySavings"] > threshold else "AUTO_APPLIED"
        item = {"recommendationId": {"S": rid}, "resourceArn": {"S": rec["resourceArn"]},
                "action": {"S": rec["action"]}, "monthlySavings": {"N": str(rec["monthlySavings"])},
                "status": {"S": status}, "threshold": {"N": str(threshold)},
                "decidedAt": {"S": datetime.now(timezone.utc).isoformat()}}
        ddb.put_item(TableName=flow.audit_table, Item=item)
        if status == "PENDING_APPROVAL":
            sqs.send_message(QueueUrl=flow.approvals_queue_url, MessageBody=json.dumps(rec))
        else:
            governance.apply_recommendation(rec)
        decisions[rid] = status
    return decisions
