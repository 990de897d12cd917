"""mastery.costs: the cost meter prices counted calls with cited us-east-1 prices."""

from __future__ import annotations

import collections

import pytest

from mastery import aws, costs


def test_every_priced_call_cites_its_pricing_page():
    for (service, op), p in costs.PRICES.items():
        assert p.usd > 0 or op == "StartExecution", (service, op)
        assert p.source.startswith("https://aws.amazon.com/"), (service, op)


def test_prices_match_the_published_rates():
    assert costs.price("sqs", "SendMessage").usd * 1e6 == pytest.approx(0.40)
    assert costs.price("dynamodb", "PutItem").usd * 1e6 == pytest.approx(0.625)
    assert costs.price("dynamodb", "Query").usd * 1e6 == pytest.approx(0.125)
    assert costs.price("kms", "Decrypt").usd * 10_000 == pytest.approx(0.03)
    assert costs.price("s3", "PutObject").usd * 1000 == pytest.approx(0.005)
    assert costs.price("s3", "GetObject").usd * 1000 == pytest.approx(0.0004)


def test_control_plane_and_unknown_calls_cost_nothing():
    assert costs.price("dynamodb", "CreateTable").usd == 0
    assert costs.price("nosuch", "Thing").usd == 0


def test_report_totals_the_priced_calls_and_says_so():
    counts = collections.Counter({("sqs", "SendMessage"): 100, ("dynamodb", "PutItem"): 10,
                                  ("dynamodb", "DescribeTable"): 3})
    r = costs.report(counts)
    assert r.calls == 113
    assert r.total == pytest.approx(100 * 0.40e-6 + 10 * 0.625e-6)
    assert r.table.iloc[0]["operation"] == "SendMessage"      # dearest first
    assert "113 AWS calls" in str(r) and "$" in str(r)
    assert costs.report(counts, scale=1000).total == pytest.approx(1000 * r.total)


def test_batching_sqs_sends_is_ten_times_cheaper():
    one_by_one = costs.report({("sqs", "SendMessage"): 100}).total
    batched = costs.report({("sqs", "SendMessageBatch"): 10}).total
    assert one_by_one == pytest.approx(10 * batched)


def test_empty_meter_reports_zero():
    r = costs.report(aws.CallMeter())
    assert r.total == 0 and r.calls == 0


def test_state_transitions_count_states_and_task_retries():
    events = [{"type": "ExecutionStarted"},
              {"type": "PassStateEntered"}, {"type": "PassStateExited"},
              {"type": "TaskStateEntered"}, {"type": "TaskScheduled"}, {"type": "TaskFailed"},
              {"type": "TaskScheduled"}, {"type": "TaskSucceeded"}, {"type": "TaskStateExited"},
              {"type": "SucceedStateEntered"}, {"type": "ExecutionSucceeded"}]
    assert costs.state_transitions(events) == 4           # 3 states + 1 retry
    assert costs.standard_workflow_cost(4000) == pytest.approx(0.10)


def test_express_bills_requests_and_100ms_of_at_least_64mb():
    # 1M requests of 0.25 s -> 0.3 s billed x 64/1024 GB x $0.06 per GB-hour + $1.00
    got = costs.express_workflow_cost(1_000_000, 0.25)
    assert got == pytest.approx(1.0 + 1_000_000 * 0.3 * 0.0625 / 3600 * 0.06)
    assert costs.express_workflow_cost(1, 0.3) == costs.express_workflow_cost(1, 0.21)


def test_express_memory_is_billed_in_64mb_chunks():
    at_64 = costs.express_workflow_cost(1000, 1.0, 64)
    assert costs.express_workflow_cost(1000, 1.0, 50) == at_64          # the floor
    assert costs.express_workflow_cost(1000, 1.0, 62.85) == at_64       # the page's example 3
    assert costs.express_workflow_cost(1000, 1.0, 65) == costs.express_workflow_cost(1000, 1.0, 128)
    assert costs.express_workflow_cost(1000, 1.0, 65) > at_64


def test_express_duration_uses_the_volume_tiers_of_the_pricing_example():
    # Step Functions pricing page, Express example: 100 million workflows of 10 s at 64 MB:
    # 17,361.11 GB-hours -> $60.00 + $120.00 + $202.97 of duration, $100.00 of requests.
    got = costs.express_workflow_cost(100_000_000, 10)
    assert got == pytest.approx(100.00 + 60.00 + 120.00 + 202.97, abs=0.01)


def test_dynamodb_cost_prices_consumed_units():
    assert costs.dynamodb_cost(read_units=8, write_units=2) == pytest.approx(8 * 0.125e-6 + 2 * 0.625e-6)
