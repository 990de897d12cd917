# Wrong answer: counts the budget in bad minutes (0.1 % of the period's minutes) instead of bad requests, so a minute with one error in a thousand costs as much as a total outage.
# cell: slo-budget
# loses: test-error-budget, test-burn-rates
def availability(df):
    return 1 - df["errors"].sum() / df["requests"].sum()


def error_budget(df, slo):
    allowed = (1 - slo) * len(df)
    spent = int((df["errors"] > 0).sum())
    return {"allowed": allowed, "spent": spent, "consumed": spent / allowed, "remaining": 1 - spent / allowed}


def burn_rate(df, slo, window):
    full = int(pd.Timedelta(window) / pd.Timedelta("1min"))
    sums = df[["requests", "errors"]].rolling(window, min_periods=full).sum()
    return sums["errors"] / sums["requests"] / (1 - slo)
