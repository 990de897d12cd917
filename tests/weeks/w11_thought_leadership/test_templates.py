"""templates: the loader keeps lines and reads short-form tags, the views find what the
rules need, and the fixture generator is deterministic and says where each planted problem is."""

from __future__ import annotations

import pytest

from mastery.weeks.w11_thought_leadership import templates as T

TEXT = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 10
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "s3:*"
                Resource: !Sub "arn:aws:s3:::${Bucket}/*"
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          def handler(e, c):
              return 1
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Fn
      EventSourceArn: !GetAtt [Queue, Arn]
  Allow:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Fn.Arn
      Principal: apigateway.amazonaws.com
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - SQSPollerPolicy: {QueueName: !GetAtt Queue.QueueName}
        - Statement:
            - Effect: Deny
              Action: "*"
              Resource: "*"
      Events:
        Topic:
          Type: SNS
          Properties: {Topic: !Ref Topic}
  Ops:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: {Effect: Allow, Principal: {Service: cloudformation.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: ops
          PolicyDocument:
            Statement: {Effect: Allow, Action: "dynamodb:CreateTable", Resource: "*"}
"""


@pytest.fixture
def t():
    return T.load(TEXT)


def test_short_form_tags_become_long_form(t):
    fn = t.props("Fn")
    assert fn["Role"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert t.props("Mapping")["FunctionName"] == {"Ref": "Fn"}
    assert t.props("Mapping")["EventSourceArn"] == {"Fn::GetAtt": ["Queue", "Arn"]}


def test_lines_are_one_based_and_point_at_keys(t):
    lines = TEXT.splitlines()
    assert t.line_of("Queue") == 7 and lines[6].strip() == "Queue:"
    assert lines[t.line_of("Fn", "Properties", "Code", "ZipFile") - 1].strip().startswith("ZipFile:")
    assert lines[t.line("Globals", "Function", "Timeout") - 1].strip() == "Timeout: 10"
    # a missing key falls back to the deepest key that exists
    assert t.line_of("Fn", "Properties", "Timeout") == t.line_of("Fn", "Properties")
    st = next(s for s in T.statements(t) if s.resource == "Role")
    assert lines[t.line_of("Role", *st.path, "Action") - 1].strip() == 'Action: "s3:*"'


def test_refs_follow_ref_getatt_and_sub(t):
    assert T.refs({"Fn::Sub": "arn:aws:s3:::${Bucket}/${AWS::Region}/${Other.Arn}"}) == {"Bucket", "Other"}
    assert T.refs([{"Ref": "A"}, {"Fn::GetAtt": ["B", "Arn"]}, {"Ref": "AWS::AccountId"}]) == {"A", "B"}


def test_statements_know_where_they_live_and_who_holds_them(t):
    found = {(s.resource, s.path, s.runtime, s.allows) for s in T.statements(t)}
    assert ("Role", ("Properties", "Policies", 0, "PolicyDocument", "Statement", 0), True, True) in found
    assert ("Sam", ("Properties", "Policies", 1, "Statement", 0), True, False) in found
    # a single statement (not a list) and a role only CloudFormation assumes
    assert ("Ops", ("Properties", "Policies", 0, "PolicyDocument", "Statement"), False, True) in found
    assert len(found) == 3, "SAM policy templates are not statements"


def test_triggers_from_events_mappings_and_permissions(t):
    got = {(tr.function, tr.kind, tr.resource) for tr in T.triggers(t)}
    assert got == {("Fn", "SQS", "Mapping"), ("Fn", "Api", "Allow"), ("Sam", "SNS", "Sam")}


def test_inline_code(t):
    code, path = T.inline_code(t.resources["Fn"])
    assert "def handler" in code and path == ("Properties", "Code", "ZipFile")
    assert T.inline_code(t.resources["Sam"]) is None


def test_not_a_template_is_refused():
    with pytest.raises(ValueError, match="Resources"):
        T.load("just: text\n")


def test_generator_is_deterministic_and_varies_with_seed():
    a, b = T.make_template(7, ["wildcard-iam"]), T.make_template(7, ["wildcard-iam"])
    assert a.text == b.text and a.findings == b.findings
    assert T.make_template(8, ["wildcard-iam"]).text != a.text
    with pytest.raises(ValueError, match="unknown plants"):
        T.make_template(1, ["no-such-thing"])


@pytest.mark.parametrize("plant", T.PLANTS)
def test_every_plant_is_expected_where_it_is(plant):
    rule = {
        "sync-invoke": "SLS001",
        "queue-without-dlq": "SLS002",
        "async-without-on-failure": "SLS003",
        "wildcard-iam": "SLS004",
        "unbounded-concurrency": "SLS005",
        "per-request-infra": "SLS006",
        "missing-timeout": "SLS007",
        "api-timeout-too-long": "SLS007",
    }[plant]
    for seed in range(20):
        fx = T.make_template(seed, [plant])
        assert not fx.clean and fx.planted == (plant,)
        assert rule in {r for r, _, _ in fx.findings}
        lines = fx.text.splitlines()
        t = T.load(fx.text)
        for r, res, line in fx.findings:
            assert res in t.resources
            text = lines[line - 1].strip()
            want = {
                "SLS001": ("InlineCode:", "ZipFile:"),
                "SLS002": (f"{res}:",),
                "SLS003": ("Notify:",),
                "SLS004": ("Action", "Resource", "- Action"),
                "SLS005": (f"{res}:",),
                "SLS006": ("Action",),
            }.get(r, (f"{res}:", "Timeout:"))
            assert text.startswith(want), f"seed {seed}: {r} line {line} is {text!r}"


def test_clean_templates_expect_nothing():
    for seed in range(20):
        fx = T.make_template(seed)
        assert fx.clean and fx.findings == []


def test_fixture_manifest_lists_every_file(tmp_path):
    written = T.write_fixtures(tmp_path)
    manifest = (tmp_path / "manifest.json").read_text()
    for p in written[:-1]:
        assert p.name in manifest
        T.load(p)  # every file parses


def test_every_plant_has_a_function_and_one_place_in_the_draw_order():
    assert tuple(T.PLANT_FUNCTIONS) == T.PLANTS
    placed = [step for step in T._DRAW_ORDER if isinstance(step, str)]
    assert sorted(placed) == sorted(T.PLANTS), "a plant draws from the seed at one place in _DRAW_ORDER"
    for fn in T.PLANT_FUNCTIONS.values():
        assert fn.__doc__ and fn.__doc__.startswith("SLS00"), f"{fn.__name__}: say which rule it plants"
