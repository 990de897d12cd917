"""finops: the FOCUS generator and the other week-9 data makers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mastery.weeks.w09_cost_analytics import finops


@pytest.fixture(scope="module")
def acme():
    return finops.make_focus()


def test_columns_are_focus_names_and_shuffling_only_reorders(acme):
    assert list(acme.columns) == finops.FOCUS_COLUMNS
    shuffled = finops.make_focus(shuffle_columns=True)
    assert list(shuffled.columns) != finops.FOCUS_COLUMNS
    pd.testing.assert_frame_equal(shuffled[finops.FOCUS_COLUMNS], acme)


def test_same_seed_same_data_other_seed_other_data(acme):
    pd.testing.assert_frame_equal(finops.make_focus(), acme)
    assert not finops.make_focus(seed=10)["EffectiveCost"].equals(acme["EffectiveCost"])


def test_commitment_purchase_is_billed_once_and_amortised(acme):
    purchase = acme[acme["ChargeCategory"] == "Purchase"]
    assert len(purchase) == 1
    assert purchase["BilledCost"].iloc[0] > 10_000 and purchase["EffectiveCost"].iloc[0] == 0
    covered = acme[acme["CommitmentDiscountStatus"] == "Used"]
    assert (covered["BilledCost"] == 0).all()
    assert (covered["EffectiveCost"] < covered["ListCost"]).all()


def test_untagged_spend_exists_and_tags_parse(acme):
    t = finops.tags(acme["Tags"])
    assert set(t.columns) == {"team", "env"}
    assert t["team"].isna().sum() > 0
    assert finops.tags(pd.Series(['{"a": "1"}', "", None])).to_dict("records")[0] == {"a": "1"}


def test_planted_anomalies_are_visible_in_the_daily_costs(acme):
    day = acme["ChargePeriodStart"].str[:10]
    daily = acme.groupby([day, "ServiceName"])["EffectiveCost"].sum()
    for d, service in finops.planted_anomalies("acme"):
        week_before = pd.Timestamp(d) - pd.Timedelta(days=7)
        assert daily[(d, service)] > 1.5 * daily[(week_before.strftime("%Y-%m-%d"), service)]


def test_second_company_is_different():
    globex = finops.make_focus(seed=21, company="globex")
    assert set(globex["BillingAccountName"]) == {"Globex Logistics"}
    teams = {json.loads(t).get("team") for t in globex["Tags"]}
    assert "routing" in teams and "checkout" not in teams


def test_size_step_stays_in_the_family():
    assert finops.size_step("m5.xlarge", -1) == "m5.large"
    assert finops.size_step("c5.2xlarge", +1) == "c5.4xlarge"
    assert finops.size_step("m5.large", -1) is None


def test_lambda_log_and_power_tuning_shapes():
    log = finops.make_lambda_invocations(n=10)
    assert set(log["Architecture"]) == {"x86_64", "arm64"} and len(log) == 30
    assert log["Timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    tuning = finops.make_power_tuning(runs=5)
    assert sorted(tuning["MemorySize"].unique()) == finops.TUNING_MEMORY
    means = tuning.groupby("MemorySize")["Duration"].mean()
    assert means.is_monotonic_decreasing


def test_lambda_prices_are_the_published_first_tier():
    assert finops.LAMBDA_GB_SECOND_USD["x86_64"] == 0.0000166667
    assert finops.LAMBDA_GB_SECOND_USD["arm64"] == 0.0000133334
    assert finops.LAMBDA_REQUEST_USD * 1e6 == pytest.approx(0.20)
    assert (finops.LAMBDA_FREE_REQUESTS, finops.LAMBDA_FREE_GB_SECONDS) == (1_000_000, 400_000)
