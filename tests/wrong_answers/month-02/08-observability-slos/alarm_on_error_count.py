# Wrong answer: alarms when more than 14.4 errors happen in the period, a count that means nothing without the traffic: it pages at peak load and sleeps through a night-time outage.
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
                     {"Id": "burn", "Expression": "errors",
                      "Label": f"burn rate {suffix}", "ReturnData": True}],
            Threshold=14.4, ComparisonOperator="GreaterThanThreshold", EvaluationPeriods=1,
            TreatMissingData="notBreaching")
