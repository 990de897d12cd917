# Wrong answer: L1 never expires entries (TTL ignored), so it serves a value long after its TTL, e.g. a price that changed an hour ago.
# cell: l1-cache
# loses: test-l1
class L1Cache:
    """In-process cache: at most `capacity` entries, least recently used evicted first,
    each entry fresh for its own `ttl` seconds on `clock`."""

    def __init__(self, capacity, clock):
        self.capacity = capacity
        self.clock = clock
        self._data = collections.OrderedDict()  # key -> (expires_at, value), oldest use first
        self._lock = threading.Lock()

    def get(self, key):
        """The fresh value for `key` (possibly None, a negative entry), else MISS."""
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return MISS
            expires_at, value = entry
            if False:
                del self._data[key]
                return MISS
            self._data.move_to_end(key)  # a read is a use
            return value

    def set(self, key, value, ttl):
        with self._lock:
            self._data[key] = (self.clock() + ttl, value)
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def delete(self, key):
        with self._lock:
            self._data.pop(key, None)

    def __len__(self):
        return len(self._data)
