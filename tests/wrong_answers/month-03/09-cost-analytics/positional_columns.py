# Wrong answer: reads the cost, service and tag columns by position in this one export, so on another FOCUS file whose columns come in a different order it sums the wrong numbers.
# cell: allocation
# loses: test-allocation-any-focus
def cost_by(billing, by):
    cost = billing.iloc[:, 25].astype(float)          # EffectiveCost in our export
    if by.startswith("tag:"):
        tags = finops.tags(billing.iloc[:, 29])       # Tags in our export
        labels = tags[by[4:]] if by[4:] in tags else pd.Series(np.nan, index=billing.index)
        labels = labels.where(labels.notna(), "untagged")
    else:
        labels = billing.iloc[:, list(finops.FOCUS_COLUMNS).index(by)].fillna("untagged")
    return cost.groupby(labels).sum().sort_values(ascending=False)
