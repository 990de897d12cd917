# Wrong answer: no TagKeyValue cost filter, so every team's budget measures the whole account's spend and all three alert together.
# cell: team-budgets
# loses: test-budget-config
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
                    "BudgetLimit": {"Amount": str(limit), "Unit": "USD"}},
            NotificationsWithSubscribers=[alert("ACTUAL", 80.0), alert("FORECASTED", 100.0)],
        )
        names.append(name)
    return names
