"""The FinOps week's plumbing: the estate is built as the data says, rebuilt after changes,
listed with its untagged resources, billed, and changed by recommendations idempotently."""

from __future__ import annotations

import json

import pytest

from mastery import aws
from mastery.weeks.w10_finops_governance import governance

NS = aws.namespace("m03-finops-test", learner="pytest")


def test_arn_and_name_round_trip():
    for service in governance.SERVICES:
        a = governance.arn(service, "ann--x--thing")
        assert governance.name_of(a) == "ann--x--thing"
        assert a.split(":")[2] == service


def test_spec_plants_the_week_s_mistakes():
    by_name = {r.name: r for r in governance.spec()}
    assert by_name["search-snapshots"].tags == {}
    assert "Team" in by_name["search-crawl"].tags and "team" not in by_name["search-crawl"].tags
    assert by_name["search-index"].tags["environment"] not in governance.ENVIRONMENTS
    assert not governance.COST_CENTER.match(by_name["search-events"].tags["cost-center"])
    # more tagged resources than one Tagging API page holds (100 tags = 20 resources of 5 tags)
    assert sum(1 for r in by_name.values() if r.tags) > 20


def test_bill_adds_up_and_uses_namespaced_arns():
    bill = governance.bill(NS)
    expected = sum(r.monthly_cost for r in governance.spec()) + 100.0
    assert round(bill["BilledCost"].sum(), 2) == round(expected, 2)
    owned = [a for a in bill["ResourceId"] if a]
    assert owned and all(NS.owns(governance.name_of(a)) for a in owned)
    assert (bill["ResourceId"] == "").sum() == 1  # the support charge belongs to no resource


def test_recommendations_point_at_estate_resources():
    where = set(governance.arns(NS).values())
    recs = governance.recommendations(NS)
    assert len({r["recommendationId"] for r in recs}) == len(recs)
    assert all(r["resourceArn"] in where and r["action"] in governance.ACTIONS for r in recs)
    assert all(isinstance(r["monthlySavings"], float) for r in recs)


@pytest.fixture(scope="module")
def estate(local_aws):
    return governance.build_estate(NS)


def test_inventory_sees_untagged_resources_the_tagging_api_does_not(estate):
    inv = governance.inventory(NS)
    assert set(estate.values()) <= set(inv)
    tagged = governance.tags_by_arn(inv)
    assert estate["search-snapshots"] not in tagged and estate["legacy-export"] not in tagged
    assert tagged[estate["payments-ledger"]]["team"] == "payments"
    assert tagged[estate["payments-ledger"]]["course:exercise"] == NS.exercise


def test_build_estate_undoes_changes(estate):
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=NS.name("search-crawl"))["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"team": "search"})
    governance.set_tags("s3", NS.name("search-snapshots"), {"team": "search"})
    for rec in governance.recommendations(NS):
        governance.apply_recommendation(rec)
        governance.apply_recommendation(rec)  # twice: harmless
    assert not governance.exists(estate["legacy-export"])
    assert governance.billing_mode(NS.name("search-index")) == "PROVISIONED"
    s3 = aws.client("s3")
    s3.put_bucket_lifecycle_configuration(Bucket=NS.name("platform-logs"),
                                          LifecycleConfiguration={"Rules": [{
                                              "ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
                                              "Expiration": {"Days": 1}}]})
    governance.build_estate(NS)
    assert all(governance.exists(a) for a in estate.values())
    assert governance.billing_mode(NS.name("search-index")) == "PAY_PER_REQUEST"
    tags = governance.tags_by_arn(list(estate.values()))
    assert "team" not in tags[estate["search-crawl"]] and tags[estate["search-crawl"]]["Team"] == "search"
    assert estate["search-snapshots"] not in tags
    rules = s3.get_bucket_lifecycle_configuration(Bucket=NS.name("platform-logs"))["Rules"]
    assert [r["ID"] for r in rules] == ["audit-retention"]


def test_workflow_resources_reset_and_queue_helpers(estate):
    flow = governance.workflow_resources(NS)
    sqs = aws.client("sqs")
    for i in range(12):
        body = json.dumps({"recommendationId": f"r{i}"})
        sqs.send_message(QueueUrl=flow.approvals_queue_url, MessageBody=body)
    assert len(governance.messages(flow.approvals_queue_url)) == 12
    assert len(governance.messages(flow.approvals_queue_url)) == 12  # peeking does not consume
    aws.client("dynamodb").put_item(TableName=flow.audit_table, Item={"recommendationId": {"S": "r1"}})
    flow = governance.workflow_resources(NS)
    assert governance.messages(flow.approvals_queue_url) == []
    assert aws.scan_all(flow.audit_table) == []
    tags = governance.tags_by_arn([flow.approvals_queue_arn])[flow.approvals_queue_arn]
    assert tags["team"] == "platform"


def test_budgets_of_sees_only_the_namespace(local_aws):
    b = aws.client("budgets")
    other = aws.namespace("m03-finops-test", learner="someone-else")
    for ns in (NS, other):
        governance.delete_budgets(ns, b)
        b.create_budget(AccountId=aws.ACCOUNT_ID, Budget={
            "BudgetName": ns.name("team-monthly"), "BudgetType": "COST", "TimeUnit": "MONTHLY",
            "BudgetLimit": {"Amount": "10", "Unit": "USD"}})
    assert list(governance.budgets_of(NS, b)) == [NS.name("team-monthly")]
    governance.delete_budgets(NS, b)
    assert governance.budgets_of(NS, b) == {}
    assert list(governance.budgets_of(other, b)) == [other.name("team-monthly")]
    governance.delete_budgets(other, b)
