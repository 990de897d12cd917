# Wrong answer: recommends the fastest memory size, which for a CPU-bound function is the largest and costs 40 % more per invocation than the optimum.
# cell: power-tuning
# loses: test-power-tuning, test-power-tuning-hidden
def recommend_memory(tuning, max_duration_ms=None):
    curve = tuning.groupby("MemorySize")["Duration"].mean()
    if max_duration_ms is not None:
        curve = curve[curve <= max_duration_ms]
    if curve.empty:
        return None
    return int(curve.idxmin())
