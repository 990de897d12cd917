# Wrong answer: "finishes" the rollout by sending weight 1.0 to the canary while the alias still names the old version, so the next deployment shifts traffic away from the wrong base.
# cell: controller
# loses: test-controller-ramp
def controller_step(lam, function, alias, stable, canary_version, decision):
    current = lam.get_alias(FunctionName=function, Name=alias)
    weights = (current.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    share = round(100 * float(weights.get(canary_version, 0.0)), 6)
    if decision == "hold":
        return share
    if decision == "rollback":
        lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=stable,
                         RoutingConfig={"AdditionalVersionWeights": {}})
        return 0.0
    nxt = next((p for p in RAMP if p > share), 100)
    lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=stable,
                     RoutingConfig={"AdditionalVersionWeights": {canary_version: nxt / 100}})
    return float(nxt)
