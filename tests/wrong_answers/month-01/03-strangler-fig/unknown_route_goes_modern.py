# Wrong answer: a route missing from the migration plan goes to modern, so endpoints nobody has migrated yet hit a service that does not implement them.
# cell: router
# loses: test-fixed-strategies
def choose_target(routes, route_key, user):
    """'legacy' or 'modern' for one request, by the route's migration strategy."""
    cfg = routes.get(route_key)
    if cfg is None:
        return "modern"
    strategy = cfg["strategy"]
    if strategy in ("legacy", "modern"):
        return strategy
    if strategy == "blue_green":
        return cfg[cfg["live"]]
    if strategy == "canary":
        digest = hashlib.sha256(f"{route_key}|{user}".encode()).digest()
        bucket = int.from_bytes(digest[:8], "big") % 10_000  # 0.01 % steps
        return "modern" if bucket < cfg["percent"] * 100 else "legacy"
    if strategy == "feature_flag":
        return "modern" if flags.is_on(cfg["flag"], user) else "legacy"
    raise ValueError(f"unknown strategy {strategy!r} for {route_key}")
