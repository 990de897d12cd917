# Wrong answer: rounds the break-even point down (5.6 months -> 5), declaring the commitment paid off a month before it is.
# cell: breakeven
# loses: test-breakeven
def breakeven_month(on_demand_hourly, upfront, recurring_hourly, utilization=1.0, term_months=12):
    monthly_saving = (on_demand_hourly * utilization - recurring_hourly) * HOURS_PER_MONTH
    if monthly_saving <= 0:
        return None
    m = max(int(upfront / monthly_saving), 1)
    return m if m <= term_months else None
