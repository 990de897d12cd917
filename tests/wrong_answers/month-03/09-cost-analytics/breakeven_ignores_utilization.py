# Wrong answer: divides the up-front payment by the hourly saving as if the instance ran every hour, so a commitment for a box that runs 60 % of the time is bought though it never pays off.
# cell: breakeven
# loses: test-breakeven
def breakeven_month(on_demand_hourly, upfront, recurring_hourly, utilization=1.0, term_months=12):
    monthly_saving = (on_demand_hourly - recurring_hourly) * HOURS_PER_MONTH
    if monthly_saving <= 0:
        return None
    m = max(math.ceil(upfront / monthly_saving), 1)
    return m if m <= term_months else None
