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

Every graded kernel starts in an empty folder, where Hypothesis keeps its Unicode tables
(``.hypothesis/unicode_data``): without them, the first ``st.text()`` of a kernel computes the
utf-8 table over all 1.1 million code points (1.2 CPU-s measured), in every grading of the five
weeks whose hidden tests draw text. :func:`seed_unicode_tables`, called by
the sandbox's wrapper before the kernel starts, copies tables computed once per machine into the
kernel's folder. The tables are a pure function of the interpreter's Unicode version, so the
draws are the same with or without them (``tests/test_draws.py``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

from mastery.imports import after_import

_PROVIDERS = "hypothesis.internal.conjecture.providers"


def _blind(providers) -> None:
    from hypothesis.internal.constants_ast import Constants

    providers._get_local_constants = Constants  # an empty set of constants, every time
    providers.CONSTANTS_CACHE.cache.clear()


def blind_hypothesis_on_import() -> None:
    """From now on in this process, Hypothesis draws as if no local module were loaded: at once
    when it is already imported, else when it is (Hypothesis itself is not imported here)."""
    after_import(_PROVIDERS, _blind)


GRADING_PROFILE = "mastery-grading"
# Set in a graded kernel's environment by the grader (``GuardedExecute.hypothesis_shrink = False``):
# Hypothesis reports the first failing example it finds instead of shrinking it first
NO_SHRINK = "MASTERY_HYPOTHESIS_NO_SHRINK"


def _grading_profile(hypothesis) -> None:
    from hypothesis import Phase, settings

    shrink = os.environ.get(NO_SHRINK) != "1"
    phases = tuple(p for p in Phase if p is not Phase.explain and (shrink or p is not Phase.shrink))
    settings.register_profile(GRADING_PROFILE, phases=phases)
    settings.load_profile(GRADING_PROFILE)
    if not shrink:
        _find_still_shrinks(hypothesis, phases)


def _find_still_shrinks(hypothesis, profile_phases: tuple) -> None:
    """``hypothesis.find`` returns the *smallest* example that meets a condition, and a hidden
    test may go on to check the learner's code on it (week 11 does): without its shrink phase it
    would return another example, and the test could check something else. So ``find`` keeps
    shrinking where its settings did not choose their own phases."""
    from hypothesis import Phase
    from hypothesis import settings as Settings

    real = hypothesis.find

    def find(specifier, condition, *, settings=None, random=None, database_key=None):
        base = settings if settings is not None else Settings(max_examples=2000)  # find's default
        if tuple(base.phases) == profile_phases:  # inherited from the profile, not chosen
            base = Settings(base, phases=tuple(p for p in Phase if p is not Phase.explain))
        return real(specifier, condition, settings=base, random=random, database_key=database_key)

    find.__doc__, find.__wrapped__ = real.__doc__, real
    hypothesis.find = find


def grading_profile_on_import() -> None:
    """Hypothesis in a graded kernel skips its *explain* phase: after a test fails and its example
    is shrunk, that phase runs the example again under a line tracer to add notes on which
    branches mattered (measured: 0.6–1.3 CPU-s for one failing hidden test that calls the local
    AWS). A hidden test reports its own message and never those notes, and the phase changes no
    verdict, no draw and no shrunk example. Tests that set ``phases`` themselves keep theirs.
    Where the grader asks (:data:`NO_SHRINK`), ``@given`` tests skip the *shrink* phase too: a
    failing example fails the test whether or not it is shrunk first, so the verdict is the same;
    ``find``, whose answer is the shrunk example, still shrinks (:func:`_find_still_shrinks`)."""
    after_import("hypothesis", _grading_profile)


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


# Hypothesis's tables kept per folder: the category map (any st.characters / st.text) and the
# codec table st.text()'s default alphabet needs (characters(codec="utf-8"); "ascii" is special-cased
# by Hypothesis to code points 0-127 and needs none)
_CODECS = ("utf-8",)
_TABLES = ("charmap.json.gz", *(f"codec-v2-{c}.json.gz" for c in _CODECS))
_COMPUTE = ("from hypothesis.internal.charmap import charmap, intervals_from_codec\n"
            "charmap()\n" + "".join(f"intervals_from_codec({c!r})\n" for c in _CODECS))


def unicode_tables_home() -> Path:
    """Where this machine keeps the tables once computed (the grader's cache, not a kernel's)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mastery" / "hypothesis"


def seed_unicode_tables(folder: Path, home: Path | None = None) -> bool:
    """Put Hypothesis's Unicode tables into ``folder/.hypothesis`` (the storage Hypothesis uses in
    a process started in ``folder``), computing them into ``home`` first if this machine has not
    yet (once, in a separate process: about 2 CPU-s). Returns whether the folder got them; on any
    failure the kernel computes them itself, as it did before: slower, never different."""
    home = Path(home or unicode_tables_home())
    where = Path("unicode_data") / unicodedata.unidata_version
    try:
        if not all((home / where / name).is_file() for name in _TABLES):
            subprocess.run([sys.executable, "-c", _COMPUTE], cwd=folder, check=True, timeout=120,
                           capture_output=True, env={**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(home)})
        target = Path(folder) / ".hypothesis" / where
        target.mkdir(parents=True, exist_ok=True)
        for name in _TABLES:
            shutil.copyfile(home / where / name, target / name)
        return True
    except (OSError, subprocess.SubprocessError):
        return False
