"""Grades the learner's code cannot fake (mastery.grading.integrity): fingerprints agree across
processes; a trick the kernel-side guard cannot see (replacing a builtin) still loses the points,
because the week's trusted check runs in the grading process; the reference keeps full marks."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import nbformat
import pytest

from mastery import aws, paths
from mastery.grading import cohort, integrity, submissions

MONTH, NB = "month-03", "10-finops-governance.ipynb"


def _graded(tmp_path, month: str, nb_name: str, learner: str, nb):
    """Grade one hostile submission of ``nb_name`` alone, in a course of its own, as an instructor
    would: its cells' (score, max) and the autograded notebook (where the feedback says why)."""
    course = cohort.Course(tmp_path / "course")
    course.add_assignment(month)
    course.submit(learner, month, {nb_name: nb})
    assert course.autograde(month, learner)["success"]
    cells = course.score(month, learner)[nb_name[:-6]].cells
    return cells, nbformat.read(course.root / "autograded" / learner / month / nb_name, as_version=4)


def _caught_by_the_check(cells, out, grade_id: str, says: str, kernel_says: str) -> str:
    """``grade_id`` scored 0 through its trusted check (its output says ``says``), while the
    kernel-side test was fooled (its own message ``kernel_says`` is absent: had the kernel caught
    the trick, it would prove nothing about the check). Returns the cell's output text."""
    assert cells[grade_id][0] == 0, grade_id
    text = json.dumps(_cell(out, grade_id).outputs)
    assert "TrustedCheckFailed" in text and says in text, text[:500]
    assert kernel_says not in text, (
        f"the kernel-side test was not fooled ({kernel_says!r}): the trick proves nothing")
    return text


def test_fingerprints_are_the_same_in_another_process():
    other = subprocess.run([sys.executable, "-c", "import json; from mastery.grading import integrity; "
                            "print(json.dumps(integrity.fingerprints()))"],
                           capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(other.stdout) == integrity.fingerprints()
    assert "expect" in integrity.fingerprints()["mastery.expect"]


def test_setup_bindings_are_what_the_locked_cells_import():
    sol = nbformat.read(paths.solutions_dir() / MONTH / NB, as_version=4)
    bound = integrity.setup_bindings(sol)
    assert bound["expect"] == ("mastery.expect", "expect")
    assert bound["governance"] == ("mastery.weeks.w10_finops_governance", "governance")


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_trusted_checks_catch_what_the_kernel_cannot_see(tmp_path):
    course = cohort.Course(tmp_path / "course")
    course.add_assignment(MONTH)
    good = submissions.reference_submission(MONTH, NB)
    # no budgets at all, and len() made to say 3: the kernel-side alert test then passes on nothing
    bad = submissions.reference_submission(MONTH, NB)
    c = _cell(bad, "team-budgets")
    c.source += ("\n\ndef create_team_budgets(budgets, team_budgets, email):\n    return []\n\n"
                 "import builtins\n_len = builtins.len\n"
                 "builtins.len = lambda x: 3 if isinstance(x, dict) and not x else _len(x)\n")
    scores = {}
    for student, nb in (("good", good), ("bad", bad)):
        course.submit(student, MONTH, {NB: nb})
        assert course.autograde(MONTH, student)["success"]
        scores[student] = course.score(MONTH, student)[NB[:-6]].cells
    for gid in integrity.trusted_checks(NB[:-6]):
        assert scores["good"][gid][0] == scores["good"][gid][1], f"the reference lost {gid}"
    assert scores["bad"]["test-budget-alerts"][0] == 0
    out = nbformat.read(course.root / "autograded" / "bad" / MONTH / NB, as_version=4)
    text = json.dumps(_cell(out, "test-budget-alerts").outputs)
    assert "TrustedCheckFailed" in text and "not one budget per team" in text


def test_the_guard_passes_genuine_state_and_names_what_was_replaced():
    import types

    from mastery.expect import expect
    from mastery.weeks.w10_finops_governance import governance

    guard = compile(integrity.prelude({"expect": ("mastery.expect", "expect"),
                                       "governance": ("mastery.weeks.w10_finops_governance", "governance")}),
                    "<guard>", "exec")
    exec(guard, {"expect": expect, "governance": governance})  # nothing changed: silent
    for bad, named in (({"expect": lambda *a, **k: None, "governance": governance}, "'expect'"),
                       ({"expect": expect, "governance": types.SimpleNamespace()}, "'governance'")):
        with pytest.raises(Exception, match=f"scores 0: .*{named}") as e:
            exec(guard, bad)
        assert type(e.value).__name__ == "TamperingDetected"


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week4_trusted_check_catches_an_alias_faked_in_the_kernel(tmp_path):
    """A rollback that never touches the alias, hidden behind botocore's _make_api_call (which
    the kernel guard does not fingerprint): the kernel's test passes, the trusted check does not."""
    month, name = "month-01", "04-canary-releases.ipynb"
    wa = next(w for w in submissions.wrong_answers()
              if w.notebook == name and w.name == "fakes_alias_readback")
    cells, out = _graded(tmp_path, month, name, "hostile", submissions.patched_submission(wa))
    assert cells["test-controller-rollback"][0] == 0
    errors = [o for o in _cell(out, "test-controller-rollback").outputs if o.get("output_type") == "error"]
    assert [o["ename"] for o in errors] == ["TrustedCheckFailed"], errors  # the kernel's test was fooled
    assert "after a rollback from 100 %" in errors[0]["evalue"]


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week8_alarms_faked_in_the_client_lose_the_points_through_the_trusted_check(tmp_path):
    """The notebook's CloudWatch client made to answer DescribeAlarms from memory (an instance
    attribute the kernel-side guard does not look at): the kernel's test passes, the grader's own
    DescribeAlarms finds no alarm, and only that test loses its points."""
    month, nb_name = "month-02", "08-observability-slos.ipynb"
    wa = next(w for w in submissions.wrong_answers() if w.name == "alarms_faked_in_client")
    cells, out = _graded(tmp_path, month, nb_name, "faker", submissions.patched_submission(wa))
    assert cells["test-cloudwatch-alarms"][0] == 0
    assert all(v[0] == v[1] for k, v in cells.items() if "test" in k and k != "test-cloudwatch-alarms"), cells
    text = json.dumps(_cell(out, "test-cloudwatch-alarms").outputs)
    assert "TrustedCheckFailed" in text and "the backend has the alarms []" in text


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week7_trusted_check_catches_rows_the_kernel_was_made_to_count(tmp_path):
    """Week 7: to_items drops every order line, and ``len`` is made to report the full count for
    the list the kernel-side test-table-design scans: the kernel test passes, the trusted check
    (which scans the learner's table from the grading process) takes the points."""
    month, nb_name = "month-02", "07-caching-data-access.ipynb"
    course = cohort.Course(tmp_path / "course")
    course.add_assignment(month)
    good = submissions.reference_submission(month, nb_name)
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "table-design")
    c.source += ("\n\n_to_items = to_items\n\n\ndef to_items(customers, orders, order_items):\n"
                 "    return _to_items(customers, orders, order_items.head(0))\n\n\n"
                 "import builtins\n_len = builtins.len\n_rows = _len(customers) + _len(orders)\n"
                 "builtins.len = lambda x: _rows + _len(order_items) \\\n"
                 "    if isinstance(x, list) and _len(x) == _rows else _len(x)\n")
    scores = {}
    for student, nb in (("good", good), ("bad", bad)):
        course.submit(student, month, {nb_name: nb})
        assert course.autograde(month, student)["success"]
        scores[student] = course.score(month, student)[nb_name[:-6]].cells
    for gid in integrity.trusted_checks(nb_name[:-6]):
        assert scores["good"][gid][0] == scores["good"][gid][1], f"the reference lost {gid}"
    assert scores["bad"]["test-table-design"][0] == 0
    out = nbformat.read(course.root / "autograded" / "bad" / month / nb_name, as_version=4)
    text = json.dumps(_cell(out, "test-table-design").outputs)
    assert "TrustedCheckFailed" in text and "not one per customer, order and order line" in text
    assert "all in the one table" not in text, "the kernel-side test was not fooled: the trick proves nothing"
