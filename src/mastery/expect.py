"""The assertion helper every test cell uses: ``expect(condition, hint)``.

Kernel side and deliberately tiny: a test cell imports it in every exercise, so it imports
nothing else (``mastery check`` measures a bare kernel's start-up against a graded one).
"""

from __future__ import annotations


def expect(condition, hint: str) -> None:
    """``assert`` with a hint a learner can act on (the hint is what ``mastery check`` shows)."""
    if not condition:
        raise AssertionError(hint)
