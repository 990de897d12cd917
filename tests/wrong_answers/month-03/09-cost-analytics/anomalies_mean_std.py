# Wrong answer: flags days above the mean plus three standard deviations of the previous 14 days with no minimum impact; weekends inflate the spread and quiet series flag noise, so alarms are missed and invented.
# cell: anomalies
# loses: test-anomalies, test-anomalies-any-focus
def anomalies(billing, window=14, z=3.5, min_increase=0.2):
    day = pd.to_datetime(billing["ChargePeriodStart"], utc=True).dt.strftime("%Y-%m-%d")
    daily = billing["EffectiveCost"].astype(float).groupby([day, billing["ServiceName"]]).sum().unstack(
        fill_value=0.0).sort_index()
    flagged = set()
    for service in daily.columns:
        x = daily[service].to_numpy()
        for i in range(window, len(x)):
            prev = x[i - window:i]
            if x[i] > prev.mean() + 3 * prev.std():
                flagged.add((daily.index[i], service))
    return flagged
