"""The canary week's trusted checks read the alias with the grader's own client and name what
they found; each passes on the state its test cell must leave and fails on a wrong one."""

from __future__ import annotations

import pytest

from mastery import aws
from mastery.grading.integrity import Context, run_trusted
from mastery.weeks.w04_canary_releases import canary, checks

pytestmark = pytest.mark.usefixtures("local_aws")


@pytest.fixture(scope="module")
def ctx():
    c = Context("04-canary-releases", "pytest-w04")
    function = c.namespace(checks.EXERCISE).name(checks.FUNCTION)
    assert canary.deploy_function(function, versions=2) == ["1", "2"]
    canary.reset_alias(function, checks.ALIAS, "1")
    return c


def _set(ctx, primary, weights):
    function = ctx.namespace(checks.EXERCISE).name(checks.FUNCTION)
    aws.client("lambda").update_alias(FunctionName=function, Name=checks.ALIAS, FunctionVersion=primary,
                                      RoutingConfig={"AdditionalVersionWeights": weights})


@pytest.mark.parametrize(("grade_id", "primary", "weights"), [
    ("test-controller-first-step", "1", {"2": 0.05}),
    ("test-controller-ramp", "2", {}),
    ("test-controller-rollback", "1", {}),
    ("test-controller-reads-backend", "1", {"2": 0.5}),
    ("test-controller-throttled", "1", {"2": 0.25}),
])
def test_each_check_passes_on_its_end_state_only(ctx, grade_id, primary, weights):
    check = checks.TRUSTED[grade_id]
    _set(ctx, primary, weights)
    assert run_trusted(check, ctx) is None
    _set(ctx, "2" if primary == "1" else "1", {})
    problem = run_trusted(check, ctx)
    assert problem and "the alias on the backend points at version" in problem


def test_a_learner_without_the_function_fails_with_a_reason():
    problem = run_trusted(checks.ramp, Context("04-canary-releases", "pytest-w04-nobody"))
    assert problem and ("no two published versions" in problem or "could not read" in problem)
