"""Clients, namespaces and idempotent helpers against the session's backend."""

from __future__ import annotations

import pytest

from mastery import aws, workflows


def test_namespace_names_are_valid_and_separate():
    a = aws.namespace("m01-saga", "Ann O'Neil")
    b = aws.namespace("m01-saga", "bob")
    assert a.name("orders") == "ann-o-neil--m01-saga--orders"
    assert a.name("orders") != b.name("orders")
    assert a.owns(a.name("x")) and not a.owns(b.name("x"))
    lesson = aws.namespace("m01-saga-lesson", "Ann O'Neil")
    assert not a.owns(lesson.name("orders")), "an exercise must not own its lesson's resources"
    long = aws.namespace("e" * 80, "l" * 80).name("r" * 80)
    assert len(long) <= 80, "names must fit SQS/Step Functions limits (80 chars)"
    assert a.tags == {"course:learner": "Ann O'Neil", "course:exercise": "m01-saga"}


def test_learner_id_comes_from_the_autograded_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("MASTERY_LEARNER", raising=False)
    folder = tmp_path / "autograded" / "Student_7" / "month-01"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    assert aws.learner_id() == "student-7"
    monkeypatch.setenv("MASTERY_LEARNER", "zoe")
    assert aws.learner_id() == "zoe"


@pytest.mark.usefixtures("local_aws")
def test_ensure_table_twice_is_harmless_and_reset_empties():
    ns = aws.namespace("unit-aws", "tester")
    name = aws.ensure_table(ns.name("t"), "pk", "sk")
    assert aws.ensure_table(ns.name("t"), "pk", "sk") == name
    ddb = aws.client("dynamodb")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "2"}})
    assert aws.scan_all(name) == [{"pk": "a", "sk": "1", "n": 2}]
    aws.ensure_table(name, "pk", "sk", reset=True)
    assert aws.scan_all(name) == []
    aws.delete_table(name)
    aws.delete_table(name)  # already gone: still harmless


@pytest.mark.usefixtures("local_aws")
def test_meter_counts_calls_by_operation():
    aws.meter.reset()
    ddb = aws.client("dynamodb")
    ddb.list_tables()
    ddb.list_tables()
    assert aws.meter.calls[("dynamodb", "ListTables")] == 2
    assert aws.meter.total() >= 2


@pytest.mark.usefixtures("local_aws")
def test_deploy_creates_once_and_updates():
    ns = aws.namespace("unit-sfn", "tester")
    pass_through = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    arn = workflows.deploy(ns.name("sm"), pass_through)
    assert workflows.deploy(ns.name("sm"), pass_through) == arn
    assert workflows.count_state_machines(ns.prefix + "--") == 1
    ex = workflows.run(arn, {"x": 1})
    assert ex.status == "SUCCEEDED" and ex.output == {"x": 1} and ex.states == ["A"]
    assert workflows.delete_state_machines(ns.prefix + "--") == 1


@pytest.mark.usefixtures("local_aws")
def test_unnamed_executions_do_not_collide():
    ns = aws.namespace("unit-sfn2", "tester")
    arn = workflows.deploy(ns.name("sm"), {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    first, second = workflows.run(arn, {"n": 1}), workflows.run(arn, {"n": 2})
    assert first.arn != second.arn and second.output == {"n": 2}
    workflows.delete_state_machines(ns.prefix + "--")


def _named_clients() -> set[str]:
    """Every service the course's code, lessons and exercises create a client for."""
    import re

    from mastery import paths

    found = set()
    roots = [paths.course_root() / d for d in ("src", "notebooks", "solutions")]
    for root in roots:
        for p in [*root.rglob("*.py"), *root.rglob("*.ipynb")]:
            found |= set(re.findall(r'client\(\\?"([a-z0-9-]+)\\?"', p.read_text(errors="replace")))
    return found


def test_services_free_localstack_lacks_go_to_the_sidecar(monkeypatch):
    """On LocalStack, a client for a service of SIDECAR_SERVICES talks to the embedded emulator
    one port up; every other client to LocalStack itself. The paid-tier services the course
    calls (FIS in week 23, API Gateway v2 and SageMaker runtime in lessons) are among them."""
    from mastery import backend

    used = _named_clients()
    paid = {"budgets", "fis", "apigatewayv2", "apigatewaymanagementapi", "sagemaker-runtime"}
    assert paid <= used, f"the scan missed services the course is known to call: {paid - used}"
    assert paid <= backend.SIDECAR_SERVICES

    monkeypatch.setenv("MASTERY_PORT", "4700")
    localstack = backend.Health("localstack", backend.endpoint(4700))
    monkeypatch.setattr(backend, "require", lambda p=None: localstack)
    monkeypatch.setattr(aws, "_session", lambda: pytest.fail("a sidecar service went to LocalStack"))
    for service in sorted(backend.SIDECAR_SERVICES & used):
        assert aws.client(service).meta.endpoint_url == "http://127.0.0.1:4701", service
