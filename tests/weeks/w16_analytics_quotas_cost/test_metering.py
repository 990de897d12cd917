"""The plumbing of week 16: prices from the facts table, the seeded usage log, the load
simulation, partition heat and the two event envelopes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mastery import facts
from mastery.weeks.w16_analytics_quotas_cost import metering


def test_prices_are_the_facts_tables_per_unit():
    assert metering.PRICES["ddb_write_units"] == Decimal("0.000000625")
    assert metering.PRICES["ddb_read_units"] == Decimal("0.000000125")
    assert metering.PRICES["lambda_requests"] == Decimal("0.0000002")
    assert metering.PRICES["lambda_gb_seconds"] == Decimal(str(facts.value("lambda_x86_gb_second_usd")))
    assert all(isinstance(p, Decimal) and p > 0 for p in metering.PRICES.values())


def test_usage_log_is_seeded_and_real_shaped():
    a, b = metering.graded_log(), metering.graded_log()
    assert a == b and len(a) > 1000
    assert {r["metric"] for r in a} == set(metering.METRICS)
    assert all(isinstance(r["quantity"], str) and Decimal(r["quantity"]) > 0 for r in a)
    tenants = {r["tenant"] for r in a}
    assert len(tenants) == metering.GRADED["tenants"] and "megacorp" in tenants
    assert not any(r["tenant"].startswith("trial-") and r["metric"] == "ddb_read_units" for r in a)
    api = {}
    for r in a:
        if r["metric"] == "api_requests":
            api[r["tenant"]] = api.get(r["tenant"], 0) + int(r["quantity"])
    assert api["megacorp"] > 0.3 * sum(api.values()), "megacorp is the noisy tenant"
    quiet = {(r["tenant"], r["date"]) for r in a if r["tenant"] == "tenant-10"}
    assert len(quiet) < 30, "a small tenant has days without a row"


def test_simulation_throttles_the_noisy_tenant_only_and_reports_percentiles():
    rep = metering.simulate(users=2_000, tenants=20, seconds=20, noisy_share=0.1, noisy_think_s=0.5, seed=3)
    assert rep.admitted > 0 and sum(rep.served.values()) <= rep.admitted
    assert set(rep.throttled) == {"t000"}, rep.throttled.most_common(3)
    p50, p99 = rep.percentile(50), rep.percentile(99)
    assert 0 < p50 <= p99
    assert metering.simulate(users=300, tenants=5, seconds=5, seed=1).latencies_ms == \
        metering.simulate(users=300, tenants=5, seconds=5, seed=1).latencies_ms


def test_partition_heat_flags_keys_over_the_per_partition_limit():
    writes = [(0, "hot", 1024)] * 1001 + [(0, "cool", 2048)] * 400 + [(1, "hot", 100)] * 10
    heat = metering.partition_heat(writes)
    assert heat["hot"] == {"peak_wcu": 1001, "seconds_over": 1, "hot": True}
    assert heat["cool"] == {"peak_wcu": 800, "seconds_over": 0, "hot": False}
    assert [metering.write_units(b) for b in (0, 1024, 1025)] == [1, 1, 2]


@pytest.mark.parametrize("mode", ["binary", "structured"])
def test_cloudevents_round_trip_through_the_sdk(mode):
    headers, body = metering.cloudevent_http("e-1", "TaskCreated", {"task_id": "t-1"}, mode=mode,
                                             headers={"Authorization": "Bearer x"})
    assert headers["authorization"] == "Bearer x"
    assert ("ce-id" in headers) == (mode == "binary")
    ev = metering.parse_cloudevent({k.upper(): v for k, v in headers.items()}, body)
    assert (ev.get_id(), ev.get_type(), ev.get_data()) == ("e-1", "TaskCreated", {"task_id": "t-1"})
    with pytest.raises(ValueError):
        metering.cloudevent_http("e-1", "T", {}, mode="carrier-pigeon")


def test_eventbridge_envelope():
    ev = metering.eventbridge_event("id-1", "TaskCreated", {"data": {"a": 1}})
    assert ev["id"] == "id-1" and ev["detail-type"] == "TaskCreated" and ev["version"] == "0"
    assert ev["detail"] == {"data": {"a": 1}}
