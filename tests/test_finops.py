"""The FinOps week's plumbing: the estate is built as the data says, rebuilt after changes,
listed with its untagged resources, billed, and changed by recommendations idempotently."""

from __future__ import annotations

import json

import pytest

from mastery import aws, finops

NS = aws.namespace("m03-finops-test", learner="pytest")


def test_arn_and_name_round_trip():
    for service in finops.SERVICES:
        a = finops.arn(service, "ann--x--thing")
        assert finops.name_of(a) == "ann--x--thing"
        assert a.split(":")[2] == service


def test_spec_plants_the_week_s_mistakes():
    by_name = {r.name: r for r in finops.spec()}
    assert by_name["search-snapshots"].tags == {}
    assert "Team" in by_name["search-crawl"].tags and "team" not in by_name["search-crawl"].tags
    assert by_name["search-index"].tags["environment"] not in finops.ENVIRONMENTS
    assert not finops.COST_CENTER.match(by_name["search-events"].tags["cost-center"])
    # more tagged resources than one Tagging API page holds (100 tags = 20 resources of 5 tags)
    assert sum(1 for r in by_name.values() if r.tags) > 20


def test_bill_adds_up_and_uses_namespaced_arns():
    bill = finops.bill(NS)
    assert round(bill["BilledCost"].sum(), 2) == round(sum(r.monthly_cost for r in finops.spec()) + 100.0, 2)
    owned = [a for a in bill["ResourceId"] if a]
    assert owned and all(NS.owns(finops.name_of(a)) for a in owned)
    assert (bill["ResourceId"] == "").sum() == 1  # the support charge belongs to no resource


def test_recommendations_point_at_estate_resources():
    where = set(finops.arns(NS).values())
    recs = finops.recommendations(NS)
    assert len({r["recommendationId"] for r in recs}) == len(recs)
    assert all(r["resourceArn"] in where and r["action"] in finops.ACTIONS for r in recs)
    assert all(isinstance(r["monthlySavings"], float) for r in recs)


@pytest.fixture(scope="module")
def estate(local_aws):
    return finops.build_estate(NS)


def test_inventory_sees_untagged_resources_the_tagging_api_does_not(estate):
    inv = finops.inventory(NS)
    assert set(estate.values()) <= set(inv)
    tagged = finops.tags_by_arn(inv)
    assert estate["search-snapshots"] not in tagged and estate["legacy-export"] not in tagged
    assert tagged[estate["payments-ledger"]]["team"] == "payments"
    assert tagged[estate["payments-ledger"]]["course:exercise"] == NS.exercise


def test_build_estate_undoes_changes(estate):
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=NS.name("search-crawl"))["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"team": "search"})
    finops.set_tags("s3", NS.name("search-snapshots"), {"team": "search"})
    for rec in finops.recommendations(NS):
        finops.apply_recommendation(rec)
        finops.apply_recommendation(rec)  # twice: harmless
    assert not finops.exists(estate["legacy-export"])
    assert finops.billing_mode(NS.name("search-index")) == "PROVISIONED"
    s3 = aws.client("s3")
    s3.put_bucket_lifecycle_configuration(Bucket=NS.name("platform-logs"),
                                          LifecycleConfiguration={"Rules": [{
                                              "ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
                                              "Expiration": {"Days": 1}}]})
    finops.build_estate(NS)
    assert all(finops.exists(a) for a in estate.values())
    assert finops.billing_mode(NS.name("search-index")) == "PAY_PER_REQUEST"
    tags = finops.tags_by_arn(list(estate.values()))
    assert "team" not in tags[estate["search-crawl"]] and tags[estate["search-crawl"]]["Team"] == "search"
    assert estate["search-snapshots"] not in tags
    rules = s3.get_bucket_lifecycle_configuration(Bucket=NS.name("platform-logs"))["Rules"]
    assert [r["ID"] for r in rules] == ["audit-retention"]


def test_workflow_resources_reset_and_queue_helpers(estate):
    flow = finops.workflow_resources(NS)
    sqs = aws.client("sqs")
    for i in range(12):
        body = json.dumps({"recommendationId": f"r{i}"})
        sqs.send_message(QueueUrl=flow.approvals_queue_url, MessageBody=body)
    assert len(finops.messages(flow.approvals_queue_url)) == 12
    assert len(finops.messages(flow.approvals_queue_url)) == 12  # peeking does not consume
    aws.client("dynamodb").put_item(TableName=flow.audit_table, Item={"recommendationId": {"S": "r1"}})
    flow = finops.workflow_resources(NS)
    assert finops.messages(flow.approvals_queue_url) == []
    assert aws.scan_all(flow.audit_table) == []
    tags = finops.tags_by_arn([flow.approvals_queue_arn])[flow.approvals_queue_arn]
    assert tags["team"] == "platform"


def test_budgets_of_sees_only_the_namespace(local_aws):
    b = aws.client("budgets")
    other = aws.namespace("m03-finops-test", learner="someone-else")
    for ns in (NS, other):
        finops.delete_budgets(ns, b)
        b.create_budget(AccountId=aws.ACCOUNT_ID, Budget={
            "BudgetName": ns.name("team-monthly"), "BudgetType": "COST", "TimeUnit": "MONTHLY",
            "BudgetLimit": {"Amount": "10", "Unit": "USD"}})
    assert list(finops.budgets_of(NS, b)) == [NS.name("team-monthly")]
    finops.delete_budgets(NS, b)
    assert finops.budgets_of(NS, b) == {}
    assert list(finops.budgets_of(other, b)) == [other.name("team-monthly")]
    finops.delete_budgets(other, b)
