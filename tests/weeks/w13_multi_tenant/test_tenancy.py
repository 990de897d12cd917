"""The plumbing of week 13: week 5's verifier as a library, the seeded workload and its model,
the IAM evaluator's rules (as the IAM User Guide states them), and the trusted partition rule."""

from __future__ import annotations

import pytest

from mastery.weeks.w13_multi_tenant import checks, iampolicy, tenancy

ISS, AUD = "https://id.example.com/", "tasks-api"
ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/tasks"


@pytest.fixture(scope="module")
def idp():
    return tenancy.IdentityProvider(ISS, AUD)


def _reason(token, idp):
    try:
        idp.verify(token)
        return "ok"
    except tenancy.TokenRejected as e:
        return e.reason


def test_verifier_accepts_a_good_token_and_names_each_attack(idp):
    good = idp.token("acme", sub="alice")
    assert idp.verify(good)[tenancy.TENANT_CLAIM] == "acme"
    attacker = tenancy.KeyRing(ISS)
    assert _reason(tenancy.tamper(good, tenant_id="globex"), idp) == "bad-signature"
    assert _reason(idp.token("acme", signer=attacker), idp) == "bad-signature"
    assert _reason(idp.token("acme", now=1_700_000_000, ttl=60), idp) == "expired"
    none = tenancy.forge_alg_none(tenancy.claims(ISS, AUD), idp.ring.active, typ=tenancy.TOKEN_TYPE)
    assert _reason(none, idp) == "alg-not-allowed"
    assert _reason(idp.ring.sign(tenancy.claims(ISS, AUD)), idp) == "wrong-type"  # no at+jwt typ
    assert (
        _reason(idp.ring.sign(tenancy.claims(ISS, "other"), headers={"typ": "at+jwt"}), idp)
        == "wrong-audience"
    )
    assert _reason("x" * 9000, idp) == "malformed"
    assert _reason("not.a.token", idp) == "malformed"


def test_tokens_without_a_tenant_verify_but_carry_none(idp):
    assert tenancy.TENANT_CLAIM not in idp.verify(idp.token(None))


def test_request_sends_a_bearer_token():
    event = tenancy.request("abc", "POST", "/tasks", headers={"X-Tenant-Id": "x"}, body={"a": 1})
    assert event["headers"]["authorization"] == "Bearer abc" and event["headers"]["X-Tenant-Id"] == "x"
    assert "authorization" not in tenancy.request(None)["headers"]


def test_workload_is_seeded_and_the_model_answers_every_kind():
    ops = tenancy.graded_ops()
    assert ops == tenancy.graded_ops() and len(ops) == tenancy.GRADED["requests"]
    assert len({o.tenant for o in ops}) == tenancy.GRADED["tenants"]
    answers, final = tenancy.model(ops)
    kinds = {a[0] for a in answers}
    assert kinds == {"ok", "not-found", "conflict"}
    assert sum(map(len, final.values())) > 100
    order = [i for idx in tenancy.by_tenant(ops).values() for i in idx]
    assert sorted(order) == list(range(len(ops)))


def test_model_follows_the_spec():
    ops = [
        tenancy.Op("a", "create", "t", "x", "open"),
        tenancy.Op("b", "get", "t"),
        tenancy.Op("a", "create", "t", "y", "done"),
        tenancy.Op("b", "update", "t", "z", "done"),
        tenancy.Op("a", "list"),
        tenancy.Op("a", "delete", "t"),
        tenancy.Op("a", "delete", "t"),
    ]
    answers, final = tenancy.model(ops)
    assert answers == [
        ("ok", {"task_id": "t", "title": "x", "status": "open"}),
        ("not-found",),
        ("conflict",),
        ("not-found",),
        ("ok", [{"task_id": "t", "title": "x", "status": "open"}]),
        ("ok", None),
        ("not-found",),
    ]
    assert final == {"a": {}, "b": {}}
    retry = tenancy.Op("a", "create", "t", "x", "open")
    answers, _ = tenancy.model([retry, retry, tenancy.Op("a", "create", "t", "x", "done")])
    task = {"task_id": "t", "title": "x", "status": "open"}
    assert answers == [("ok", task), ("ok", task), ("conflict",)]


def test_workload_retries_some_creates_exactly():
    ops = tenancy.graded_ops()
    creates = [i for i, o in enumerate(ops) if o.kind == "create"]
    assert sum(any(ops[j] == ops[i] for j in creates if j < i) for i in creates) > 20


# ----------------------------------------------------------------------------------- the evaluator

