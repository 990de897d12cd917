# Wrong answer: every step retries States.ALL, so a declined payment is charged again and again before the saga gives up.
# cell: saga-definition
# loses: test-payment-declined, test-retry-policy
def saga_definition(steps):
    s = copy.deepcopy(steps)
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1,
              "MaxAttempts": 2, "BackoffRate": 1.0}]

    def undo_from(state):
        return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": state}]

    s["ReserveInventory"].update(Next="ChargePayment", Retry=retry, Catch=undo_from("MarkOrderFailed"))
    s["ChargePayment"].update(Next="CreateShipment", Retry=retry, Catch=undo_from("ReleaseInventory"))
    s["CreateShipment"].update(Next="ConfirmOrder", Retry=retry, Catch=undo_from("RefundPayment"))
    s["ConfirmOrder"].update(End=True, Retry=retry)
    s["RefundPayment"].update(Next="ReleaseInventory", Retry=retry)
    s["ReleaseInventory"].update(Next="MarkOrderFailed", Retry=retry)
    s["MarkOrderFailed"].update(Next="OrderFailed", Retry=retry)
    s["OrderFailed"] = {"Type": "Fail", "Error": "OrderFailed", "Cause": "compensated"}
    return {"StartAt": "ReserveInventory", "States": s}
