# Wrong answer: groups by the tag value directly, and pandas' groupby silently drops the rows whose tag is missing, so untagged spend vanishes and the showback no longer reconciles with the bill.
# cell: allocation
# loses: test-allocation, test-allocation-any-focus
def cost_by(billing, by):
    cost = billing["EffectiveCost"].astype(float)
    if by.startswith("tag:"):
        labels = finops.tags(billing["Tags"])[by[4:]]
    else:
        labels = billing[by]
    return cost.groupby(labels).sum().sort_values(ascending=False)
