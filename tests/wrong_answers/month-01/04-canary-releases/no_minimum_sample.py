# Wrong answer: runs the test without a minimum sample size, so a canary with 40 requests and no errors is promoted on no evidence.
# cell: analysis
# loses: test-analysis-provided, test-hold
def analyze(baseline, canary):
    table = [[canary["errors"], canary["requests"] - canary["errors"]],
             [baseline["errors"], baseline["requests"] - baseline["errors"]]]
    p_value = stats.fisher_exact(table, alternative="greater").pvalue
    return "rollback" if p_value < ALPHA else "promote"
