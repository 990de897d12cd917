"""finops: the FOCUS generator and the other week-9 data makers."""

from __future__ import annotations

import csv
import gzip
import json
from decimal import Decimal

import pandas as pd
import pytest

from mastery import data
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


# ------------------------------------------------------------------ load_billing on any export

SAMPLE = data.path("focus-1.0-sample/focus_sample.csv")


def _raw(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_the_public_sample_loads_whole_and_typed():
    raw = _raw(SAMPLE)
    b = finops.load_focus_sample()
    assert b.shape == (len(raw), 44) == (1000, 44)
    assert list(b.columns) == list(raw[0])
    assert not (b.astype(str) == "NULL").any().any(), "the literal NULL must be a missing value, not a label"
    for col in ("BilledCost", "EffectiveCost", "ListCost"):        # nothing lost: exact totals
        want = sum(Decimal(r[col]) for r in raw)
        assert abs(Decimal(float(b[col].sum())) - want) < Decimal("1e-9"), col
    assert b["ResourceId"].isna().sum() == sum(r["ResourceId"] == "NULL" for r in raw) == 75
    assert b["SubAccountId"].tolist() == [r["SubAccountId"] for r in raw]      # ids stay text
    assert str(b["ChargePeriodStart"].dt.tz) == "UTC"
    assert b["ChargePeriodStart"].iloc[0] == pd.Timestamp("2024-09-18 22:00", tz="UTC")
    untagged = [r["Tags"] == "NULL" for r in raw]
    assert (b["Tags"][untagged] == "{}").all() and sum(untagged) == 289
    t = finops.tags(b["Tags"])
    assert "environment" in t and t["environment"].notna().sum() > 100


def test_the_generated_file_loads_to_the_same_numbers_as_before():
    b = finops.load_billing()
    old = pd.read_csv(data.path("cost_analytics/focus_billing.csv"), keep_default_na=False, na_values=[""])
    assert list(b.columns) == list(old.columns)
    for col in finops.FOCUS_NUMERIC:
        if col in old:
            pd.testing.assert_series_equal(b[col], old[col].astype(float), check_names=False)
    assert b["BillingAccountId"].iloc[0] == "111122223333"
    assert b["CommitmentDiscountId"].isna().sum() == old["CommitmentDiscountId"].isna().sum() > 0


@pytest.mark.parametrize("mixed", [True, False])
def test_an_export_with_nulls_quotes_and_mixed_timestamps_reads_back_the_same(tmp_path, mixed):
    g = finops.make_focus(seed=21, company="globex", shuffle_columns=True)
    finops.write_export(g, tmp_path / "export.csv", mixed_timestamps=mixed)
    text = (tmp_path / "export.csv").read_text()
    assert '"NULL"' in text and ("-05:00" in text) == mixed and ('"2026-01-01 00:00:00"' in text) == mixed
    pd.testing.assert_frame_equal(finops.load_billing(tmp_path / "export.csv"), finops.normalise_billing(g))


def test_every_timestamp_style_is_one_instant_in_utc(tmp_path):
    styles = ["2024-09-30T23:00:00Z", "2024-09-30 23:00:00", "2024-09-30T23:00:00.000Z",
              "2024-09-30T18:00:00-05:00", "2024-10-01T01:00:00+02:00", "2024-09-30 23:00:00 UTC",
              "2024-09-30T23:00:00+00:00"]
    rows = [{"ChargePeriodStart": s, "ServiceName": "S", "BilledCost": "1", "EffectiveCost": "1"}
            for s in styles]
    pd.DataFrame(rows).to_csv(tmp_path / "t.csv", index=False)
    b = finops.load_billing(tmp_path / "t.csv")
    assert (b["ChargePeriodStart"] == pd.Timestamp("2024-09-30 23:00", tz="UTC")).all()
    assert set(b["ChargePeriodStart"].dt.strftime("%Y-%m")) == {"2024-09"}
    assert (b["Tags"] == "{}").all(), "no Tags column: every row untagged, none dropped"


def _write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


HEADER = ["ChargePeriodStart", "ServiceName", "BilledCost", "EffectiveCost", "Tags"]
GOOD = ["2024-09-01T00:00:00Z", "Amazon S3", "1.5", "1.5", '{"team": "a"}']


@pytest.mark.parametrize(("row", "words"), [
    (["2024-09-01T00:00:00Z", "Amazon S3", "1,5", "1.5", "{}"], ["row 2", "BilledCost", "'1,5'"]),
    (["2024-09-01T00:00:00Z", "Amazon S3", "1.5", "NaN", "{}"], ["row 2", "EffectiveCost", "'NaN'"]),
    (["09/01/2024 00:00", "Amazon S3", "1.5", "1.5", "{}"], ["row 2", "ChargePeriodStart", "ISO 8601"]),
    (["2024-13-01T00:00:00Z", "Amazon S3", "1.5", "1.5", "{}"], ["row 2", "ChargePeriodStart"]),
    (["2024-09-01T00:00:00Z", "Amazon S3", "1.5", "NULL", "{}"], ["row 2", "EffectiveCost", "requires"]),
    (["NULL", "Amazon S3", "1.5", "1.5", "{}"], ["row 2", "ChargePeriodStart", "requires"]),
    (["2024-09-01T00:00:00Z", "Amazon S3", "1.5", "1.5", "{team: a}"], ["row 2", "Tags", "not valid JSON"]),
    (["2024-09-01T00:00:00Z", "Amazon S3", "1.5", "1.5", '["a"]'], ["row 2", "Tags", "not an object"]),
])
def test_bad_input_names_the_row_and_the_column(tmp_path, row, words):
    path = _write(tmp_path / "bad.csv", HEADER, [GOOD, row, GOOD])
    with pytest.raises(finops.BillingDataError) as e:
        finops.load_billing(path)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    assert "bad.csv" in str(e.value)


def test_a_short_or_long_row_is_an_error_not_a_padded_row(tmp_path):
    for bad in (GOOD[:3], [*GOOD, "extra"]):
        with pytest.raises(finops.BillingDataError, match=r"data row 2 \(line 3\) has \d fields, the header"):
            finops.load_billing(_write(tmp_path / "short.csv", HEADER, [GOOD, bad]))


def test_header_problems_are_named(tmp_path):
    with pytest.raises(finops.BillingDataError, match=r"\['EffectiveCost'\]"):
        finops.load_billing(_write(tmp_path / "a.csv", HEADER[:3] + ["Tags"], [GOOD[:3] + ["{}"]]))
    with pytest.raises(finops.BillingDataError, match="more than once"):
        finops.load_billing(_write(tmp_path / "b.csv", [*HEADER, "Tags"], [[*GOOD, "{}"]]))
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(finops.BillingDataError, match="empty"):
        finops.load_billing(tmp_path / "empty.csv")
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        finops.load_billing(tmp_path / "nowhere.csv")


def test_gzip_bom_blank_lines_and_header_only(tmp_path):
    body = "\ufeff" + ",".join(HEADER) + "\n" + ",".join([*GOOD[:4], "NULL"]) + "\n\n"
    (tmp_path / "b.csv").write_text(body, encoding="utf-8")
    with gzip.open(tmp_path / "b.csv.gz", "wt", encoding="utf-8") as f:
        f.write(body)
    for name in ("b.csv", "b.csv.gz"):
        b = finops.load_billing(tmp_path / name)
        assert list(b.columns) == HEADER and len(b) == 1 and b["Tags"].iloc[0] == "{}"
    head_only = finops.load_billing(_write(tmp_path / "h.csv", HEADER, []))
    assert head_only.empty and list(head_only.columns) == HEADER


def test_tags_reads_null_empty_and_json_null_as_untagged():
    t = finops.tags(pd.Series(['{"a": "1"}', "NULL", "", None, "null", float("nan"), "{}"]))
    assert t["a"].tolist()[0] == "1" and t["a"].isna().sum() == 6
    with pytest.raises(finops.BillingDataError, match="row 2"):
        finops.tags(pd.Series(['{"a": "1"}', "{oops"]))
