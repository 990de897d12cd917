"""Trusted checks of the week-23 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own clients. The fleets the hidden tests build are fixed here (function names
``ns.name(short)`` and their tags), and so are the targets the contract selects from them; each
check reads the fault parameters' current values and version histories (``GetParameterHistory``:
a parameter the runner never wrote has one version) and the stop-condition alarm, so nothing the
learner's kernel rebinds (a wrapped SSM client, a report written by hand) can change them.
"""

from __future__ import annotations

import json

from mastery.weeks.w23_chaos_experiments.chaos import DISABLED, alarm_state, param_name, parameter_versions

EXERCISE = "m06-chaos"  # the exercise's namespace (its setup cell)
OPT_IN, PRICING, SETTLEMENT = {"chaos": "opt-in"}, {"tier": "pricing"}, {"tier": "settlement"}

# test-blast-radius: ten functions; the template's targets are the opted-in pricing functions
# (PERCENT(50) of 5: 2, rounded down) and the opted-in settlement functions (COUNT(1) of 2).
BLAST_FLEET = {
    **{f"pricing-{c}": {**OPT_IN, **PRICING} for c in "abcde"},
    "pricing-x": {"chaos": "opt-out", **PRICING},
    "pricing-y": dict(PRICING),
    "settle-a": {**OPT_IN, **SETTLEMENT},
    "settle-b": {**OPT_IN, **SETTLEMENT},
    "risk-a": {**OPT_IN, "tier": "risk"},
}
BLAST_SEED = 23
# what select_targets(names, mode, BLAST_SEED) picks: sorted(Random(23).sample(sorted(names), k))
BLAST_SELECTED = ("pricing-a", "pricing-c", "settle-b")

# test-stop-condition: three opted-in order functions, one error action of PT2M, the alarm trips
# at 35 s of simulated time; test-step-raises: the clock raises at 25 s.
STOP_FLEET = {f"halt-{c}": {**OPT_IN, "tier": "orders"} for c in "abc"}
STOP_ALARM = "stop-alarm"
RAISE_FLEET = {f"crash-{c}": {**OPT_IN, "tier": "ledger"} for c in "ab"}


def _injected(value: str) -> bool:
    try:
        v = json.loads(value)
    except ValueError:
        return False
    return isinstance(v, dict) and v.get("enabled") is True


def _history(ssm, ns, short) -> list[str]:
    return parameter_versions(ssm, param_name(ns.name(short)))


def _restored_after_running(ssm, ns, fleet, what: str) -> None:
    for short in sorted(fleet):
        versions = _history(ssm, ns, short)
        assert versions, f"on the backend, {param_name(ns.name(short))} does not exist"
        assert any(_injected(v) for v in versions), (
            f"on the backend, {short}'s fault parameter was never written by the experiment ({what})")
        assert versions[-1] == DISABLED, (
            f"on the backend, {short}'s fault parameter was left at {versions[-1]} after the experiment "
            f"{what}: it must be restored to {DISABLED}")


def blast_radius_on_the_backend(ctx) -> None:
    ssm, ns = ctx.client("ssm"), ctx.namespace(EXERCISE)
    touched, wrong_end = [], []
    for short in sorted(BLAST_FLEET):
        versions = _history(ssm, ns, short)
        if any(_injected(v) for v in versions):
            touched.append(short)
        if versions and versions[-1] != DISABLED:
            wrong_end.append(short)
    assert touched == sorted(BLAST_SELECTED), (
        f"on the backend, the experiment wrote the fault parameters of {touched}; the template's tags and "
        f"selection modes select {sorted(BLAST_SELECTED)}")
    assert not wrong_end, f"on the backend, fault parameters left injected after the experiment: {wrong_end}"


def stopped_and_restored(ctx) -> None:
    ssm, cw, ns = ctx.client("ssm"), ctx.client("cloudwatch"), ctx.namespace(EXERCISE)
    state = alarm_state(cw, ns.name(STOP_ALARM))
    assert state == "ALARM", f"on the backend, the stop-condition alarm is {state}, not ALARM"
    _restored_after_running(ssm, ns, STOP_FLEET, "was stopped by its alarm")


def restored_after_a_crash(ctx) -> None:
    ssm, ns = ctx.client("ssm"), ctx.namespace(EXERCISE)
    _restored_after_running(ssm, ns, RAISE_FLEET, "raised")


EARLY_FUNCTION = "early-a"   # test-alarm-at-start: its one target, whose alarm is in ALARM already


def untouched_when_the_alarm_is_already_on(ctx) -> None:
    """test-alarm-at-start: a stop condition in ALARM before the start means nothing runs, so the
    target's fault parameter was never written (one version: the fleet's disabled value)."""
    ssm, ns = ctx.client("ssm"), ctx.namespace(EXERCISE)
    versions = _history(ssm, ns, EARLY_FUNCTION)
    assert versions == [DISABLED], (
        f"on the backend, {param_name(ns.name(EARLY_FUNCTION))} has the versions {versions}: an experiment "
        f"whose stop condition is already in ALARM must not write any fault parameter")


TRUSTED = {"test-blast-radius": blast_radius_on_the_backend, "test-stop-condition": stopped_and_restored,
           "test-step-raises": restored_after_a_crash,
           "test-alarm-at-start": untouched_when_the_alarm_is_already_on}