# ---------------------------------------------------------------- the weeks' trusted checks, direct
# Cheap: each check is run as the grader runs it (a Context on the learner's namespace), against
# state written straight to the backend: fake rows a kernel-side test would read as success fail,
# the state the spec asks for passes. The cohort runs are in test_hostile_submissions.py.


def _run(check, ctx, before=None):
    if hasattr(check, "before"):
        integrity.prepare_trusted(check, ctx)
        if before is not None:
            ctx.memo[check] = before
    return integrity.run_trusted(check, ctx)


@pytest.mark.usefixtures("local_aws")
def test_week1_checks_fold_the_event_store_themselves():
    from mastery.weeks.w01_event_sourcing_cqrs import checks, eventstore

    ctx = integrity.Context("01-event-sourcing-cqrs", f"trust-{uuid.uuid4().hex[:6]}")
    ns = ctx.namespace(checks.EXERCISE)
    store = eventstore.create_store(ns.name("events"))
    view = aws.ensure_table(ns.name("stock-view"), "sku")
    ddb = aws.client("dynamodb")
    integrity.prepare_trusted(checks.projected, ctx)
    sku = "sku-trust"
    for v, e in enumerate([{"type": "ItemRegistered", "data": {"name": "lamp"}},
                           {"type": "StockReceived", "data": {"quantity": 5}},
                           {"type": "StockShipped", "data": {"quantity": 2}}], start=1):
        ddb.put_item(TableName=store, Item=eventstore.to_item(sku, v, e))
    # a fake row: what a kernel test reading only onHand would accept, at the wrong version
    ddb.put_item(TableName=view, Item=aws.to_item({"sku": sku, "name": "lamp", "onHand": 3, "version": 1}))
    problem = integrity.run_trusted(checks.projected, ctx)
    assert problem and "replay to" in problem and "'version': 3" in problem
    ddb.put_item(TableName=view, Item=aws.to_item({"sku": sku, "name": "lamp", "onHand": 3, "version": 3}))
    assert _run(checks.projected, ctx, before=set()) is None
    # an overwritten append (a gap in the versions) and a stream the spec's rules forbid
    ddb.put_item(TableName=store, Item=eventstore.to_item("sku-other", 1, {"type": "ItemRegistered",
                                                                           "data": {"name": "desk"}}))
    assert _run(checks.store_rules, ctx, before=set()) is None
    shipped = {"type": "StockShipped", "data": {"quantity": 9}}
    ddb.put_item(TableName=store, Item=eventstore.to_item(sku, 4, shipped))
    assert "ships more than it has" in _run(checks.store_rules, ctx, before=set())
    ddb.put_item(TableName=store, Item=eventstore.to_item(sku, 6, shipped))
    assert "without gaps" in _run(checks.store_rules, ctx, before=set())


@pytest.mark.usefixtures("local_aws")
def test_week1_projection_order_check_draws_the_kernels_cases_itself():
    """test-projection-order draws its cases in the kernel under a fresh tag; the check draws
    them again (eventstore.projection_cases) and reads every item's row: no run, a run with one
    row off, and a run from before the cell fail; the replayed rows pass."""
    from mastery.weeks.w01_event_sourcing_cqrs import checks, eventstore

    ctx = integrity.Context("01-event-sourcing-cqrs", f"trust-{uuid.uuid4().hex[:6]}")
    view = aws.ensure_table(ctx.namespace(checks.EXERCISE).name("stock-view"), "sku")
    ddb = aws.client("dynamodb")
    check = checks.TRUSTED["test-projection-order"]
    assert "0 new runs" in _run(check, ctx)

    def write(tag, off=0):
        for n, case in enumerate(eventstore.projection_cases(tag)):
            stream = [(e["version"], e["type"], e["data"]) for e in case.events]
            row = {"sku": case.sku, **checks.fold(stream), "version": len(stream)}
            row["onHand"] += off if n == 3 else 0
            ddb.put_item(TableName=view, Item=aws.to_item(row))

    write("aaaaaa", off=1)
    assert "sku-aaaaaax3" in _run(check, ctx, before=set())
    write("bbbbbb")
    assert _run(check, ctx, before={"aaaaaa"}) is None
    assert "2 new runs" in _run(check, ctx, before=set())
    aws.delete_table(view)


