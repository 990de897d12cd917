# Wrong answer: evaluates windows before the data covers them, so the first minutes (a handful of requests) produce huge burn rates and a false ticket at the start of the data.
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
    sums = df[["requests", "errors"]].rolling(window).sum()
    return sums["errors"] / sums["requests"] / (1 - slo)
