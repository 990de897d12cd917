"""The plumbing of week 21: the simulated clock, percentiles, the retry budget as the SDKs'
standard mode describes it, the amplification count, and an exchange that fills every time."""

from __future__ import annotations

import pytest

from mastery.weeks.w21_failure_is_normal import retries


def test_sim_clock_moves_only_forward_and_records():
    c = retries.SimClock(100.0)
    c.sleep(0.5)
    c.advance(2)
    assert c.now() == 102.5 and c.sleeps == [0.5]
    with pytest.raises(ValueError):
        c.sleep(-1)


def test_latency_sample_is_seeded_and_has_a_tail():
    a, b = retries.latency_sample(5000, seed=3), retries.latency_sample(5000, seed=3)
    assert a == b
    p50, p99 = retries.percentile(a, 50), retries.percentile(a, 99.9)
    assert 30 < p50 < 50 and p99 > 10 * p50


def test_percentile_is_nearest_rank():
    xs = list(range(1, 101))
    assert retries.percentile(xs, 50) == 50 and retries.percentile(xs, 99) == 99
    assert retries.percentile(xs, 100) == 100 and retries.percentile([7], 1) == 7
    with pytest.raises(ValueError):
        retries.percentile([], 50)


def test_retry_budget_is_the_standard_modes_bucket():
    b = retries.RetryBudget()
    assert (b.capacity, b.retry_cost, b.timeout_cost, b.tokens) == (500, 5, 10, 500)
    b = retries.RetryBudget(capacity=12)
    assert b.withdraw(retries.throttle()) and b.withdraw(TimeoutError()) is False  # 7 left < 10
    assert b.tokens == 7 and b.refused == 1
    b.deposit(retried=True)
    b.deposit()
    assert b.tokens == 12 and b.withdraw(TimeoutError())  # back to 12: deposits stop at the capacity
    assert b.tokens == 2


def test_errors_look_like_botocores():
    t = retries.throttle()
    assert t.response["Error"]["Code"] in retries.RETRYABLE_CODES
    assert t.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert retries.server_error().response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert retries.validation_error().response["Error"]["Code"] not in retries.RETRYABLE_CODES


def test_retries_at_every_layer_multiply():
    assert retries.layered_calls(1, 3) == 3
    assert retries.layered_calls(3, 3) == 27
    assert retries.layered_calls(3, 3, fail=False) == 1


def test_flaky_fails_in_order_then_succeeds():
    f = retries.Flaky([retries.throttle(), None], result="ok")
    with pytest.raises(retries.ClientError):
        f()
    assert f() == "ok" and f() == "ok" and f.calls == 3


def test_payload_hash_ignores_key_order():
    assert retries.payload_hash({"a": 1, "b": 2}) == retries.payload_hash({"b": 2, "a": 1})
    assert retries.payload_hash({"a": 1}) != retries.payload_hash({"a": 2})


@pytest.mark.usefixtures("local_aws")
def test_exchange_fills_every_time_and_can_lose_the_reply():
    from mastery import aws

    table = aws.ensure_table(aws.namespace("w21-plumbing").name("orders"), "order_id", reset=True)
    ex = retries.Exchange(table, retries.SimClock(10.0))
    order = {"symbol": "ACME", "side": "BUY", "qty": 3}
    first, second = ex.execute("k-1", order), ex.execute("k-1", order)
    assert first["order_id"] != second["order_id"] and first["price"] == second["price"]
    ex.fail_after = 1
    with pytest.raises(retries.ExchangeDown):
        ex.execute("k-2", order)
    ex.fail_before = 1
    with pytest.raises(retries.ExchangeDown):
        ex.execute("k-3", order)
    fills = retries.orders_by_key(table, "k-")
    assert {k: len(v) for k, v in fills.items()} == {"k-1": 2, "k-2": 1}
    assert first in fills["k-1"] and second in fills["k-1"]
