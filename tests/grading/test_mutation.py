"""The mutation tool (benchmarks/mutation.py, mastery.grading.mutation) on a small sample.

The full measurement grades 20 mutants of every exercise and takes an hour; here the operators
are checked on code strings (fast), and one slow test grades two sampled mutants of the canary
exercise and a hand-made one through the real nbgrader autograde, and checks that the tool
classifies each as it must: deleting a statement the tests rely on (assign()'s only `return`,
the controller's read of the alias weights) is killed; changing a docstring survives and counts
as a gap until it is listed as equivalent.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from mastery import paths
from mastery.grading import mutation

NOTEBOOK = "04-canary-releases"


def _tool():
    path = paths.course_root() / "benchmarks" / "mutation.py"
    spec = importlib.util.spec_from_file_location("mutation_tool", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _mutants(code, operator):
    return [m for name, i in mutation.candidates(code) if name == operator
            for m in [mutation.make_mutant("nb", "cell", code, name, i)] if m]


def test_operators_apply_to_a_cell():
    code = "def f(x):\n    y = x + 1\n    if y < 3:\n        return y\n    return 0\n"
    kinds = {mutation.family(op) for op, _ in mutation.candidates(code)}
    assert {"ReplaceBinaryOperator", "ReplaceComparisonOperator", "NumberReplacer", "DeleteStatement",
            "AddNot"} <= kinds
    deleted = _mutants(code, "DeleteStatement")
    assert [m.diff for m in deleted][:1] == ["-    y = x + 1\n+    pass"]
    assert all(m.line in (2, 4, 5) for m in deleted)
    lt = [m for m in _mutants(code, "ReplaceComparisonOperator_Lt_LtE")]
    assert lt[0].id == "nb|cell|ReplaceComparisonOperator_Lt_LtE|3|if y <= 3:"


def test_exception_replacer_takes_the_whole_dotted_name():
    code = "try:\n    f()\nexcept sfn.exceptions.ExecutionAlreadyExists:\n    pass\n"
    (m,) = _mutants(code, "ExceptionReplacer")
    assert m.added == ["except CosmicRayTestingException:"]
    ns = {"f": lambda: 1 / 0}
    with pytest.raises(ZeroDivisionError):  # the handler no longer matches anything
        exec(compile(m.source.replace("sfn", "x"), "<m>", "exec"), ns)


def test_mutants_that_do_not_compile_are_skipped_and_sampling_is_seeded():
    code = "def f(*args, **kw):\n    return [a * 2 for a in args]\n"
    for op, i in mutation.candidates(code):
        m = mutation.make_mutant("nb", "c", code, op, i)
        if m is not None:
            compile(m.source, "<m>", "exec")
    month = mutation.month_of(NOTEBOOK)
    answers = mutation.solution_cells(month, NOTEBOOK)
    a = [m.id for m in mutation.sample(NOTEBOOK, answers, 6, seed=1)]
    assert a == [m.id for m in mutation.sample(NOTEBOOK, answers, 6, seed=1)]
    assert a != [m.id for m in mutation.sample(NOTEBOOK, answers, 6, seed=2)]
    assert {x.split("|")[1] for x in a} == set(answers), "every solution cell gets mutants"


def test_dry_run_lists_mutants(capsys, tmp_path):
    assert _tool().main(["--notebook", NOTEBOOK, "--mutants", "3", "--dry-run",
                         "--report", str(tmp_path / "r.md")]) == 0
    out = capsys.readouterr().out
    assert out.count(f"{NOTEBOOK}|") == 3 and not (tmp_path / "r.md").exists()


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_classifies_sampled_and_hand_made_mutants(tmp_path):
    month = mutation.month_of(NOTEBOOK)
    answers = mutation.solution_cells(month, NOTEBOOK)
    sampled = mutation.sample(NOTEBOOK, answers, 2, seed=1)
    # seed 1: delete `return "canary" if ...` in assign(), delete the read of the alias' weights
    assert [m.id for m in sampled] == [
        f"{NOTEBOOK}|assignment|DeleteStatement|9|pass", f"{NOTEBOOK}|controller|DeleteStatement|4|pass"]
    ref = answers["analysis"]
    docstring = ref.replace("Return 'promote', 'hold' or 'rollback'", "Decide: promote, hold or roll back")
    doc = mutation.hand_made(NOTEBOOK, "analysis", ref, docstring, "HandMade-docstring")
    assert doc.diff.startswith("-    \"\"\"Return 'promote'") and doc.line == 2

    # three kernels: the reference is not graded (baseline=False), the docstring mutant stands for it
    outcomes, seconds = mutation.grade(month, NOTEBOOK, [*sampled, doc], workdir=tmp_path,
                                       baseline=False, log=lambda s: None)
    status = {mid: o.status for mid, o in outcomes.items()}
    assert status == {sampled[0].id: "killed", sampled[1].id: "killed", doc.id: "survived"}, \
        {k: (o.status, o.lost, o.error) for k, o in outcomes.items()}
    assert outcomes[doc.id].lost == {} and outcomes[doc.id].score > 0
    assert {"test-split", "test-sticky"} <= set(outcomes[sampled[0].id].lost)

    gap = mutation.summarise(NOTEBOOK, outcomes, {}, seconds, 1)
    assert (gap["killed"], gap["survived"], gap["gaps"], round(gap["score"], 2)) == (2, 1, 1, 0.67)
    judged = {doc.id: "a docstring: behaviour unchanged"}
    eq = mutation.summarise(NOTEBOOK, outcomes, judged, seconds, 1)
    assert (eq["equivalent"], eq["gaps"], eq["score"]) == (1, 0, 1.0)
    md = mutation.render_markdown({"notebooks": {NOTEBOOK: json.loads(json.dumps(gap))}}, judged)
    assert "equivalent: a docstring: behaviour unchanged" in md
    assert "| 04-canary-releases | 3 | 2 | 1 | 1 | 0 | 100 % |" in md
    assert "| gap |" in mutation.render_markdown({"notebooks": {NOTEBOOK: gap}}, {})


def test_a_kernel_that_never_started_is_no_verdict_and_leaves_the_denominator():
    assert mutation.is_infrastructure_failure("failed: Kernel didn't respond in 60 seconds")
    assert not mutation.is_infrastructure_failure("failed: ZeroDivisionError: division by zero")
    outcomes = {i: mutation.Outcome(i, "c", "op", 1, "d", status, None, None, {}, "")
                for i, status in (("a", "killed"), ("b", "ungraded"), ("c", "survived"), ("d", "killed"))}
    s = mutation.summarise("nb", outcomes, {}, 1.0, 1)
    assert (s["killed"], s["ungraded"], s["survived"]) == (2, 1, 1)
    assert s["score"] == round(2 / 3, 4), "an ungraded mutant is neither killed nor in the denominator"
