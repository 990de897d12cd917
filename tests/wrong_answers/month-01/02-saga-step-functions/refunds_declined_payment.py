# Wrong answer: the seed's bug: a failed ChargePayment is caught by RefundPayment, refunding a payment that never happened.
# cell: saga-definition
# loses: test-payment-declined
def saga_definition(steps):
    s = copy.deepcopy(steps)
    retry = [{"ErrorEquals": shop.TRANSIENT_ERRORS, "IntervalSeconds": 1,
              "MaxAttempts": 3, "BackoffRate": 2.0}]

    def undo_from(state):
        return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": state}]

    s["ReserveInventory"].update(Next="ChargePayment", Retry=retry, Catch=undo_from("MarkOrderFailed"))
    s["ChargePayment"].update(Next="CreateShipment", Retry=retry, Catch=undo_from("RefundPayment"))
    s["CreateShipment"].update(Next="ConfirmOrder", Retry=retry, Catch=undo_from("RefundPayment"))
    s["ConfirmOrder"].update(End=True, Retry=retry)
    s["RefundPayment"].update(Next="ReleaseInventory", Retry=retry)
    s["ReleaseInventory"].update(Next="MarkOrderFailed", Retry=retry)
    s["MarkOrderFailed"].update(Next="OrderFailed", Retry=retry)
    s["OrderFailed"] = {"Type": "Fail", "Error": "OrderFailed", "Cause": "compensated"}
    return {"StartAt": "ReserveInventory", "States": s}
