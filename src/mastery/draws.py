"""Seeded property-based draws that every process agrees on.

A hidden test that draws its cases with Hypothesis in the learner's kernel, and a trusted check
(:mod:`mastery.grading.integrity`) that must read the backend for exactly those cases in the
grading process, need the same cases on both sides. ``@settings(derandomize=True)`` alone does
not give that: Hypothesis (6.170 here) mixes literals it finds in the loaded *local* modules
(ours, the tests, anything outside site-packages) into about 5 % of its draws, so the same
derandomized test draws other cases in a process that imported other modules (measured: a
kernel and the grader drew different cases). :func:`draws` blinds Hypothesis to those literals
for its own draws only; ``tests/test_draws.py`` fails if an upgrade of Hypothesis changes that.

Hidden tests that use ``@given`` themselves (not :func:`draws`) run in the graded kernel, where
the course is "local" when installed editable (CI, ``./course``) and not when installed from a
wheel (an instructor's server): the same submission could meet other cases there.
:func:`blind_hypothesis_on_import`, called by the graded kernel's launcher
(:mod:`mastery.grading.sandbox.kernel`), makes every draw in that kernel blind to local literals,
without importing Hypothesis in kernels that never use it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import sys

_PROVIDERS = "hypothesis.internal.conjecture.providers"


def _blind(providers) -> None:
    from hypothesis.internal.constants_ast import Constants

    providers._get_local_constants = Constants  # an empty set of constants, every time
    providers.CONSTANTS_CACHE.cache.clear()


class _BlindOnImport(importlib.abc.MetaPathFinder):
    """Finds Hypothesis's providers module with the finders after it and blinds the module once
    it has run (a post-import hook; the import system has none of its own)."""

    def find_spec(self, name, path, target=None):
        if name != _PROVIDERS:
            return None
        for finder in sys.meta_path[sys.meta_path.index(self) + 1:]:
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                run = spec.loader.exec_module

                def exec_module(module, _run=run):
                    _run(module)
                    _blind(module)

                spec.loader.exec_module = exec_module
                return spec
        return None


def blind_hypothesis_on_import() -> None:
    """From now on in this process, Hypothesis draws as if no local module were loaded: at once
    when it is already imported, else when it is (Hypothesis itself is not imported here)."""
    if _PROVIDERS in sys.modules:
        _blind(sys.modules[_PROVIDERS])
    elif not any(isinstance(f, _BlindOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _BlindOnImport())


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
