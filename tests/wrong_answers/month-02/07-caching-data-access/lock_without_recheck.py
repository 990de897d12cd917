# Wrong answer: Callers queue on a per-key lock but do not look in the cache again after acquiring it, so each waiter still calls the origin in turn.
# cell: layered-cache
# loses: test-single-flight
class LayeredCache:
    """Read-through cache: L1 -> L2 -> L3 -> origin, with negative caching,
    invalidation and single-flight."""

    def __init__(self, l1, l2, l3, origin, ttl=TTL):
        self.layers = [("l1", l1), ("l2", l2), ("l3", l3)]
        self.origin = origin
        self.ttl = ttl
        self.served = collections.Counter()  # layer name -> requests it answered
        self._guard = threading.Lock()
        self._flights = {}  # key -> Lock held by the one thread fetching it from the origin

    def get(self, key):
        """The value for `key`, or None when the origin has no such key."""
        value, layer = self._lookup(key)
        if layer is not None:
            self.served[layer] += 1
            return value
        with self._guard:
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            try:
                value = self.origin.get(key)
                self._fill(key, value, upto=len(self.layers))
                self.served["origin"] += 1
                return value
            finally:
                with self._guard:
                    self._flights.pop(key, None)

    def invalidate(self, key):
        """Forget `key` in every layer (call after the origin changed)."""
        for _, layer in reversed(self.layers):  # lowest first: no upper layer refills from a stale copy
            layer.delete(key)

    def _lookup(self, key):
        """(value, layer name) from the first layer holding a fresh entry, back-filling the
        layers above it; (None, None) when no layer has one. A helper: change it as you like."""
        for i, (name, layer) in enumerate(self.layers):
            value = layer.get(key)
            if value is not MISS:
                self._fill(key, value, upto=i)  # back-fill the faster layers above
                return value, name
        return None, None

    def _fill(self, key, value, upto):
        """Write `value` into the first `upto` layers, each with its TTL (negative entries:
        TTL["negative"]). A helper: change it as you like."""
        for name, layer in self.layers[:upto]:
            layer.set(key, value, self.ttl["negative"] if value is None else self.ttl[name])
