"""The plumbing of week 21."""

from __future__ import annotations

from mastery.weeks.w21_failure_is_normal import retries


def test_sample_items_are_stable():
    assert retries.sample_items() == [3, 1, 4, 1, 5]
