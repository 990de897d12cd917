# Wrong answer: keeps the ramp position in a Python variable instead of reading the alias, so a restarted or second controller starts the ramp over from the wrong place.
# cell: controller
# loses: test-controller-reads-backend
_position = {"share": 0.0}


def controller_step(lam, function, alias, stable, canary_version, decision):
    alias_now = lam.get_alias(FunctionName=function, Name=alias)
    if alias_now["FunctionVersion"] == stable and not (alias_now.get("RoutingConfig") or {}).get(
            "AdditionalVersionWeights"):
        _position["share"] = 0.0  # looks like a fresh start
    share = _position["share"]
    if decision == "hold":
        return share
    if decision == "rollback":
        lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=stable,
                         RoutingConfig={"AdditionalVersionWeights": {}})
        _position["share"] = 0.0
        return 0.0
    nxt = next((p for p in RAMP if p > share), 100)
    if nxt >= 100:
        lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=canary_version,
                         RoutingConfig={"AdditionalVersionWeights": {}})
    else:
        lam.update_alias(FunctionName=function, Name=alias, FunctionVersion=stable,
                         RoutingConfig={"AdditionalVersionWeights": {canary_version: nxt / 100}})
    _position["share"] = float(nxt)
    return float(nxt)