GOOD = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": ARN,
            "Condition": {
                "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["T#${aws:PrincipalTag/tenant}"]},
                "Null": {"dynamodb:LeadingKeys": "false"},
            },
        }
    ],
}


def _ev(policy, action="dynamodb:GetItem", **ctx):
    return iampolicy.evaluate(
        policy, action, ARN, {k.replace("__", "/").replace("_", ":", 1): v for k, v in ctx.items()}
    )


def test_allow_needs_a_matching_statement_and_conditions():
    assert _ev(GOOD, aws_PrincipalTag__tenant="a", dynamodb_LeadingKeys=["T#a"]) == "Allow"
    assert _ev(GOOD, aws_PrincipalTag__tenant="a", dynamodb_LeadingKeys=["T#b"]) == "ImplicitDeny"
    assert _ev(GOOD, aws_PrincipalTag__tenant="a", dynamodb_LeadingKeys=["T#a", "T#b"]) == "ImplicitDeny"
    assert _ev(GOOD, "dynamodb:Scan", aws_PrincipalTag__tenant="a") == "ImplicitDeny"
    assert (
        _ev(GOOD, "DynamoDB:getitem", aws_PrincipalTag__tenant="a", dynamodb_LeadingKeys=["T#a"]) == "Allow"
    )


def test_for_all_values_is_vacuously_true_without_the_key():
    """The pitfall: without the Null guard, a request with no partition key passes ForAllValues."""
    no_null = {
        "Statement": [
            {
                **GOOD["Statement"][0],
                "Action": "dynamodb:*",
                "Condition": {
                    "ForAllValues:StringEquals": GOOD["Statement"][0]["Condition"][
                        "ForAllValues:StringEquals"
                    ]
                },
            }
        ]
    }
    assert _ev(no_null, "dynamodb:Scan", aws_PrincipalTag__tenant="a") == "Allow"
    assert _ev(GOOD, "dynamodb:Query", aws_PrincipalTag__tenant="a") == "ImplicitDeny"


def test_an_unresolved_policy_variable_matches_nothing():
    assert _ev(GOOD, dynamodb_LeadingKeys=["T#"]) == "ImplicitDeny"
    assert _ev(GOOD, dynamodb_LeadingKeys=["T#${aws:PrincipalTag/tenant}"]) == "ImplicitDeny"
    with_default = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"x:k": "${aws:PrincipalTag/t, 'none'}"}},
            }
        ]
    }
    assert iampolicy.evaluate(with_default, "s:A", ARN, {"x:k": "none"}) == "Allow"


def test_absent_keys_make_negated_operators_true_and_if_exists_true():
    deny = {
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/tenant": "a"}},
            },
        ]
    }
    assert iampolicy.evaluate(deny, "s:A", ARN, {}) == "ExplicitDeny"  # absent: negated is true
    assert iampolicy.evaluate(deny, "s:A", ARN, {"aws:PrincipalTag/tenant": "a"}) == "Allow"
    if_exists = {
        "Statement": [
            deny["Statement"][0],
            {
                **deny["Statement"][1],
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalTag/tenant": "a"}},
            },
        ]
    }
    assert iampolicy.evaluate(if_exists, "s:A", ARN, {}) == "ExplicitDeny"  # IfExists: absent is true too
    any_value = {
        "Statement": [
            deny["Statement"][0],
            {
                **deny["Statement"][1],
                "Condition": {"ForAnyValue:StringNotEquals": {"dynamodb:LeadingKeys": "T#a"}},
            },
        ]
    }
    assert iampolicy.evaluate(any_value, "dynamodb:Scan", ARN, {}) == "Allow"  # ForAnyValue: absent is false
    assert (
        iampolicy.evaluate(any_value, "s:A", ARN, {"dynamodb:LeadingKeys": ["T#a", "T#b"]}) == "ExplicitDeny"
    )


def test_an_allow_on_a_negated_operator_passes_an_untagged_principal_unless_null_guards_it():
    """The Null vs StringNotEquals pitfall: "allow unless the tenant is suspended" allows a session
    with no tenant tag at all (the absent key makes the negated operator true)."""
    unless = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/tenant": "suspended"}},
            }
        ]
    }
    assert iampolicy.evaluate(unless, "s:A", ARN, {}) == "Allow"
    unless["Statement"][0]["Condition"]["Null"] = {"aws:PrincipalTag/tenant": "false"}
    assert iampolicy.evaluate(unless, "s:A", ARN, {}) == "ImplicitDeny"
    assert iampolicy.evaluate(unless, "s:A", ARN, {"aws:PrincipalTag/tenant": "a"}) == "Allow"


