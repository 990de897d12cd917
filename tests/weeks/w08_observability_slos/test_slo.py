"""slo: the week-8 request logs and the alert plumbing (episodes, attribution, pictures)."""

from __future__ import annotations

import pandas as pd
import pytest

from mastery.weeks.w08_observability_slos import slo


def _series(values, start="2026-10-01"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="min"))


def test_episodes_are_maximal_runs_with_exclusive_ends():
    s = _series([False, True, True, False, True])
    t = s.index
    assert slo.episodes(s) == [(t[1], t[3]), (t[4], t[4] + pd.Timedelta("1min"))]
    assert slo.episodes(_series([False, False])) == []
    assert slo.episodes(_series([True, True])) == [(t[0], t[2])]


def test_episodes_treat_missing_values_as_not_firing():
    s = _series([None, True, None]).astype(object)
    assert slo.episodes(s) == [(s.index[1], s.index[2])]


def test_explain_attributes_episodes_to_incidents_within_the_tail():
    inc = pd.DataFrame({"incident": ["a"], "start": [pd.Timestamp("2026-10-01 01:00")],
                        "end": [pd.Timestamp("2026-10-01 02:00")]})
    ok = (pd.Timestamp("2026-10-01 01:10"), pd.Timestamp("2026-10-01 02:04"))
    late = (pd.Timestamp("2026-10-01 01:10"), pd.Timestamp("2026-10-01 02:06"))
    early = (pd.Timestamp("2026-10-01 00:59"), pd.Timestamp("2026-10-01 01:30"))
    assert slo.explain([ok, late, early], inc, "5min") == ["a", None, None]


def test_request_logs_cover_thirty_days_minute_by_minute():
    df = slo.load_requests()
    assert len(df) == 30 * 24 * 60 and df.index.freqstr == "min"
    assert list(df.columns) == ["requests", "errors", "slow"]
    assert (df.errors <= df.requests).all() and (df.slow <= df.requests - df.errors).all()


def test_planted_incidents_raise_the_error_rate():
    df, inc = slo.load_requests(), slo.load_incidents()
    assert list(inc.incident) == ["outage", "degraded", "creeping"]
    background = df.errors.sum() / df.requests.sum()
    for r in inc.itertuples():
        window = df.loc[r.start: r.end - pd.Timedelta("1min")]
        rate = window.errors.sum() / window.requests.sum()
        assert rate == pytest.approx(r.error_rate, rel=0.15)
        assert rate > 2 * background or r.incident == "creeping"


def test_pictures_draw_without_error():
    import matplotlib

    matplotlib.use("Agg")
    df, inc = slo.load_requests(), slo.load_incidents()
    fired = pd.DataFrame({"x": df.errors > 50}, index=df.index)
    ax = slo.plot_alerts(fired, inc)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x"]
    ax = slo.plot_burn_rates({"1h": df.errors / df.requests * 1000}, {"14.4x": 14.4}, inc)
    assert ax.get_yscale() == "log"
