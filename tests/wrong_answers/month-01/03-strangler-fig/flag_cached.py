# Wrong answer: feature-flag answers are cached in the function to save a DynamoDB read, so flipping the flag (or pulling the kill switch) has no effect until the Lambda is redeployed.
# cell: router
# loses: test-feature-flag
_FLAG_CACHE = {}


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
        digest = hashlib.sha256(f"{route_key}|{user}".encode()).digest()
        bucket = int.from_bytes(digest[:8], "big") % 10_000  # 0.01 % steps
        return "modern" if bucket < cfg["percent"] * 100 else "legacy"
    if strategy == "feature_flag":
        key = (cfg["flag"], user)
        if key not in _FLAG_CACHE:
            _FLAG_CACHE[key] = flags.is_on(cfg["flag"], user)
        return "modern" if _FLAG_CACHE[key] else "legacy"
    raise ValueError(f"unknown strategy {strategy!r} for {route_key}")
