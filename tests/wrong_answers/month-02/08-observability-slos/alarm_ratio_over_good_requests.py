# Wrong answer: divides errors by the good requests (OrdersPlaced) instead of all requests, so the alarm's burn rate is too high and grows without bound in an outage.
# cell: cloudwatch-alarms
# loses: test-cloudwatch-alarms
def create_page_alarms(cw, prefix, slo):
    def query(qid, metric, period):
        return {"Id": qid, "ReturnData": False, "MetricStat": {
            "Metric": {"Namespace": METRICS_NAMESPACE, "MetricName": metric,
                       "Dimensions": [{"Name": "service", "Value": "orders"}]},
            "Period": period, "Stat": "Sum"}}

    for suffix, period in (("1h", 3600), ("5m", 300)):
        cw.put_metric_alarm(
            AlarmName=f"{prefix}-burn-{suffix}",
            AlarmDescription=f"orders: error-budget burn rate over {suffix} > 14.4 (SRE workbook, page)",
            Metrics=[query("errors", "OrderErrors", period), query("good", "OrdersPlaced", period),
                     {"Id": "burn", "Expression": f"errors / good / {1 - slo:.6g}",
                      "Label": f"burn rate {suffix}", "ReturnData": True}],
            Threshold=14.4, ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=1,
            TreatMissingData="notBreaching")
