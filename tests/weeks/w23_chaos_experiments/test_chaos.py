"""The plumbing of week 23: FIS durations and the action catalogue, the fleet of tagged functions
with their fault parameters, the counting/throttling SSM client, the clock that trips an alarm,
what the emulator's FIS and CloudWatch do (and do not do), and the trusted checks' reading of
the parameters' histories."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from mastery import aws
from mastery.weeks.w23_chaos_experiments import chaos, checks


def test_fis_durations_parse_to_seconds():
    assert chaos.parse_duration("PT45S") == 45
    assert chaos.parse_duration("PT2M30S") == 150
    assert chaos.parse_duration("PT1H") == 3600
    for bad in ("", "PT", "2M", "P1D", "PT1.5S"):
        with pytest.raises(ValueError):
            chaos.parse_duration(bad)


def test_actions_map_to_fault_parameters():
    delay = {"actionId": "aws:lambda:invocation-add-delay",
             "parameters": {"duration": "PT1M", "invocationPercentage": "20",
                            "startupDelayMilliseconds": "1500"}}
    assert chaos.action_config(delay) == {"enabled": True, "fault": "latency", "rate": 20,
                                          "latency_ms": 1500}
    err = {"actionId": "aws:lambda:invocation-error", "parameters": {"duration": "PT1M"}}
    assert chaos.action_config(err) == {"enabled": True, "fault": "error", "rate": 100, "latency_ms": 0}
    thr = {"actionId": "aws:fis:inject-api-throttle-error",
           "parameters": {"duration": "PT1M", "percentage": "50"}}
    assert chaos.action_config(thr)["fault"] == "throttle" and chaos.action_config(thr)["rate"] == 50
    with pytest.raises(ValueError, match="does not carry out"):
        chaos.action_config({"actionId": "aws:ec2:stop-instances", "parameters": {}})
    assert set(chaos.ACTIONS.values()) == set(chaos.FAULTS)


def test_trip_clock_trips_once_at_its_time_and_can_raise():
    fired = []
    c = chaos.TripClock(0.0, at=25.0, trip=lambda: fired.append(1))
    for _ in range(5):
        c.sleep(10)
    assert fired == [1] and c.tripped_at == 30.0 and c.sleeps == [10] * 5
    boom = RuntimeError("lost")
    c = chaos.TripClock(0.0, at=20.0, error=boom)
    c.sleep(10)
    with pytest.raises(RuntimeError) as e:
        c.sleep(10)
    assert e.value is boom and c.now() == 20.0


@pytest.mark.usefixtures("local_aws")
def test_counting_ssm_counts_and_throttles():
    ssm = aws.client("ssm")
    name = f"/mastery/chaos/test-{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=name, Value=chaos.DISABLED, Type="String")
    c = chaos.CountingSSM(ssm)
    assert c.get_parameter(Name=name)["Parameter"]["Value"] == chaos.DISABLED and c.reads == 1
    t = chaos.CountingSSM(ssm, throttled=True)
    with pytest.raises(ClientError) as e:
        t.get_parameter(Name=name)
    assert e.value.response["Error"]["Code"] == "ThrottlingException" and t.reads == 1
    ssm.delete_parameter(Name=name)


@pytest.mark.usefixtures("local_aws")
def test_fleet_functions_carry_their_tags_and_a_fresh_parameter():
    ns = aws.namespace("w23-fleet", f"t{uuid.uuid4().hex[:6]}")
    lam, ssm = aws.client("lambda"), aws.client("ssm")
    fleet = chaos.make_fleet(ns, {"a": {"chaos": "opt-in"}, "b": {}})
    arn = lam.get_function(FunctionName=fleet["a"])["Configuration"]["FunctionArn"]
    assert lam.list_tags(Resource=arn)["Tags"] == {**ns.tags, "chaos": "opt-in"}
    ssm.put_parameter(Name=chaos.param_name(fleet["a"]), Value="{}", Type="String", Overwrite=True)
    again = chaos.make_fleet(ns, {"a": {"tier": "x"}})            # re-tagged, history restarted
    assert lam.list_tags(Resource=arn)["Tags"] == {**ns.tags, "tier": "x"}
    assert chaos.parameter_versions(ssm, chaos.param_name(again["a"])) == [chaos.DISABLED]
    assert chaos.parameter_value(ssm, "/mastery/chaos/no-such-function") is None


@pytest.mark.usefixtures("local_aws")
def test_the_emulators_fis_stores_templates_and_runs_nothing():
    """What the lesson says about moto's FIS and CloudWatch: a template is stored as given (tags
    and selection mode kept, nothing resolved), an experiment walks pending -> initiating ->
    running -> completed on reads without touching anything, and PutMetricData never moves an
    alarm: only SetAlarmState does."""
    fis, cw = aws.client("fis"), aws.client("cloudwatch")
    name = f"w23-plumbing-{uuid.uuid4().hex[:6]}"
    arn = chaos.ensure_alarm(cw, name)
    target = {"resourceType": "aws:lambda:function", "resourceTags": {"chaos": "opt-in"},
              "selectionMode": "PERCENT(50)"}
    action = {"actionId": "aws:lambda:invocation-error", "targets": {"Functions": "t"},
              "parameters": {"duration": "PT1M"}}
    tid = chaos.create_template(fis, description=name, alarm_arn=arn, targets={"t": target},
                                actions={"a": action})
    t = fis.get_experiment_template(id=tid)["experimentTemplate"]
    assert t["targets"]["t"]["selectionMode"] == "PERCENT(50)" and t["stopConditions"][0]["value"] == arn
    exp = fis.start_experiment(experimentTemplateId=tid, clientToken=uuid.uuid4().hex)["experiment"]
    seen = [fis.get_experiment(id=exp["id"])["experiment"]["state"]["status"] for _ in range(3)]
    assert seen[-1] == "completed"
    cw.put_metric_data(Namespace="Mastery/Chaos", MetricData=[{"MetricName": "OrderErrors", "Value": 500}])
    assert chaos.alarm_state(cw, name) == "OK"
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")
    assert chaos.alarm_state(cw, name) == "ALARM"
    cw.delete_alarms(AlarmNames=[name])


@pytest.mark.usefixtures("local_aws")
def test_trusted_checks_read_the_parameters_histories():
    from mastery.grading import integrity

    learner = f"w23-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("23-chaos-experiments", learner)
    ns, ssm, cw = aws.namespace(checks.EXERCISE, learner), aws.client("ssm"), aws.client("cloudwatch")
    on = json.dumps({"enabled": True, "fault": "error", "rate": 100, "latency_ms": 0})
    fleet = chaos.make_fleet(ns, checks.BLAST_FLEET)
    blast = checks.TRUSTED["test-blast-radius"]
    assert "wrote the fault parameters of []" in integrity.run_trusted(blast, ctx)
    for short in checks.BLAST_SELECTED:
        for v in (on, chaos.DISABLED):
            ssm.put_parameter(Name=chaos.param_name(fleet[short]), Value=v, Type="String", Overwrite=True)
    assert integrity.run_trusted(blast, ctx) is None
    ssm.put_parameter(Name=chaos.param_name(fleet["pricing-x"]), Value=on, Type="String", Overwrite=True)
    msg = integrity.run_trusted(blast, ctx)
    assert "pricing-x" in msg and "select" in msg

    stop = checks.TRUSTED["test-stop-condition"]
    halt = chaos.make_fleet(ns, checks.STOP_FLEET)
    chaos.ensure_alarm(cw, ns.name(checks.STOP_ALARM), "OK")
    assert "is OK, not ALARM" in integrity.run_trusted(stop, ctx)
    cw.set_alarm_state(AlarmName=ns.name(checks.STOP_ALARM), StateValue="ALARM", StateReason="test")
    assert "never written" in integrity.run_trusted(stop, ctx)
    for f in halt.values():
        ssm.put_parameter(Name=chaos.param_name(f), Value=on, Type="String", Overwrite=True)
    assert "was left at" in integrity.run_trusted(stop, ctx)
    for f in halt.values():
        ssm.put_parameter(Name=chaos.param_name(f), Value=chaos.DISABLED, Type="String", Overwrite=True)
    assert integrity.run_trusted(stop, ctx) is None
    cw.delete_alarms(AlarmNames=[ns.name(checks.STOP_ALARM)])

    early = checks.TRUSTED["test-alarm-at-start"]   # nothing may be written: one version only
    assert "ParameterNotFound" in integrity.run_trusted(early, ctx)   # no parameter at all: no fleet
    first = chaos.make_fleet(ns, {checks.EARLY_FUNCTION: {"chaos": "opt-in", "tier": "early"}})
    assert integrity.run_trusted(early, ctx) is None
    name = chaos.param_name(first[checks.EARLY_FUNCTION])
    for v in (on, chaos.DISABLED):   # injected, then restored: still a write the spec forbids
        ssm.put_parameter(Name=name, Value=v, Type="String", Overwrite=True)
    assert "must not write" in integrity.run_trusted(early, ctx)