@pytest.mark.usefixtures("local_aws")
def test_week2_checks_read_the_history_not_the_rows():
    """The issue's one-state saga (Succeed at once) with the rows a valid order leaves written by
    hand: the tables look right, the execution's history shows no step taking effect."""
    from mastery.weeks.w02_saga_step_functions import checks, shop

    ctx = integrity.Context("02-saga-step-functions", f"trust-{uuid.uuid4().hex[:6]}")
    ns = ctx.namespace(checks.EXERCISE)
    tables = shop.create_tables(ns)
    shop.seed(tables)
    sfn = aws.client("stepfunctions")
    arn = sfn.create_state_machine(name=ns.name("order-saga"), roleArn=aws.role_arn(), definition=json.dumps(
        {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}))["stateMachineArn"]
    integrity.prepare_trusted(checks.trusted_happy_path, ctx)
    oid = f"o-{uuid.uuid4().hex[:8]}"
    order = json.dumps(shop.order(oid, quantity=2, amount=40))
    checks.wait(sfn.start_execution(stateMachineArn=arn, name=oid, input=order)["executionArn"], tables, sfn)
    ddb = aws.client("dynamodb")
    for table, item in ((tables.orders, {"orderId": oid, "status": "CONFIRMED"}),
                        (tables.inventory, {"sku": "BOOK", "stock": 8}),
                        (tables.accounts, {"customerId": "ann", "balance": 460}),
                        (tables.zones, {"zone": "EU", "booked": 1})):
        ddb.put_item(TableName=table, Item=aws.to_item(item))
    problem = integrity.run_trusted(checks.trusted_happy_path, ctx)
    assert problem and "history on the backend shows [] taking effect" in problem
    sfn.delete_state_machine(stateMachineArn=arn)


@pytest.mark.usefixtures("local_aws")
def test_week2_deploy_check_reads_what_the_last_deploy_left():
    """A deploy_saga that never updates leaves the notebook's definition (the test restores it):
    the grader's marker is missing whatever the kernel's expect said."""
    from mastery.weeks.w02_saga_step_functions import checks

    ctx = integrity.Context("02-saga-step-functions", f"trust-{uuid.uuid4().hex[:6]}")
    sfn = aws.client("stepfunctions")
    done = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    arn = sfn.create_state_machine(name=ctx.namespace(checks.EXERCISE).name("order-saga"),
                                   roleArn=aws.role_arn(), definition=json.dumps(done))["stateMachineArn"]
    try:
        assert "does not hold the definition" in integrity.run_trusted(checks.trusted_deploy_updates, ctx)
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(
            {**done, "Comment": f"grader page {uuid.uuid4().hex[:6]}"}), roleArn=aws.role_arn())
        assert integrity.run_trusted(checks.trusted_deploy_updates, ctx) is None
    finally:
        sfn.delete_state_machine(stateMachineArn=arn)


@pytest.mark.usefixtures("local_aws")
def test_week5_and_week6_checks_read_secrets_and_accounts():
    from mastery.weeks.w05_zero_trust import checks as zt_checks
    from mastery.weeks.w05_zero_trust import zerotrust
    from mastery.weeks.w06_dlp_compliance import checks as dlp_checks
    from mastery.weeks.w06_dlp_compliance import compliance

    learner = f"trust-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("05-zero-trust", learner)
    ns = ctx.namespace(zt_checks.EXERCISE)
    secret, sm = ns.name("orders-db"), aws.client("secretsmanager")
    db = zerotrust.UserDatabase(ns)
    zerotrust.fresh_secret(secret, {"username": "orders_app", "password": "old-password-1"}, sm=sm)
    db.set_password("orders_app", "old-password-1")
    new = "n" * 32
    sm.put_secret_value(SecretId=secret, SecretString=json.dumps({"username": "orders_app", "password": new}))
    # the secret rotated by hand, the database never told
    assert "does not accept the AWSCURRENT" in integrity.run_trusted(zt_checks.rotation, ctx)
    db.set_password("orders_app", new)
    assert integrity.run_trusted(zt_checks.rotation, ctx) is None

    ctx = integrity.Context("06-dlp-compliance", learner)
    acct = f"{ctx.namespace(dlp_checks.EXERCISE).prefix}-s"
    compliance.build_account(acct, {"bucket:fine": {}, "table:fine": {}})
    assert integrity.run_trusted(dlp_checks.scan_scope, ctx) is None
    compliance.build_account(f"{acct}x", {"table:bad": {"pitr": False}})
    assert "should be cleared" in integrity.run_trusted(dlp_checks.scan_scope, ctx)
    compliance.build_account(acct, {"bucket:fine": {"versioning": None}})
    assert "extra" in integrity.run_trusted(dlp_checks.scan_scope, ctx)
    compliance.clear(acct)
    compliance.clear(f"{acct}x")


