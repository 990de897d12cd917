"""canary: the sample size, the provided traffic, and the Lambda alias plumbing."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest

from mastery import aws
from mastery.weeks.w04_canary_releases import canary


def test_sample_size_matches_the_normal_approximation_by_hand():
    # z_0.95 = 1.6449, z_0.80 = 0.8416: (2.4865)^2 * (0.0099 + 0.0196) / 0.01^2 = 1823.9 -> 1824
    assert canary.sample_size(0.01, 0.02, alpha=0.05, power=0.8) == 1824


def test_sample_size_grows_for_smaller_effects_and_stricter_tests():
    base = canary.sample_size(0.01, 0.02)
    assert canary.sample_size(0.01, 0.015) > base
    assert canary.sample_size(0.01, 0.02, alpha=0.01) > base
    assert canary.sample_size(0.01, 0.02, power=0.95) > base


@pytest.mark.parametrize(("p0", "p1"), [(0.02, 0.01), (0.0, 0.01), (0.01, 1.0)])
def test_sample_size_rejects_impossible_rates(p0, p1):
    with pytest.raises(ValueError):
        canary.sample_size(p0, p1)


def test_totals_sum_each_version_and_stop_at_a_minute():
    traffic = canary.load_traffic()
    baseline, cnry = canary.totals(traffic, "thin")
    assert baseline == {"requests": 3960, "errors": baseline["errors"]}
    assert cnry["requests"] == 40
    b0, c0 = canary.totals(traffic, "good", until_minute=0)
    assert b0["requests"] + c0["requests"] == 1000 and c0["requests"] == 10
    with pytest.raises(KeyError, match="no scenario"):
        canary.totals(traffic, "nope")


def test_cumulative_rates_are_cumulative_errors_over_requests():
    frame = canary.cumulative(canary.load_traffic(), "bad")
    last = frame.iloc[-1]
    b, c = canary.totals(canary.load_traffic(), "bad")
    assert last["requests_canary"] == c["requests"] and last["errors_baseline"] == b["errors"]
    assert last["rate_canary"] == pytest.approx(c["errors"] / c["requests"])
    assert list(frame["canary_percent"].iloc[[0, 5, 10, 20]]) == [1, 5, 25, 50]


def test_zip_holds_the_handler_and_is_reproducible():
    blob = canary.zip_bytes(canary.handler_source(3))
    assert blob == canary.zip_bytes(canary.handler_source(3))
    src = zipfile.ZipFile(io.BytesIO(blob)).read("app.py").decode()
    scope: dict = {}
    exec(src, scope)  # the handler is real code: run it in-process as Lambda would
    assert scope["handler"]({"headers": {"x-user-id": "u1"}}, None)["body"] == "checkout v3 for u1"


@pytest.mark.usefixtures("local_aws")
def test_deploy_function_is_idempotent_and_alias_routing_reads_back():
    name = aws.namespace("test-canary", "pytest").name(f"fn-{uuid.uuid4().hex[:6]}")
    assert canary.deploy_function(name, versions=2) == ["1", "2"]
    assert canary.deploy_function(name, versions=2) == ["1", "2"]
    assert canary.published_versions(name) == ["1", "2"]
    canary.reset_alias(name, "live", "1")
    assert canary.routing(name, "live") == {"primary": "1", "weights": {}}
    aws.client("lambda").update_alias(FunctionName=name, Name="live", FunctionVersion="1",
                                      RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    assert canary.routing(name, "live") == {"primary": "1", "weights": {"2": 0.1}}
    assert canary.traffic_share(name, "live", "2") == 10
    assert canary.traffic_share(name, "live", "1") == 90
    canary.reset_alias(name, "live", "2")
    assert canary.traffic_share(name, "live", "2") == 100
