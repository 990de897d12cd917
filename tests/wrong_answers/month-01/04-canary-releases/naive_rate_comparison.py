# Wrong answer: rolls back whenever the canary's observed error rate is higher, with no test and no minimum sample, so noise decides the release.
# cell: analysis
# loses: test-analysis-provided, test-hold, test-noise
def analyze(baseline, canary):
    rate_b = baseline["errors"] / max(baseline["requests"], 1)
    rate_c = canary["errors"] / max(canary["requests"], 1)
    return "rollback" if rate_c > rate_b else "promote"