@pytest.mark.usefixtures("local_aws")
def test_week21_checks_count_the_exchanges_fills_themselves():
    """Week 21: a check reads ORDERS (the exchange's fills) from the grading process: a key filled
    twice fails, a key never filled fails (the count of keys is the test's), one fill each passes."""
    from mastery.weeks.w21_failure_is_normal import checks

    learner = f"w21-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("21-failure-is-normal", learner)
    table = aws.ensure_table(aws.namespace(checks.EXERCISE, learner).name("orders"), "order_id")
    ddb = aws.client("dynamodb")

    def fill(key):
        ddb.put_item(TableName=table, Item={"order_id": {"S": uuid.uuid4().hex}, "key": {"S": key}})

    lost = checks.TRUSTED["test-lost-reply"]
    assert "not the 1 it placed" in _run(lost, ctx)
    fill("lost-abc")
    assert _run(lost, ctx) is None
    fill("lost-abc")
    assert "more than one fill" in _run(lost, ctx)
    for i in range(12):
        fill(f"dup-x-{i:02d}")
    assert _run(checks.TRUSTED["test-duplicates"], ctx) is None

    # the visible tests' random keys: the one key the cell added, filled once with the first order
    replay = checks.TRUSTED["test-replay"]
    fill("vis-old")
    assert "0 new key(s)" in _run(replay, ctx)
    fill("vis-new")
    assert "of None shares" in _run(replay, ctx, before={"vis-old"})  # fill() writes no qty
    def fill_of(order_id, qty):
        ddb.put_item(TableName=table, Item={"order_id": {"S": order_id}, "key": {"S": "vis-new2"},
                                            "qty": {"N": qty}})

    fill_of("o1", "5")
    assert _run(replay, ctx, before={"vis-old", "vis-new"}) is None
    fill_of("o2", "500")
    assert "2 fills" in _run(checks.TRUSTED["test-conflict-visible"], ctx, before={"vis-old", "vis-new"})
    aws.delete_table(table)


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week21_trusted_check_catches_a_double_fill_hidden_from_the_kernel(tmp_path):
    """Week 21: place_order fills every new key twice, and the setup's `fills_of` helper (a name the
    learner's cell can rebind, unlike the course's functions) is made to report only the fill that
    was returned: the kernel's test-lost-reply passes, the trusted check counts two fills."""
    month, nb_name = "month-06", "21-failure-is-normal.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "place-order")
    c.source += ("\n\n_place_order = place_order\n\n\ndef place_order(key, order):\n"
                 "    fresh = _record(key) is None\n"
                 "    fill = _place_order(key, order)\n"
                 "    if fresh:\n"
                 "        EXCHANGE.execute(key, order)   # a second fill nobody returns\n"
                 "    return fill\n\n\n"
                 "def fills_of(key):\n"
                 "    record = _record(key)\n"
                 "    return [json.loads(record['result']['S'])] if record and 'result' in record else []\n")
    cells, out = _graded(tmp_path, month, nb_name, "faker", bad)
    _caught_by_the_check(cells, out, "test-lost-reply", "more than one fill", "must not fill again")


@pytest.mark.usefixtures("local_aws")
def test_week17_any_delivery_check_draws_the_kernels_cases_itself():
    """Week 17's test-any-delivery draws its cases in the kernel (Hypothesis, derandomized, under
    a fresh tag); the trusted check draws the same cases in the grading process and reads each
    case's devices: no run of the cases fails, a run with one device's count off fails, the
    exact aggregates pass, and a run of the cases left from before the cell does not count."""
    from mastery.weeks.w17_streams_and_lambda import checks, telemetry

    learner = f"w17-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("17-streams-and-lambda", learner)
    table = aws.ensure_table(aws.namespace(checks.EXERCISE, learner).name("device-stats"), "device")
    ddb = aws.client("dynamodb")
    check = checks.TRUSTED["test-any-delivery"]
    assert "0 new runs" in _run(check, ctx)

    def write(tag, off=0):
        for case in telemetry.delivery_cases(tag):
            for n, (device, agg) in enumerate(telemetry.expected(case.puts).items()):
                ddb.put_item(TableName=table, Item={
                    "device": {"S": device}, "readings": {"N": str(agg["readings"] + (off if n == 0 else 0))},
                    "total_c": {"N": str(agg["total_c"])}, "max_c": {"N": str(agg["max_c"])},
                    "last_seq": {"N": str(agg["last_seq"])}})

    write("aaaaaa", off=1)
    assert "case 0's devices hold" in _run(check, ctx, before=set())
    write("bbbbbb")
    assert _run(check, ctx, before={"aaaaaa"}) is None
    assert "2 new runs" in _run(check, ctx, before=set())
    aws.delete_table(table)


@pytest.mark.usefixtures("local_aws")
def test_week16_checks_read_usage_and_the_shards_themselves():
    """Week 16: the checks read USAGE and EVENTS from the grading process. Rows a learner writes to
    look right elsewhere (every event in one partition, a duplicate in a second shard, a quota
    counter left one short) fail; exactly the stated items pass."""
    import zlib

    from mastery.weeks.w16_analytics_quotas_cost import checks

    learner = f"w16-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("16-analytics-quotas-cost", learner)
    ns = aws.namespace(checks.EXERCISE, learner)
    usage = aws.ensure_table(ns.name("usage"), "pk")
    events = aws.ensure_table(ns.name("events"), "pk", "sk")
    ddb = aws.client("dynamodb")
    adapters = checks.TRUSTED["test-adapters"]
    want = {"ad-1": ("TaskCreated", {"task_id": "t-1", "title": "plan"}),
            "ad-2": ("TaskCreated", {"task_id": "t-2", "title": "ship"}),
            "ad-3": ("TaskUpdated", {"task_id": "t-1", "status": "done", "tenant_id": "adapt-co"})}

    def put(eid, pk=None):
        kind, data = want[eid]
        ddb.put_item(TableName=events, Item={
            "pk": {"S": pk or f"adapt-co#{zlib.crc32(eid.encode()) % checks.SHARDS}"}, "sk": {"S": eid},
            "tenant": {"S": "adapt-co"}, "event_id": {"S": eid}, "kind": {"S": kind},
            "payload": {"S": json.dumps(data, sort_keys=True)}})

    for eid in want:
        put(eid, pk="adapt-co#0")                       # one partition: reads fine, not sharded
    assert "is in partition adapt-co#0" in _run(adapters, ctx)
    for eid in want:
        ddb.delete_item(TableName=events, Key={"pk": {"S": "adapt-co#0"}, "sk": {"S": eid}})
        put(eid)
    assert _run(adapters, ctx) is None
    put("ad-1", pk="adapt-co#5")                        # the same event stored twice
    assert "4 items of adapt-co" in _run(adapters, ctx)
    quota = checks.TRUSTED["test-quota"]
    for pk, n in (("quota-a#2026-11", 5), ("quota-b#2026-11", 3), ("quota-a#2026-12", 0)):
        ddb.put_item(TableName=usage, Item={"pk": {"S": pk}, "requests": {"N": str(n)}})
    assert "quota-a#2026-12: 0 vs 1" in _run(quota, ctx)
    ddb.put_item(TableName=usage, Item={"pk": {"S": "quota-a#2026-12"}, "requests": {"N": "1"}})
    assert _run(quota, ctx) is None
    for t in (usage, events):
        aws.delete_table(t)


