# Wrong answer: the seed's rightsizer compares the average CPU with the 30 %/80 % bands, so a batch box averaging 25 % with nightly peaks near 90 % is downsized into an outage.
# cell: rightsizing
# loses: test-rightsizing
def rightsize(util):
    rows = {}
    for iid, g in util.groupby("InstanceId"):
        itype = g["InstanceType"].iloc[0]
        p95 = float(g["CPUUtilization"].mean())
        action, rec = "keep", itype
        if p95 < 30 or p95 > 80:
            other = finops.size_step(itype, -1 if p95 < 30 else +1)
            if other is not None:
                action, rec = ("downsize" if p95 < 30 else "upsize"), other
        rows[iid] = {"InstanceType": itype, "p95": p95, "action": action, "recommended": rec,
                     "monthly_savings": (EC2_HOURLY[itype] - EC2_HOURLY[rec]) * HOURS_PER_MONTH}
    return pd.DataFrame.from_dict(rows, orient="index")
