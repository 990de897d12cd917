"""mastery.draws: the same cases in every process, whatever it imported (a hidden test draws them
in the learner's kernel, its trusted check again in the grading process)."""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import strategies as st

from mastery.draws import draws

CODE = """
import sys
from hypothesis import strategies as st
from mastery.draws import draws
{imports}
print(repr(draws(st.lists(st.integers(0, 1000), max_size=5), 40, examples=([7], [8, 9]))))
"""


def _in_another_process(imports: str, seed: str) -> str:
    return subprocess.run([sys.executable, "-c", CODE.format(imports=imports)], capture_output=True,
                          text=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()


def test_draws_do_not_depend_on_the_process_or_its_imports():
    """This process has loaded the course and its tests (Hypothesis's "local" modules, full of
    literals); the others load nothing else, or a module with other literals, under other hash
    seeds: every process draws the same list, explicit examples first."""
    here = repr(draws(st.lists(st.integers(0, 1000), max_size=5), 40, examples=([7], [8, 9])))
    bare = _in_another_process("", "0")
    other = _in_another_process("import mastery.weeks.w01_event_sourcing_cqrs.checks", "random")
    assert here == bare == other
    cases = eval(here)  # noqa: S307 - our own repr of lists of ints
    assert cases[:2] == [[7], [8, 9]] and len(cases) == 42
    assert len({tuple(c) for c in cases}) > 30, "draws, not one case repeated"


def test_draws_leave_hypothesis_as_it_was():
    """Outside a call, Hypothesis sees the loaded modules' literals again (its own behaviour)."""
    from hypothesis.internal.conjecture import providers

    before = providers._get_local_constants
    draws(st.integers(0, 3), 3)
    assert providers._get_local_constants is before


BLIND = """
import sys
{before}
import mastery.weeks.w01_event_sourcing_cqrs.checks  # a local module full of literals (editable install)
from hypothesis import given, settings, strategies as st
from hypothesis.internal.conjecture import providers
seen = []
@settings(max_examples=60, derandomize=True, database=None)
@given(st.integers(0, 10**9))
def t(x):
    seen.append(x)
t()
print(len(providers._get_local_constants()), repr(seen))
"""


def _blind_run(before: str) -> tuple[int, str]:
    out = subprocess.run([sys.executable, "-c", BLIND.format(before=before)], capture_output=True,
                         text=True, check=True).stdout.split(" ", 1)
    return int(out[0]), out[1].strip()


def test_the_graded_kernel_draws_blind_to_local_modules():
    """The graded kernel's launcher blinds Hypothesis before any cell runs, without importing it:
    a hidden test's own `@given` then draws no literal of the course's editable modules, so CI
    and a wheel install meet the same cases. Without the launcher's preparation the same draw
    sees the local literals (the comparison that makes this test able to fail)."""
    prepared = "from mastery.grading.sandbox import kernel; kernel.prepare()\n" \
               "assert 'hypothesis' not in sys.modules, 'the launcher imported Hypothesis'"
    blind_constants, blind = _blind_run(prepared)
    seeing_constants, seeing = _blind_run("")
    assert blind_constants == 0
    assert seeing_constants > 0, "Hypothesis no longer collects local literals: this test can go"
    # hiding after Hypothesis was imported works too
    late_constants, late = _blind_run("from hypothesis.internal.conjecture import providers\n"
                                      "from mastery.draws import blind_hypothesis_on_import\n"
                                      "blind_hypothesis_on_import()")
    assert late_constants == 0 and late == blind