def test_week16_trusted_check_catches_duplicates_hidden_from_the_kernel(tmp_path):
    """Week 16: put_event stores every event a second time in the next shard, and the notebook's
    `ddb` (a name the learner's cell can rebind) is wrapped so that every Query hides the copies:
    the kernel's test-adapters and test-sharding count each event once, the trusted checks read
    EVENTS with the grader's own client and find each stored twice."""
    month, nb_name = "month-04", "16-analytics-quotas-cost.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "sharding")
    c.source += (
        "\n\n\nclass _Tidy:\n"
        "    def __init__(self, real):\n        self._real = real\n\n"
        "    def __getattr__(self, name):\n"
        "        attr = getattr(self._real, name)\n"
        "        if name != 'query':\n            return attr\n\n"
        "        def query(**kw):\n"
        "            if kw.get('Select') == 'COUNT':\n"
        "                n = len(query(**{k: v for k, v in kw.items() if k != 'Select'})['Items'])\n"
        "                return {'Count': n, 'ScannedCount': n}\n"
        "            page = attr(**kw)\n"
        "            page['Items'] = [i for i in page['Items']\n"
        "                             if i['pk']['S'].rsplit('#', 1)[1] == str(shard_of(i['sk']['S']))]\n"
        "            page['Count'] = len(page['Items'])\n"
        "            return page\n"
        "        return query\n\n\n"
        "_put_event = put_event\n\n\n"
        "def put_event(tenant, event_id, kind, data):\n"
        "    _put_event(tenant, event_id, kind, data)\n"
        "    ddb.put_item(TableName=EVENTS, Item={\n"
        "        'pk': {'S': f'{tenant}#{(shard_of(event_id) + 1) % SHARDS}'}, 'sk': {'S': event_id},\n"
        "        'tenant': {'S': tenant}, 'event_id': {'S': event_id}, 'kind': {'S': kind},\n"
        "        'payload': {'S': json.dumps(data, sort_keys=True)}})\n\n\n"
        "ddb = _Tidy(ddb)\n")
    cells, out = _graded(tmp_path, month, nb_name, "faker", bad)
    for gid in ("test-adapters", "test-sharding"):
        assert cells[gid][0] == 0, gid
        text = json.dumps(_cell(out, gid).outputs)
        assert "TrustedCheckFailed" in text and "distinct ids" in text, text[:500]
        assert "expected 3" not in text and "items per shard" not in text, \
            "the kernel-side test was not fooled: the trick proves nothing"


@pytest.mark.usefixtures("local_aws")
def test_week15_checks_read_the_stream_and_the_wire_themselves():
    """Week 15: a check reads the test's task stream and the wire from the grading process: a
    connection that got another tenant's frame fails, one that got a frame twice fails, exactly its
    tenant's frames once each in order pass."""
    from mastery.weeks.w15_real_time_updates import checks, realtime

    learner = f"w15-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("15-real-time-updates", learner)
    ns = aws.namespace(checks.EXERCISE, learner)
    table, arn = realtime.task_table(ns, "tasks-kinds", reset=True)
    wire = realtime.wire_table(ns)
    ddb = aws.client("dynamodb")
    for status in ("open", "done"):
        ddb.put_item(TableName=table, Item={"pk": {"S": "TENANT#kd"}, "sk": {"S": "TASK#k"},
                                            "title": {"S": "k"}, "status": {"S": status}})
    frames = realtime.expected(realtime.stream_records(arn), checks.KINDS)["kd-1"]
    gw = realtime.Gateway(wire)
    kinds = checks.TRUSTED["test-change-kinds"]
    for cid in ("kd-1", "kd-2"):
        for f in frames:
            gw.post_to_connection(ConnectionId=cid, Data=json.dumps(f))
    assert _run(kinds, ctx) is None
    gw.post_to_connection(ConnectionId="kd-2", Data=json.dumps(frames[0]))
    assert "kd-2 received 3 frames, expected 2" in _run(kinds, ctx)
    realtime.forget(wire, "kd-2")
    for f in frames:
        gw.post_to_connection(ConnectionId="kd-2", Data=json.dumps({**f, "tenant": "other"}))
    assert "kd-2" in _run(kinds, ctx)
    for t in (table, wire):
        aws.delete_table(t)


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week15_trusted_check_catches_a_broadcast_hidden_from_the_kernel(tmp_path):
    """Week 15: the handler broadcasts every change to every connection, and the setup's
    `frames_of` helper (a name the learner's cell can rebind) is made to show each connection only
    its own tenant's frames: the kernel's test-fan-out passes, the trusted check reads the wire."""
    month, nb_name = "month-04", "15-real-time-updates.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "handler")
    c.source += ("\n\n\ndef _connections(tenant):\n"
                 "    items = ddb.scan(TableName=CONNECTIONS)['Items']\n"
                 "    return [i['connection_id']['S'] for i in items]\n\n\n"
                 "def frames_of(connection_id):\n"
                 "    return [f for f in realtime.received(WIRE, connection_id, ddb=ddb)\n"
                 "            if connection_id.startswith(f['tenant'] + '-')]\n")
    cells, out = _graded(tmp_path, month, nb_name, "faker", bad)
    _caught_by_the_check(cells, out, "test-fan-out", "on the backend", "did not receive exactly their tenant")


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week22_trusted_check_reads_the_dlq_the_spec_names(tmp_path):
    """Week 22: the handler fails the whole batch (the poison's batch-mates reach the DLQ with it),
    and `setup_queues` returns a decoy "DLQ" into which `consume` copies only the bodies that
    failed: the kernel's test-dlq-contents reads the decoy and passes, the trusted check reads the
    queue the spec names (`name-dlq`) and finds the good messages there."""
    month, nb_name = "month-06", "22-containing-failure.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "queues")
    c.source += (
        "\n\n_setup_queues = setup_queues\n\n\n"
        "def setup_queues(name):\n"
        "    url, _ = _setup_queues(name)\n"
        "    return url, sqs.create_queue(QueueName=name + '-view')['QueueUrl']\n\n\n"
        "def consume(queue_url, process):\n"
        "    failed = []\n\n"
        "    def handler(event, context):   # one failure fails the whole batch\n"
        "        for r in event['Records']:\n"
        "            try:\n"
        "                process(r['body'])\n"
        "            except Exception:\n"
        "                failed.append(r['body'])\n"
        "                raise\n"
        "    arn = breakers.queue_arn(sqs, queue_url)\n"
        "    report = esm.QueueMapping(handler, arn, BatchSize=10).drain()\n"
        "    for body in dict.fromkeys(failed):\n"
        "        sqs.send_message(QueueUrl=queue_url + '-view', MessageBody=body)\n"
        "    return report\n")
    cells, out = _graded(tmp_path, month, nb_name, "decoy", bad)
    _caught_by_the_check(cells, out, "test-dlq-contents", "on the backend, the DLQ holds",
                         "messages: it holds")


