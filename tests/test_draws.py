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


TEXT_DRAWS = """
from hypothesis import strategies as st
from mastery.draws import draws
print(repr(draws(st.tuples(st.text(max_size=6), st.text(st.characters(codec="ascii"), max_size=6)), 60)))
"""


def _draw_text_in(folder) -> str:
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    return subprocess.run([sys.executable, "-c", TEXT_DRAWS], cwd=folder, capture_output=True, text=True,
                          check=True, env={**env, "PYTHONHASHSEED": "0"}).stdout.strip()


def test_seeded_unicode_tables_are_read_and_change_no_draw(tmp_path):
    """A graded kernel starts in an empty folder; the sandbox seeds Hypothesis's Unicode tables
    there (mastery.draws.seed_unicode_tables) so that st.text() does not compute them in every
    grading. Seeded or not, the same draws; and the seeded tables are the ones read (a doctored
    table in the folder changes what is drawn, so the seeding is what saves the computation)."""
    import unicodedata

    from mastery.draws import seed_unicode_tables

    seeded, bare, doctored = (tmp_path / n for n in ("seeded", "bare", "doctored"))
    for folder in (seeded, bare, doctored):
        folder.mkdir()
    home = tmp_path / "machine-cache"
    assert seed_unicode_tables(seeded, home=home)
    where = os.path.join(".hypothesis", "unicode_data", unicodedata.unidata_version)
    names = sorted(os.listdir(seeded / where))
    assert names == ["charmap.json.gz", "codec-v2-utf-8.json.gz"]
    machine = home / "unicode_data" / unicodedata.unidata_version
    assert all((seeded / where / n).read_bytes() == (machine / n).read_bytes() for n in names)

    assert _draw_text_in(seeded) == _draw_text_in(bare)
    assert (bare / where / "codec-v2-utf-8.json.gz").exists(), "unseeded, the kernel computes the table"

    import gzip
    import json

    assert seed_unicode_tables(doctored, home=home)
    with gzip.open(doctored / where / "codec-v2-utf-8.json.gz", "wt") as f:
        json.dump([[[97, 99]], []], f)  # "utf-8" can encode a, b and c only
    drawn = "".join(t[0] for t in eval(_draw_text_in(doctored)))  # noqa: S307 - our own repr
    assert drawn and set(drawn) <= set("abc")


def test_unicode_tables_fail_safe(tmp_path):
    """A machine cache that cannot be written leaves the kernel to compute the tables itself."""
    from mastery.draws import seed_unicode_tables

    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    assert seed_unicode_tables(tmp_path, home=blocked) is False


FAILING = """
import sys
{prepare}
from hypothesis import given, settings, strategies as st
calls = []


def traced():
    if sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return bool(monitoring and any(monitoring.get_tool(i) for i in range(6)))


@settings(max_examples=80, derandomize=True, database=None, deadline=None)
@given(st.lists(st.integers(0, 1000), max_size=8), st.text(max_size=5))
def prop(xs, s):
    calls.append(traced())
    assert sum(xs) < 900 or len(s) < 1, f"sum {{sum(xs)}} with {{s!r}}"
try:
    prop()
except AssertionError as e:
    print(repr((str(e).splitlines()[0], sum(calls), len(calls))))
"""


def _failing_run(prepare: str) -> tuple:
    out = subprocess.run([sys.executable, "-c", FAILING.format(prepare=prepare)], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"}).stdout
    return eval(out)  # noqa: S307 - our own repr


def test_the_graded_kernel_skips_only_hypothesis_explain_phase():
    """A failing property test in a graded kernel ends with the same error, shrunk to the same
    example, as anywhere else; but Hypothesis does not run the shrinking under its line tracer
    (which only feeds the explain phase's notes, never reported by a hidden test): the work the
    grading profile saves. A test that sets its own phases keeps them."""
    error, traced, calls = _failing_run("from mastery.grading.sandbox import kernel; kernel.prepare()")
    plain_error, plain_traced, plain_calls = _failing_run(
        "from mastery.draws import blind_hypothesis_on_import; blind_hypothesis_on_import()")
    assert error == plain_error and calls == plain_calls, ((error, calls), (plain_error, plain_calls))
    assert plain_traced > 0, "Hypothesis no longer traces while shrinking: the profile can go"
    assert traced == 0, f"{traced} of {calls} runs of the test were traced in the graded kernel"


def test_without_shrinking_a_failing_test_still_fails_sooner_and_only_when_the_grader_asks():
    """``GuardedExecute.hypothesis_shrink = False`` (the course's tests of wrong answers): the
    graded kernel's Hypothesis reports the first failing example it finds, so the test fails as it
    would (the same assertion), after fewer runs. Without the grader's switch the example is
    shrunk as before."""
    from mastery.draws import NO_SHRINK

    kernel = "from mastery.grading.sandbox import kernel; kernel.prepare()"
    shrunk, _, shrunk_calls = _failing_run(kernel)
    os.environ[NO_SHRINK] = "1"
    try:
        first, _, first_calls = _failing_run(kernel)
    finally:
        del os.environ[NO_SHRINK]
    assert again_shrunk(kernel) == (shrunk, shrunk_calls), "the switch outlived its grading"
    assert first.startswith("sum ") and shrunk.startswith("sum "), (first, shrunk)
    assert first_calls < shrunk_calls, (first_calls, shrunk_calls)
    assert first != shrunk, "the first failing example was already the shrunk one: pick a test that shrinks"


def again_shrunk(prepare: str) -> tuple:
    error, _, calls = _failing_run(prepare)
    return error, calls


FIND = """
{prepare}
from hypothesis import find, settings, strategies as st
print(repr((find(st.lists(st.integers(0, 1000), max_size=8), lambda xs: sum(xs) > 900,
                 settings=settings(derandomize=True, database=None, max_examples=500)),
            find(st.text(max_size=6), lambda t: len(t) > 3))))
"""


def test_without_shrinking_find_still_returns_the_smallest_example():
    """A hidden test may check the learner's code on what ``find`` returns (week 11: "the smallest
    template whose consumer is bounded only by MaximumConcurrency"), so the grader's switch must
    not change it: ``find`` keeps its shrink phase."""
    from mastery.draws import NO_SHRINK

    def found(env):
        script = FIND.format(prepare="from mastery.grading.sandbox import kernel; kernel.prepare()")
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": "0", **env}).stdout

    shrunk = found({})
    assert shrunk == found({NO_SHRINK: "1"}), "find returned another example without shrinking"
    assert "[" in shrunk and len(shrunk) < 40, shrunk  # small: it was shrunk
