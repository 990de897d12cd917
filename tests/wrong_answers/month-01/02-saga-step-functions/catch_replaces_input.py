# Wrong answer: Catch without ResultPath replaces the order with the error, so compensations and MarkOrderFailed lose the order's fields.
# cell: saga-definition
# loses: test-out-of-stock, test-payment-declined, test-shipment-failure
def saga_definition(steps):
    s = copy.deepcopy(steps)
    retry = [{"ErrorEquals": shop.TRANSIENT_ERRORS, "IntervalSeconds": 1,
              "MaxAttempts": 3, "BackoffRate": 2.0}]

    def undo_from(state):
        return [{"ErrorEquals": ["States.ALL"], "Next": state}]

    s["ReserveInventory"].update(Next="ChargePayment", Retry=retry, Catch=undo_from("MarkOrderFailed"))
    s["ChargePayment"].update(Next="CreateShipment", Retry=retry, Catch=undo_from("ReleaseInventory"))
    s["CreateShipment"].update(Next="ConfirmOrder", Retry=retry, Catch=undo_from("RefundPayment"))
    s["ConfirmOrder"].update(End=True, Retry=retry)
    s["RefundPayment"].update(Next="ReleaseInventory", Retry=retry)
    s["ReleaseInventory"].update(Next="MarkOrderFailed", Retry=retry)
    s["MarkOrderFailed"].update(Next="OrderFailed", Retry=retry)
    s["OrderFailed"] = {"Type": "Fail", "Error": "OrderFailed", "Cause": "compensated"}
    return {"StartAt": "ReserveInventory", "States": s}
