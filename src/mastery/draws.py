"""Seeded property-based draws that every process agrees on.

A hidden test that draws its cases with Hypothesis in the learner's kernel, and a trusted check
(:mod:`mastery.grading.integrity`) that must read the backend for exactly those cases in the
grading process, need the same cases on both sides. ``@settings(derandomize=True)`` alone does
not give that: Hypothesis (6.170 here) mixes literals it finds in the loaded *local* modules
(ours, the tests, anything outside site-packages) into about 5 % of its draws, so the same
derandomized test draws other cases in a process that imported other modules (measured: a
kernel and the grader drew different cases). :func:`draws` blinds Hypothesis to those literals
for its own draws only; ``tests/test_draws.py`` fails if an upgrade of Hypothesis changes that.
"""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def _independent_of_loaded_modules():
    from hypothesis.internal.conjecture import providers
    from hypothesis.internal.constants_ast import Constants

    real = providers._get_local_constants
    providers._get_local_constants = Constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = real
        providers.CONSTANTS_CACHE.cache.clear()


def draws(strategy, n: int, examples: tuple = ()) -> list:
    """``examples`` (explicit cases, first, in order), then ``n`` derandomized draws of
    ``strategy``: the same list in every process, whatever it imported."""
    from hypothesis import HealthCheck, Phase, example, given, settings

    drawn: list = []

    def draw(case):
        drawn.append(case)

    for case in reversed(examples):  # @example decorators run top-down: apply the last first
        draw = example(case)(draw)
    run = settings(max_examples=n, derandomize=True, database=None, deadline=None,
                   phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))(given(strategy)(draw))
    with _independent_of_loaded_modules():
        run()
    return drawn
