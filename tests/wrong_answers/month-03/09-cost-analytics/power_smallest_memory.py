# Wrong answer: assumes the least memory is the cheapest because the price per GB-second is per GB, ignoring that a starved function runs so long that it costs more.
# cell: power-tuning
# loses: test-power-tuning, test-power-tuning-hidden
def recommend_memory(tuning, max_duration_ms=None):
    curve = tuning.groupby("MemorySize")["Duration"].mean()
    if max_duration_ms is not None:
        curve = curve[curve <= max_duration_ms]
    if curve.empty:
        return None
    return int(curve.index.min())
