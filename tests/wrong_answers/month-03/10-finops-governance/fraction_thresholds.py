# Wrong answer: thresholds written as fractions (0.8, 1.0) while ThresholdType PERCENTAGE means percent, so the alerts fire at 0.8 % and 1 % of the budget.
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
            NotificationsWithSubscribers=[alert("ACTUAL", 0.8), alert("FORECASTED", 1.0)],
        )
        names.append(name)
    return names
