# Wrong answer: the seed's SLI classes: reports the windowed error rate as the 'burn rate' without dividing by the budget rate 1 - SLO, so it is 1000x too small and no alert ever fires.
# cell: slo-budget
# loses: test-burn-rates, test-alerts-fire-on-incidents
def availability(df):
    return 1 - df["errors"].sum() / df["requests"].sum()


def error_budget(df, slo):
    allowed = (1 - slo) * df["requests"].sum()
    spent = int(df["errors"].sum())
    return {"allowed": allowed, "spent": spent, "consumed": spent / allowed, "remaining": 1 - spent / allowed}


def burn_rate(df, slo, window):
    full = int(pd.Timedelta(window) / pd.Timedelta("1min"))
    sums = df[["requests", "errors"]].rolling(window, min_periods=full).sum()
    return sums["errors"] / sums["requests"]
