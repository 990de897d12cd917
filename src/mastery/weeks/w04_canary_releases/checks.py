"""Trusted checks of the week-4 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its test cell, against the learner's emulator,
with its own Lambda client: the alias as the backend holds it, whatever the learner's kernel
reads back (a wrapped ``BaseClient._make_api_call`` or a replaced builtin cannot change it).
Each restates where the spec's controller must leave the alias at the end of its test cell.
"""

from __future__ import annotations

from mastery.weeks.w04_canary_releases import canary

EXERCISE = "m01-canary-r"  # the exercise's namespace (its setup cell)
FUNCTION = "checkout"
ALIAS = "live"
FIRST_STEP = 5  # RAMP[0], percent


def _alias(ctx) -> tuple[str, str, str, dict]:
    """(stable, canary, primary, non-zero weights) of the learner's alias, read by the grader."""
    lam = ctx.client("lambda")
    function = ctx.namespace(EXERCISE).name(FUNCTION)
    versions = canary.published_versions(function, lam)
    assert len(versions) >= 2, f"the backend has no two published versions of {function}"
    r = canary.routing(function, ALIAS, lam)
    return versions[0], versions[1], r["primary"], {k: v for k, v in r["weights"].items() if v}


def _expect(ctx, primary: str, weights: dict, what: str) -> None:
    stable, cnry, got_primary, got_weights = _alias(ctx)
    want = ({"stable": stable, "canary": cnry}[primary],
            {{"stable": stable, "canary": cnry}[k]: w for k, w in weights.items()})
    assert (got_primary, got_weights) == want, (
        f"{what}: the alias on the backend points at version {got_primary} with weights {got_weights}, "
        f"not at {want[0]} with {want[1]}")


def first_step(ctx) -> None:
    """test-controller-first-step: stable primary, the first ramp step as a fraction."""
    _expect(ctx, "stable", {"canary": FIRST_STEP / 100}, "after the first promote")


def ramp(ctx) -> None:
    """test-controller-ramp: the finished rollout is the canary as primary, no weighted routing."""
    _expect(ctx, "canary", {}, "after promoting to 100 %")


def rollback(ctx) -> None:
    """test-controller-rollback: the last rollback (from 100 %) points the alias at stable only."""
    _expect(ctx, "stable", {}, "after a rollback from 100 %")


def reads_backend(ctx) -> None:
    """test-controller-reads-backend: promote from 25 % (set on the backend) lands on 50 %."""
    _expect(ctx, "stable", {"canary": 0.5}, "after promoting from 25 % on the backend")


def throttled(ctx) -> None:
    """test-controller-throttled: the last step (hold at 25 %, read throttled) changes nothing."""
    _expect(ctx, "stable", {"canary": 0.25}, "after a hold at 25 % with a throttled read")


TRUSTED = {
    "test-controller-first-step": first_step,
    "test-controller-ramp": ramp,
    "test-controller-rollback": rollback,
    "test-controller-reads-backend": reads_backend,
    "test-controller-throttled": throttled,
}
