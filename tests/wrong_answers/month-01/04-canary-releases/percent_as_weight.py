# Wrong answer: writes the percent (5) as the alias weight instead of the fraction (0.05); AWS rejects it (0.0-1.0) and the emulator stores nonsense.
# cell: controller
# loses: test-controller-first-step, test-controller-ramp
def controller_step(lam, function, alias, stable, canary_version, decision):
    current = lam.get_alias(FunctionName=function, Name=alias)
    weights = (current.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    share = 100.0 if current["FunctionVersion"] == canary_version else float(weights.get(canary_version, 0))
    if decision == "hold":
        return share
    if decision == "rollback":
        lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=stable,
                         RoutingConfig={"AdditionalVersionWeights": {}})
        return 0.0
    nxt = next((p for p in RAMP if p > share), 100)
    if nxt >= 100:
        lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=canary_version,
                         RoutingConfig={"AdditionalVersionWeights": {}})
        return 100.0
    lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=stable,
                     RoutingConfig={"AdditionalVersionWeights": {canary_version: float(nxt)}})
    return float(nxt)