@pytest.mark.usefixtures("local_aws")
def test_week18_checks_recompute_the_windows_themselves():
    """Week 18: the checks read WINDOWS and LATE from the grading process and recompute what they
    must hold from the seeded streams: a fake extra window, a count one too high and a missing
    late reading each fail, even though a kernel-side test could be fooled by a rebound reader."""
    from mastery.weeks.w18_windows_and_exactly_once import checks, windows

    learner = f"w18-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("18-windows-and-exactly-once", learner)
    ns = aws.namespace(checks.EXERCISE, learner)
    wins, late = aws.ensure_table(ns.name("windows"), "window"), aws.ensure_table(ns.name("late"), "reading")
    ddb = aws.client("dynamodb")

    def write(want, want_late):
        for key, w in want.items():
            ddb.put_item(TableName=wins, Item={
                "window": {"S": key}, "readings": {"N": str(w["readings"])},
                "total_c": {"N": str(w["total_c"])}, "max_c": {"N": str(w["max_c"])}})
        for rid in want_late:
            ddb.put_item(TableName=late, Item={"reading": {"S": rid}})

    assert "differs" in _run(checks.TRUSTED["test-boundaries"], ctx)
    write(checks.EDGE, {"edge-001#5"})
    assert _run(checks.TRUSTED["test-boundaries"], ctx) is None
    ddb.put_item(TableName=wins, Item={"window": {"S": "edge-002#2026-11-02T09:00:00Z"},
                                       "readings": {"N": "1"}, "total_c": {"N": "1"}, "max_c": {"N": "1"}})
    assert "edge-002#2026-11-02T09:00:00Z" in _run(checks.TRUSTED["test-boundaries"], ctx)

    want, want_late = windows.expected(windows.graded("retry"))
    assert want_late, "the retry stream has a late reading"
    write(want, set())
    assert "LATE holds 0" in _run(checks.TRUSTED["test-batch-retry"], ctx)
    write({}, want_late)
    assert _run(checks.TRUSTED["test-batch-retry"], ctx) is None
    key = sorted(want)[0]
    ddb.update_item(TableName=wins, Key={"window": {"S": key}}, UpdateExpression="ADD readings :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    assert key in _run(checks.TRUSTED["test-batch-retry"], ctx)
    aws.delete_table(wins)
    aws.delete_table(late)


@pytest.mark.usefixtures("local_aws")
def test_week18_any_delivery_check_draws_the_kernels_cases_itself():
    """Week 18's test-any-delivery draws its cases in the kernel under a fresh tag; the trusted
    check draws them again (windows.delivery_cases) and reads every case's windows and late
    readings: no run fails, a window one reading high fails, the exact windows pass."""
    from mastery.weeks.w18_windows_and_exactly_once import checks, windows

    learner = f"w18-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("18-windows-and-exactly-once", learner)
    ns = aws.namespace(checks.EXERCISE, learner)
    table, late = aws.ensure_table(ns.name("windows"), "window"), aws.ensure_table(ns.name("late"), "reading")
    ddb = aws.client("dynamodb")
    check = checks.TRUSTED["test-any-delivery"]
    assert "0 new runs" in _run(check, ctx)

    def write(tag, off=0):
        for n, case in enumerate(windows.delivery_cases(tag)):
            want, want_late = windows.expected(case.puts)
            for i, (key, w) in enumerate(want.items()):
                ddb.put_item(TableName=table, Item={
                    "window": {"S": key}, "readings": {"N": str(w["readings"] + (off if n == i == 0 else 0))},
                    "total_c": {"N": str(w["total_c"])}, "max_c": {"N": str(w["max_c"])}})
            for r in want_late:
                ddb.put_item(TableName=late, Item={"reading": {"S": r}})

    write("aaaaaa", off=1)
    assert "differs from the stream's readings" in _run(check, ctx, before=set())
    write("bbbbbb")
    assert _run(check, ctx, before={"aaaaaa"}) is None
    aws.delete_table(table)
    aws.delete_table(late)


@pytest.mark.usefixtures("local_aws")
def test_week23_trusted_check_reads_the_parameters_history_itself(tmp_path):
    """Week 23: the runner does not restore the fault parameters when the stop condition stops the
    experiment, and rebinds the notebook's `ssm` to a client whose GetParameterHistory reports one
    more version, the restored one: the kernel's test-stop-condition reads that client and passes,
    the trusted check reads the backend with its own client and finds the faults still on."""
    month, nb_name = "month-06", "23-chaos-experiments.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "runner")
    restore = "        for p, value in originals.items():"
    assert c.source.count(restore) == 1
    on_completion_only = "(originals.items() if status == 'completed' else ())"
    c.source = c.source.replace(restore, restore.replace("originals.items()", on_completion_only))
    c.source += (
        "\n\n_real_ssm = ssm\n\n\n"
        "class _RosyHistory:\n"
        "    def __getattr__(self, name):\n"
        "        return getattr(_real_ssm, name)\n\n"
        "    def get_parameter_history(self, **kw):\n"
        "        page = _real_ssm.get_parameter_history(**kw)\n"
        "        ps = list(page['Parameters'])\n"
        "        if ps and not page.get('NextToken'):\n"
        "            last = max(ps, key=lambda p: p['Version'])\n"
        "            if last['Value'] != DISABLED:\n"
        "                ps.append({**last, 'Version': last['Version'] + 1, 'Value': DISABLED})\n"
        "        return {**page, 'Parameters': ps}\n\n\n"
        "ssm = _RosyHistory()\n")
    cells, out = _graded(tmp_path, month, nb_name, "rosy", bad)
    _caught_by_the_check(cells, out, "test-stop-condition", "was left at", "still restores every parameter")


@pytest.mark.usefixtures("local_aws")
def test_week19_checks_read_the_alert_queues_themselves():
    """Week 19: the checks read each test's alert queue with the grading process's own SQS client
    and recompute the rules' alerts from the seeded streams and the hand-made cases: a missing
    alert, a duplicate and an alert the rules do not send each fail."""
    from mastery.weeks.w19_anomalies_on_the_stream import anomalies, checks

    learner = f"w19-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("19-anomalies-on-the-stream", learner)
    ns, sqs = aws.namespace(checks.EXERCISE, learner), aws.client("sqs")
    assert "no alert queue" in _run(checks.TRUSTED["test-suppression"], ctx)

    def send(name, ids):
        url = anomalies.empty_queue(ns.name(f"alerts-{name}"), sqs)
        for a in ids:
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"alert": a}))

    send("sup", ["sup-001#11", "sup-001#13", "sup-002#11"])
    assert _run(checks.TRUSTED["test-suppression"], ctx) is None
    send("sup", ["sup-001#11", "sup-001#12", "sup-001#13", "sup-002#11"])
    assert "sup-001#12" in _run(checks.TRUSTED["test-suppression"], ctx)
    want = anomalies.alerts(anomalies.graded("retry").puts)
    send("retry", want)
    assert _run(checks.TRUSTED["test-batch-retry"], ctx) is None
    send("retry", want + want[:1])
    assert "more than once" in _run(checks.TRUSTED["test-batch-retry"], ctx)
    send("retry", want[1:])
    assert "missing" in _run(checks.TRUSTED["test-batch-retry"], ctx)
    # test-per-device: its cases are drawn again by the check; one alert per device per case
    cases = anomalies.per_device_cases()
    assert cases == anomalies.per_device_cases() and len(cases) == anomalies.PER_DEVICE_DRAWS + 1
    right = [f"q0123abx{n}-{a}" for n in range(len(cases)) for a in ("a#11", "b#12")]
    send("props", right)
    assert _run(checks.TRUSTED["test-per-device"], ctx) is None
    send("props", right[:-1])   # the last case's second device never alerted
    assert f"q0123abx{len(cases) - 1}-b#12" in _run(checks.TRUSTED["test-per-device"], ctx)
    send("props", right + right[:1])
    assert "q0123abx0-a#11" in _run(checks.TRUSTED["test-per-device"], ctx)
    send("props", right + ["q0123abx0-a#12"])
    assert "unexpected" in _run(checks.TRUSTED["test-per-device"], ctx)
    send("props", right + ["q4567cdx0-a#11"])   # a second run of the cell
    assert "2 runs" in _run(checks.TRUSTED["test-per-device"], ctx)
    send("props", [])
    assert "0 runs" in _run(checks.TRUSTED["test-per-device"], ctx)


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week19_trusted_check_catches_duplicates_hidden_by_a_wrapped_client(tmp_path):
    """Week 19: a handler that sends every alert twice (its own retry after an ambiguous timeout
    whose first attempt had landed) rebinds the notebook's `sqs` to a wrapper whose ReceiveMessage
    hides repeated alerts: the kernel's tests, which read the queue through `sqs`, see each alert
    once and pass; the trusted checks read the queue with their own client and find the duplicates."""
    month, nb_name = "month-05", "19-anomalies-on-the-stream.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "handler")
    send = "sqs.send_message(QueueUrl=ALERTS, MessageBody=json.dumps(body))"
    assert send in c.source
    c.source = c.source.replace(send, f"{send}\n                {send}")
    c.source += (
        "\n\n\nclass _Hiding:\n"
        "    def __init__(self, real):\n"
        "        self._real = real\n\n"
        "    def __getattr__(self, name):\n"
        "        return getattr(self._real, name)\n\n"
        "    def receive_message(self, **kw):\n"
        "        out = self._real.receive_message(**kw)\n"
        "        seen, keep = set(), []\n"
        "        for m in out.get('Messages', []):\n"
        "            a = json.loads(m['Body'])['alert']\n"
        "            if (kw['QueueUrl'], a) not in _SHOWN:\n"
        "                _SHOWN.add((kw['QueueUrl'], a))\n"
        "                keep.append(m)\n"
        "        return {**out, 'Messages': keep}\n\n\n"
        "_SHOWN = set()\n"
        "sqs = _Hiding(sqs)\n")
    learner = f"hider{uuid.uuid4().hex[:6]}"   # its queues are new even on a reused emulator
    cells, out = _graded(tmp_path, month, nb_name, learner, bad)
    for test in ("test-planted", "test-producer-duplicates", "test-batch-retry", "test-threshold"):
        assert cells[test][0] == 0, test
    text = _caught_by_the_check(cells, out, "test-planted", "on the backend", "the alert queue after")
    assert "more than once" in text or "left invisible" in text   # the repeats hidden, or still in flight


