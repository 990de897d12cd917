# Wrong answer: two ACTUAL alerts (80 % and 100 %) and no FORECASTED one, so the team hears about an overrun only after the money is spent.
# cell: team-budgets
# loses: test-budget-alerts
def create_team_budgets(budgets, team_budgets, email):
    subscribers = [{"SubscriptionType": "EMAIL", "Address": email}]

    def alert(kind, percent):
        return {"Notification": {"NotificationType": kind, "ComparisonOperator": "GREATER_THAN",
                                 "Threshold": percent, "ThresholdType": "PERCENTAGE"},
                "Subscribers": subscribers}

    names = []
    for team, limit in team_budgets.items():
        name = ns.name(f"{team}-monthly")
        try:
            budgets.delete_budget(AccountId=ACCOUNT_ID, BudgetName=name)
        except budgets.exceptions.NotFoundException:
            pass
        budgets.create_budget(
            AccountId=ACCOUNT_ID,
            Budget={"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
                    "BudgetLimit": {"Amount": str(limit), "Unit": "USD"},
                    "CostFilters": {"TagKeyValue": [f"user:team${team}"]}},
            NotificationsWithSubscribers=[alert("ACTUAL", 80.0), alert("ACTUAL", 100.0)],
        )
        names.append(name)
    return names
