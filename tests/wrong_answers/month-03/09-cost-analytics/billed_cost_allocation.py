# Wrong answer: allocates BilledCost, the invoice view, so the Savings Plan purchase lands on nobody and the covered EC2 usage of checkout and search looks free.
# cell: allocation
# loses: test-allocation, test-allocation-any-focus
def cost_by(billing, by):
    cost = billing["BilledCost"].astype(float)
    if by.startswith("tag:"):
        key = by[4:]
        tags = finops.tags(billing["Tags"])
        labels = tags[key] if key in tags else pd.Series(np.nan, index=billing.index)
        labels = labels.where(labels.notna() & (labels.astype(str) != ""), "untagged")
    else:
        labels = billing[by].fillna("untagged")
    return cost.groupby(labels).sum().sort_values(ascending=False)
