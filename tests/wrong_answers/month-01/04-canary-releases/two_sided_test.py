# Wrong answer: a two-sided test treats any significant difference as a regression, so a canary with fewer errors is rolled back.
# cell: analysis
# loses: test-noise
def analyze(baseline, canary):
    if baseline["requests"] < MIN_REQUESTS or canary["requests"] < MIN_REQUESTS:
        return "hold"
    table = [[canary["errors"], canary["requests"] - canary["errors"]],
             [baseline["errors"], baseline["requests"] - baseline["errors"]]]
    p_value = stats.fisher_exact(table, alternative="two-sided").pvalue
    return "rollback" if p_value < ALPHA else "promote"
