# Wrong answer: the canary draws a random number per request, so a user flips between legacy and modern and reads an order on one side that was written on the other.
# cell: router
# loses: test-canary
def choose_target(routes, route_key, user):
    """'legacy' or 'modern' for one request, by the route's migration strategy."""
    cfg = routes.get(route_key)
    if cfg is None:
        return "legacy"
    strategy = cfg["strategy"]
    if strategy in ("legacy", "modern"):
        return strategy
    if strategy == "blue_green":
        return cfg[cfg["live"]]
    if strategy == "canary":
        import random

        return "modern" if random.random() * 100 < cfg["percent"] else "legacy"
    if strategy == "feature_flag":
        return "modern" if flags.is_on(cfg["flag"], user) else "legacy"
    raise ValueError(f"unknown strategy {strategy!r} for {route_key}")
