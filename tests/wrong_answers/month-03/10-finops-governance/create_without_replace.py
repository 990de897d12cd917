# Wrong answer: calls CreateBudget every time, so the scheduled re-run fails with DuplicateRecordException and new limits never apply.
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
        budgets.create_budget(
            AccountId=ACCOUNT_ID,
            Budget={"BudgetName": name, "BudgetType": "COST", "TimeUnit": "MONTHLY",
                    "BudgetLimit": {"Amount": str(limit), "Unit": "USD"},
                    "CostFilters": {"TagKeyValue": [f"user:team${team}"]}},
            NotificationsWithSubscribers=[alert("ACTUAL", 80.0), alert("FORECASTED", 100.0)],
        )
        names.append(name)
    return names
