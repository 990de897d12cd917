# Wrong answer: fires when either window burns too fast (OR instead of AND), so a five-minute blip pages and alerts linger after incidents.
# cell: slo-alerts
# loses: test-alerts-fire-on-incidents
def multiwindow_alerts(df, slo):
    rules = {"page-1h": ("1h", "5min", 14.4), "page-6h": ("6h", "30min", 6.0), "ticket-3d": ("3D", "6h", 1.0)}
    out = {}
    for name, (long, short, threshold) in rules.items():
        out[name] = (burn_rate(df, slo, long) > threshold) | (burn_rate(df, slo, short) > threshold)
    return pd.DataFrame(out, index=df.index)
