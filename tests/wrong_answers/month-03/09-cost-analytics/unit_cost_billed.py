# Wrong answer: divides BilledCost by orders, so the month of the up-front Savings Plan purchase looks ruinous and every later month looks cheaper than it is.
# cell: unit-cost
# loses: test-unit-cost
def unit_cost(billing, orders):
    month = pd.to_datetime(billing["ChargePeriodStart"], utc=True).dt.strftime("%Y-%m")
    monthly = billing["BilledCost"].astype(float).groupby(month).sum()
    per_order = orders.set_index("month")["orders"]
    return (monthly.reindex(per_order.index) / per_order).rename("usd_per_order")
