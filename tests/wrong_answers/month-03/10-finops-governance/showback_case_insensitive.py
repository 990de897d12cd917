# Wrong answer: reads the team tag case-insensitively, charging the 'Team'-tagged queue to search although AWS cost allocation treats 'Team' and 'team' as different keys.
# cell: showback
# loses: test-showback
def showback(bill):
    def team_of(tags):
        lowered = {k.lower(): v for k, v in (tags or {}).items()}
        team = lowered.get("team")
        return team if team in governance.TEAMS else "unallocated"

    totals = bill.assign(team=bill["Tags"].map(team_of)).groupby("team")["BilledCost"].sum()
    return {team: round(float(cost), 2) for team, cost in totals.items()}