def test_like_wildcards_and_resources():
    like = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "dynamodb:Get*",
                "Resource": "arn:aws:dynamodb:*:*:table/t?sks",
                "Condition": {
                    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": "T#${aws:PrincipalTag/tenant}*"}
                },
            }
        ]
    }
    assert (
        iampolicy.evaluate(
            like, "dynamodb:GetItem", ARN, {"aws:PrincipalTag/tenant": "a", "dynamodb:LeadingKeys": ["T#a2"]}
        )
        == "Allow"
    )
    assert iampolicy.evaluate(like, "dynamodb:GetItem", ARN + "2", {}) == "ImplicitDeny"


def test_unsupported_policies_are_refused_not_guessed():
    for cond in ({"NumericLessThan": {"x": "1"}}, {"ForAllValues:Null": {"x": "true"}}):
        with pytest.raises(iampolicy.UnsupportedPolicy):
            iampolicy.evaluate(
                {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": cond}]},
                "s:A",
                ARN,
                {"x": "1"},
            )
    with pytest.raises(iampolicy.UnsupportedPolicy):
        iampolicy.evaluate(
            {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "*",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"k": "a"}},
                    }
                ]
            },
            "s:A",
            ARN,
            {"k": ["a", "b"]},
        )


# ----------------------------------------------------------------------------- the trusted rule


def _item(tenant, pk, task="t"):
    return {
        "pk": {"S": pk},
        "sk": {"S": task},
        "tenant": {"S": tenant},
        "task_id": {"S": task},
        "title": {"S": "x"},
        "status": {"S": "open"},
    }


def test_partition_rule_accepts_any_key_format_with_one_partition_per_tenant():
    assert not checks.partition_problems(
        [_item("a", "TENANT#a"), _item("a", "TENANT#a", "u"), _item("b", "b")]
    )


def test_partition_rule_finds_shared_spread_and_anonymous_partitions():
    assert checks.partition_problems([_item("a", "ALL"), _item("b", "ALL")])
    assert checks.partition_problems([_item("a", "a#1"), _item("a", "a#2")])
    assert checks.partition_problems([{"pk": {"S": "x"}, "sk": {"S": "y"}}])
    assert checks.partition_problems([_item("a", "a"), _item("ab", "a")])


def test_trusted_checks_cover_the_state_tests():
    assert set(checks.TRUSTED) == {
        "test-repository-visible",
        "test-guessed-ids",
        "test-same-id-two-tenants",
        "test-no-scan",
        "test-errors-propagate",
        "test-random-workload",
    }


def test_trusted_checks_look_at_the_tests_tenants_and_whoever_shares_their_partitions():
    items = [_item("a", "TENANT#a"), _item("old", "old-format"), _item("b", "TENANT#a"), _item("c", "c")]
    assert checks.around(items, {"a"}) == [items[0], items[2]]
    assert checks.partition_problems(checks.around(items, {"a"}))
    assert not checks.partition_problems(checks.around(items, {"c"}))


@pytest.mark.usefixtures("local_aws")
def test_trusted_check_reads_the_table_not_the_kernel():
    """A shared partition whose every answer looks right to the kernel (the hostile wrong answer)
    fails the trusted check, and the same tasks in per-tenant partitions pass it."""
    from mastery import aws
    from mastery.grading import integrity

    ctx = integrity.Context("13-multi-tenant", None)
    ddb = aws.client("dynamodb")
    table = tenancy.task_table(ctx.namespace(checks.EXERCISE))
    check = checks.TRUSTED["test-no-scan"]

    def store(pk_of):
        for task_id, title in (("s-1", "one"), ("s-2", "two")):
            ddb.put_item(
                TableName=table,
                Item={
                    "pk": {"S": pk_of("noscan")},
                    "sk": {"S": f"TASK#noscan#{task_id}"},
                    "tenant": {"S": "noscan"},
                    "task_id": {"S": task_id},
                    "title": {"S": title},
                    "status": {"S": "open"},
                },
            )
        ddb.put_item(
            TableName=table,
            Item={
                "pk": {"S": pk_of("other")},
                "sk": {"S": "TASK#other#x"},
                "tenant": {"S": "other"},
                "task_id": {"S": "x"},
                "title": {"S": "x"},
                "status": {"S": "open"},
            },
        )

    try:
        store(lambda tenant: "TASKS")
        message = integrity.run_trusted(check, ctx)
        assert message and "isolation" in message
        aws.delete_table(table)
        table = tenancy.task_table(ctx.namespace(checks.EXERCISE))
        store(lambda tenant: f"TENANT#{tenant}")
        assert integrity.run_trusted(check, ctx) is None
    finally:
        aws.delete_table(table)
