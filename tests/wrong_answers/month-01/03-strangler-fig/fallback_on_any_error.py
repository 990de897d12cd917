# Wrong answer: the router falls back on every exception, so a 404 or a rejected payload is counted as a modern outage and the fallback metric cries wolf.
# cell: handler
# loses: test-answers-are-not-fallbacks
def record_fallback(route_key):
    cloudwatch.put_metric_data(Namespace=METRIC_NAMESPACE, MetricData=[{
        "MetricName": strangler.FALLBACK_METRIC, "Dimensions": [{"Name": "Route", "Value": route_key}],
        "Value": 1, "Unit": "Count"}])
def serve(event, side):
    if event["routeKey"] == "GET /orders/{orderId}":
        oid = event["pathParameters"]["orderId"]
        body = modern.get_order(oid) if side == "modern" else to_modern(legacy.get_order(oid))
        return respond(200, body, side)
    if event["routeKey"] == "POST /orders":
        order = json.loads(event["body"])
        if side == "modern":
            modern.create_order(order)
        else:
            legacy.create_order(to_legacy(order))
        return respond(201, order, side)
    return respond(404, {"message": f"no route {event['routeKey']}"}, side)
def handle(event, context, routes=ROUTES):
    """The router: pick a side per route strategy, serve, fall back to legacy on a modern outage."""
    route_key = event["routeKey"]
    side = choose_target(routes, route_key, strangler.user_of(event))
    try:
        if side == "modern":
            try:
                return serve(event, "modern")
            except Exception:
                record_fallback(route_key)  # counted before anything else can go wrong
                side = "legacy"
        return serve(event, side)
    except OrderNotFound as e:
        return respond(404, {"message": f"no order {e.args[0]}"}, side)
    except ValueError as e:
        return respond(400, {"message": str(e)}, side)