@pytest.mark.usefixtures("local_aws")
def test_week24_checks_read_fills_settlements_audit_and_dlq_themselves():
    """Week 24: the checks recompute each run's seeded stream and read the run's tables, audit
    bucket and DLQ with the grader's clients (the plumbing test exercises each check's failures;
    here: a run that was never made fails every check, whatever the kernel reported)."""
    from mastery.weeks.w24_trading_under_fire import checks

    ctx = integrity.Context("24-trading-under-fire", f"w24-{uuid.uuid4().hex[:6]}")
    for grade_id, check in checks.TRUSTED.items():
        assert _run(check, ctx) is not None, f"{grade_id}: a run that never happened passed"


@pytest.mark.usefixtures("local_aws")
def test_week20_checks_read_the_lake_themselves():
    """Week 20: the checks list the learner's bucket (every page), read each Parquet file's schema
    and rows with pyarrow and each error object, in the grading process: a correct lake passes; a
    duplicate part file, a row in the wrong day, a float column and a missing error line each fail."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from mastery.weeks.w20_cold_path_and_scale import checks, coldpath

    learner = f"w20-{uuid.uuid4().hex[:6]}"
    ctx = integrity.Context("20-cold-path-and-scale", learner)
    s3 = aws.client("s3")
    bucket = aws.ensure_bucket(aws.namespace(checks.EXERCISE, learner).name("lake"))

    def write(name, rows, key="part-0", schema=None):
        days = {}
        for (device, seq), (t, temp) in rows.items():
            row = {"device": device, "seq": seq, "ts": t, "temp_c": temp}
            days.setdefault(coldpath.day(t), []).append(row)
        for dt, part in days.items():
            buf = io.BytesIO()
            if schema is not None:
                part = [dict(r, temp_c=float(r["temp_c"])) for r in part]
            pq.write_table(pa.Table.from_pylist(part, schema=schema or coldpath.schema()), buf)
            s3.put_object(Bucket=bucket, Key=f"{name}/lake/dt={dt}/{key}.parquet", Body=buf.getvalue())

    assert "edge/lake/" in _run(checks.TRUSTED["test-day-boundary"], ctx)   # nothing there yet
    edge = coldpath.expected_rows(coldpath.graded("edge"))
    write("edge", edge)
    assert _run(checks.TRUSTED["test-day-boundary"], ctx) is None
    (k, (t, temp)), *_ = edge.items()
    s3.put_object(Bucket=bucket, Key="edge/lake/dt=2026-11-01/part-0.parquet", Body=coldpath.parquet_bytes(
        [{"device": k[0], "seq": k[1], "ts": t, "temp_c": temp}]))
    assert "more than once" in _run(checks.TRUSTED["test-day-boundary"], ctx)

    main = coldpath.graded("main")
    write("main", coldpath.expected_rows(main))
    assert _run(checks.TRUSTED["test-rows-once"], ctx) is None
    assert _run(checks.TRUSTED["test-layout-schema"], ctx) is None
    write("main", coldpath.expected_rows(main), key="part-again")       # a re-run that appended
    assert "more than once" in _run(checks.TRUSTED["test-rows-once"], ctx)
    write("main", coldpath.expected_rows(main), key="part-again",
          schema=coldpath.schema().set(3, pa.field("temp_c", pa.float64())))
    assert "schema" in _run(checks.TRUSTED["test-layout-schema"], ctx)

    errors = sorted(coldpath.expected_errors(main))
    lines = "".join(json.dumps({"key": k, "line": n}) + "\n" for k, n in errors)
    s3.put_object(Bucket=bucket, Key="main/errors/all.jsonl", Body=lines.encode())
    assert _run(checks.TRUSTED["test-malformed"], ctx) is None
    s3.put_object(Bucket=bucket, Key="main/errors/all.jsonl", Body=lines.split("\n", 1)[1].encode())
    assert "malformed" in _run(checks.TRUSTED["test-malformed"], ctx)


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week24_trusted_check_catches_a_double_fill_hidden_from_the_kernel(tmp_path):
    """Week 24: process_order sends every new order to the exchange twice, and the learner's cell
    makes the week package's read-back report only the first fill of each order: the kernel's
    test-exactly-once is fooled, the trusted check (its own process, its own module) counts two."""
    month, nb_name = "month-06", "24-trading-under-fire.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "workflow")
    c.source += ("\n\n_process_order = process_order\n\n\ndef process_order(order, deps):\n"
                 "    fresh = _state(deps, order['order_id']) is None\n"
                 "    result = _process_order(order, deps)\n"
                 "    if fresh and result.get('status') == 'FILLED':\n"
                 "        deps.exchange.execute(order['order_id'], order)   # a second fill nobody returns\n"
                 "    return result\n\n\n"
                 "_orders_by_key = trading.orders_by_key\n"
                 "trading.orders_by_key = lambda table, prefix, ddb=None: {\n"
                 "    k: v[:1] for k, v in _orders_by_key(table, prefix, ddb=ddb).items()}\n")
    cells, out = _graded(tmp_path, month, nb_name, "faker", bad)
    _caught_by_the_check(cells, out, "test-exactly-once", "2 fill(s)",
                         "each order executed once and settled once")


@pytest.mark.slow
@pytest.mark.usefixtures("local_aws")
def test_week20_trusted_check_catches_duplicates_hidden_by_a_wrapped_client(tmp_path):
    """Week 20: a compaction that appends a new part file on every run (so a re-run duplicates
    every row) rebinds the notebook's `s3` to a wrapper whose listings hide all but one part file
    per partition: the kernel's tests, which list through `s3`, see each reading once and pass; the
    trusted checks list the bucket with their own client and find the duplicates."""
    month, nb_name = "month-05", "20-cold-path-and-scale.ipynb"
    bad = submissions.reference_submission(month, nb_name)
    c = _cell(bad, "compact")
    fixed = 'Key=f"{lake_prefix}dt={dt}/part-00000.parquet"'
    assert fixed in c.source
    c.source = c.source.replace(fixed, 'Key=f"{lake_prefix}dt={dt}/part-{uuid.uuid4().hex}.parquet"')
    c.source += (
        "\n\n\nclass _Hiding:\n"
        "    def __init__(self, real):\n"
        "        self._real = real\n\n"
        "    def __getattr__(self, name):\n"
        "        return getattr(self._real, name)\n\n"
        "    def list_objects_v2(self, **kw):\n"
        "        out = self._real.list_objects_v2(**kw)\n"
        "        seen, keep = set(), []\n"
        "        newest = sorted(out.get('Contents', []), key=lambda o: (o['LastModified'], o['Size']))\n"
        "        for o in reversed(newest):   # the last (and, in one second, the largest) part wins\n"
        "            part = o['Key'].rsplit('/', 1)[0] if '/lake/' in o['Key'] else o['Key']\n"
        "            if part not in seen:\n"
        "                seen.add(part)\n"
        "                keep.append(o)\n"
        "        return {**out, 'Contents': keep}\n\n\n"
        "s3 = _Hiding(s3)\n")
    learner = f"hider{uuid.uuid4().hex[:6]}"
    cells, out = _graded(tmp_path, month, nb_name, learner, bad)
    text = _caught_by_the_check(cells, out, "test-late-rerun", "on the backend",
                                "after three runs, readings stored more than once")
    assert "more than once" in text
