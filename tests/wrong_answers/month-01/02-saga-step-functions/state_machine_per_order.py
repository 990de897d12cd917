# Wrong answer: the seed's design: a new state machine for every deployment/order, named uniquely, instead of one saga with many executions.
# cell: deploy-and-place
# loses: test-one-state-machine
def deploy_saga(sfn, name, definition):
    return sfn.create_state_machine(name=f"{name}-{uuid.uuid4().hex[:6]}", definition=json.dumps(definition),
                                    roleArn=aws.role_arn())["stateMachineArn"]


def place_order(sfn, state_machine_arn, order):
    return sfn.start_execution(stateMachineArn=state_machine_arn, name=order["orderId"],
                               input=json.dumps(order))["executionArn"]
