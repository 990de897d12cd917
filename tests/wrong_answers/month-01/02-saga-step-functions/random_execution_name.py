# Wrong answer: starts every call as a new execution (no name), so a double-clicked order reserves and charges twice.
# cell: deploy-and-place
# loses: test-duplicate-order
def deploy_saga(sfn, name, definition):
    return workflows.deploy(name, definition, sfn)


def place_order(sfn, state_machine_arn, order):
    return sfn.start_execution(stateMachineArn=state_machine_arn, input=json.dumps(order))["executionArn"]
