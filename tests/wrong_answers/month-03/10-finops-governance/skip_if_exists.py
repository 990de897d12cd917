# Wrong answer: skips a budget that already exists, so a re-run silently keeps the old limits.
# cell: team-budgets
# loses: test-budget-rerun
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
            budgets.describe_budget(AccountId=ACCOUNT_ID, BudgetName=name)
            names.append(name)
            continue  # already there
        except budgets.exceptions.NotFoundException:
            pass
        budgets.create_budget(
            AccountId=ACCOUNT_ID,
            Budget={"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
                    "BudgetLimit": {"Amount": str(limit), "Unit": "USD"},
                    "CostFilters": {"TagKeyValue": [f"user:team${team}"]}},
            NotificationsWithSubscribers=[alert("ACTUAL", 80.0), alert("FORECASTED", 100.0)],
        )
        names.append(name)
    return names
