# Wrong answer: the comparison is inverted: big savings are applied without anyone looking and small ones wait for approval, the opposite of a guard rail.
# cell: optimisation-workflow
# loses: test-approval-threshold, test-auto-applied
def process_recommendations(recs, threshold, flow):
    ddb, sqs = aws.client("dynamodb"), aws.client("sqs")
    decisions = {}
    for rec in recs:
        rid = rec["recommendationId"]
        status = "PENDING_APPROVAL" if rec["monthlySavings"] <= threshold else "AUTO_APPLIED"
        item = {"recommendationId": {"S": rid}, "resourceArn": {"S": rec["resourceArn"]},
                "action": {"S": rec["action"]}, "monthlySavings": {"N": str(rec["monthlySavings"])},
                "status": {"S": status}, "threshold": {"N": str(threshold)},
                "decidedAt": {"S": datetime.now(timezone.utc).isoformat()}}
        try:
            ddb.put_item(TableName=flow.audit_table, Item=item,
                         ConditionExpression="attribute_not_exists(recommendationId)")
        except ddb.exceptions.ConditionalCheckFailedException:
            old = ddb.get_item(TableName=flow.audit_table, Key={"recommendationId": {"S": rid}},
                               ConsistentRead=True)["Item"]
            decisions[rid] = old["status"]["S"]
            continue
        if status == "PENDING_APPROVAL":
            sqs.send_message(QueueUrl=flow.approvals_queue_url, MessageBody=json.dumps(rec))
        else:
            governance.apply_recommendation(rec)
        decisions[rid] = status
    return decisions
