# Wrong answer: uses API Gateway's requestContext.requestId as faas.invocation_id, which is not the Lambda request id the function's logs and Lambda's own records carry.
# cell: instrumented-handler
# loses: test-faas-attributes
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
    with tracer.start_as_current_span(event["routeKey"], kind=SpanKind.SERVER) as span:
        span.set_attributes({
            "faas.trigger": "http",
            "faas.invocation_id": event["requestContext"]["requestId"],
            "faas.coldstart": cold_start,
            "cloud.resource_id": function_arn(context),
            "aws.lambda.invoked_arn": context.invoked_function_arn,
            "http.request.method": event["requestContext"]["http"]["method"],
            "http.route": event["routeKey"].split(" ", 1)[1],
        })
        cold_start = False
        logger.append_keys(trace_id=format(span.get_span_context().trace_id, "032x"))
        order = json.loads(event["body"])
        try:
            with tracer.start_as_current_span("DynamoDB.PutItem", kind=SpanKind.CLIENT) as db:
                db.set_attributes({"rpc.system": "aws-api", "rpc.service": "DynamoDB",
                                   "rpc.method": "PutItem", "aws.dynamodb.table_names": [orders_table]})
                ddb.put_item(TableName=orders_table, Item={"orderId": {"S": order["orderId"]},
                                                           "amount": {"N": str(order["amount"])}})
        except Exception as e:  # the DynamoDB span has recorded it and set ERROR on the way out
            span.set_status(Status(StatusCode.ERROR, type(e).__name__))
            span.set_attribute("http.response.status_code", 500)
            metrics.add_metric(name="OrderErrors", unit=MetricUnit.Count, value=1)
            logger.error("order failed", extra={"orderId": order["orderId"], "error": type(e).__name__})
            return {"statusCode": 500, "body": json.dumps({"error": "internal error"})}
        span.set_attribute("http.response.status_code", 201)
        metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
        logger.info("order placed", extra={"orderId": order["orderId"]})
        return {"statusCode": 201, "body": json.dumps({"orderId": order["orderId"]})}
