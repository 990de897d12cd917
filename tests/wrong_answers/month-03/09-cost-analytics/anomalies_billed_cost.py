# Wrong answer: watches BilledCost, so the planned up-front Savings Plan purchase is raised as a cost anomaly (a false alarm on every commitment bought).
# cell: anomalies
# loses: test-anomalies, test-anomalies-any-focus
def anomalies(billing, window=14, z=3.5, min_increase=0.2):
    day = pd.to_datetime(billing["ChargePeriodStart"], utc=True).dt.strftime("%Y-%m-%d")
    daily = billing["BilledCost"].astype(float).groupby([day, billing["ServiceName"]]).sum().unstack(
        fill_value=0.0).sort_index()
    flagged = set()
    for service in daily.columns:
        x = daily[service].to_numpy()
        for i in range(window, len(x)):
            prev = x[i - window:i]
            m = float(np.median(prev))
            mad = float(np.median(np.abs(prev - m)))
            if x[i] - m > max(z * mad / 0.6745, min_increase * m):
                flagged.add((daily.index[i], service))
    return flagged
