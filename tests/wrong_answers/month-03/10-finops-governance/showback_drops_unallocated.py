# Wrong answer: groups by the team tag and silently drops charges without a valid one, so the showback no longer adds up to the bill and untagged spend disappears from view.
# cell: showback
# loses: test-showback
def showback(bill):
    teams = bill["Tags"].map(lambda tags: tags.get("team") if tags.get("team") in governance.TEAMS else None)
    totals = bill.assign(team=teams).groupby("team")["BilledCost"].sum()
    return {team: round(float(cost), 2) for team, cost in totals.items()}
