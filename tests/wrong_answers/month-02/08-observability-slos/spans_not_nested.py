# Wrong answer: starts spans with tracer.start_span, which does not make the server span current, so the DynamoDB span is a separate root trace instead of its child.
# cell: instrumented-handler
# loses: test-span-tree
def function_arn(context):
    """cloud.resource_id on Lambda: the invoked ARN with any alias replaced by the version that ran."""
    parts = context.invoked_function_arn.split(":")
    if len(parts) == 8:                  # arn:aws:lambda:region:account:function:name:qualifier
        parts[7] = context.function_version
    return ":".join(parts)


@logger.inject_lambda_context
@metrics.log_metrics
def place_order(event, context):
    global cold_start
    span = tracer.start_span(event["routeKey"], kind=SpanKind.SERVER)
    span.set_attributes({"faas.trigger": "http", "faas.invocation_id": context.aws_request_id,
                         "faas.coldstart": cold_start, "cloud.resource_id": function_arn(context),
                         "aws.lambda.invoked_arn": context.invoked_function_arn})
    cold_start = False
    logger.append_keys(trace_id=format(span.get_span_context().trace_id, "032x"))
    order = json.loads(event["body"])
    db = tracer.start_span("DynamoDB.PutItem", kind=SpanKind.CLIENT)
    db.set_attributes({"rpc.system": "aws-api", "rpc.service": "DynamoDB", "rpc.method": "PutItem"})
    try:
        ddb.put_item(TableName=orders_table, Item={"orderId": {"S": order["orderId"]},
                                                   "amount": {"N": str(order["amount"])}})
    except Exception as e:
        db.record_exception(e)
        db.set_status(Status(StatusCode.ERROR, type(e).__name__))
        db.end()
        span.set_status(Status(StatusCode.ERROR, type(e).__name__))
        span.set_attribute("http.response.status_code", 500)
        span.end()
        metrics.add_metric(name="OrderErrors", unit=MetricUnit.Count, value=1)
        logger.error("order failed")
        return {"statusCode": 500, "body": "{}"}
    db.end()
    span.set_attribute("http.response.status_code", 201)
    span.end()
    metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
    logger.info("order placed")
    return {"statusCode": 201, "body": json.dumps({"orderId": order["orderId"]})}
