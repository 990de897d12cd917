"""Hostile and broken submissions, graded in ONE cohort run beside good ones.

Every bad submission below is a learner's notebook for the event-sourcing exercise of
month 1 (hh-patches-helper also submits the saga exercise), submitted next to good learners
whose names sort before and after the bad ones, so bad work is graded both before and after
good work on both workers.
After the run every good grade must be exactly what it would be alone, the gradebook and
the other learners' files must be intact, and each bad submission must have the outcome its
row in ``CASES`` names. docs/grading-safety.md lists the same table for instructors.

Where a case attacks the machine (files, processes, signals, memory, network), the attack
code writes what it managed to do into its own output; the test reads that output from the
autograded notebook, so a protection that silently stops working fails here.
"""

from __future__ import annotations

import csv
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from mastery import aws, paths
from mastery.grading import cohort, sandbox, submissions

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("local_aws")]

MONTH = "month-01"
NB = "01-event-sourcing-cqrs.ipynb"
TIMEOUT = 20  # the cohort's per-cell limit; the infinite loop is stopped by it


def points() -> dict[str, float]:
    nb = nbformat.read(paths.solutions_dir() / MONTH / NB, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"]) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}


FULL = sum(points().values())


def ref():
    return submissions.reference_submission(MONTH, NB)


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def prepend(nb, grade_id: str, code: str):
    c = cell(nb, grade_id)
    c.source = code.strip() + "\n" + c.source
    return nb


def graded_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution") and c.cell_type == "code"]


# ----------------------------------------------------------------- the attacks, as code

READS_HIDDEN = """
import glob, os
_targets = glob.glob('*.ipynb') + glob.glob('../*/*.ipynb') + glob.glob('../../*/*/*.ipynb') + [
    f'{COHORT}/source/month-01/{NB}', f'{COHORT}/gradebook.db', f'{COHORT}/release/month-01/{NB}',
    f'{COHORT}/autograded/hh-reads-hidden/month-01/{NB}', f'{REPO}/solutions/month-01/{NB}']
for _p in _targets:
    try:
        with open(_p, 'rb') as _f:
            print('LEAKED', _p, _f.read()[:2000])
    except Exception as _e:
        print('DENIED', _p, type(_e).__name__)
try:
    os.symlink(f'{REPO}/solutions', 'sol')
    print('LEAKED via symlink', open(f'sol/month-01/{NB}').read()[:2000])
except Exception as _e:
    print('DENIED symlink', type(_e).__name__)
"""

WRITES_FILES = """
import os, shutil
for _act, _p in [('append', f'{COHORT}/gradebook.db'), ('remove', f'{COHORT}/gradebook.db'),
                 ('remove', f'{COHORT}/submitted/aa-good/month-01/{NB}'),
                 ('rmtree', f'{COHORT}/autograded/aa-good'), ('append', f'{COHORT}/nbgrader_config.py'),
                 ('append', CANARY), ('remove', CANARY)]:
    try:
        if _act == 'append':
            with open(_p, 'ab') as _f:
                _f.write(b'junk')
        elif _act == 'remove':
            os.remove(_p)
        else:
            shutil.rmtree(_p)
        print('DONE', _act, _p)
    except Exception as _e:
        print('DENIED', _act, _p, type(_e).__name__)
"""

OTHER_BACKEND = """
import json, socket, urllib.request
from mastery import aws as _aws
_ddb = _aws.client('dynamodb')
_names = _ddb.list_tables()['TableNames']
print('TABLES', json.dumps(_names))
for _t in _names:
    if 'hh-other-backend' not in _t:
        _ddb.delete_table(TableName=_t)
        print('DELETED', _t)
for _port in (MAIN_PORT, 4566, 6380):
    try:
        socket.create_connection(('127.0.0.1', _port), timeout=2).close()
        print('CONNECTED', _port)
    except Exception as _e:
        print('BLOCKED', _port, type(_e).__name__)
try:
    urllib.request.urlopen(urllib.request.Request(f'http://127.0.0.1:{MAIN_PORT}/moto-api/reset',
                                                  method='POST'), timeout=3)
    print('CONNECTED reset of the shared backend')
except Exception as _e:
    print('BLOCKED reset', type(_e).__name__)
"""

KILLS = """
import json, os, signal, urllib.request
_port = os.environ['MASTERY_PORT']
_emu = json.load(urllib.request.urlopen(f'http://127.0.0.1:{_port}/_localstack/health'))['pid']
for _what, _pid in [('grader', os.getppid()), ('emulator', _emu)]:
    try:
        os.kill(_pid, signal.SIGKILL)
        print('KILLED', _what)
    except Exception as _e:
        print('DENIED', _what, type(_e).__name__)
"""

FORKS = """
import json, os, subprocess, time
_pids = [subprocess.Popen(['sleep', '600'], start_new_session=True).pid for _ in range(4)]
_r, _w = os.pipe()
for _ in range(4):
    _pid = os.fork()
    if _pid == 0:  # a daemon: new session, then the grandchild is orphaned
        os.setsid()
        _gc = os.fork()
        if _gc == 0:
            time.sleep(600)
            os._exit(0)
        os.write(_w, f'{_gc},'.encode())
        os._exit(0)
    os.waitpid(_pid, 0)
os.close(_w)
_pids += [int(x) for x in os.read(_r, 4096).decode().split(',') if x]
print('PIDS', json.dumps(_pids))
"""

THREAD = """
import os, threading, time
def _spin():
    while True:
        time.sleep(0.05)
threading.Thread(target=_spin).start()  # not a daemon: it keeps the interpreter alive
print('KPID', os.getpid())
"""


# Tricks that change what the tests see (issue 19). Each is added to an answer that would lose
# points without it; with it, every test scores 0 and says why (TamperingDetected).
TAMPER = {
    "hh-rebinds-expect": ("rebinds `expect` and patches mastery.expect.expect and mastery.grading.expect "
                          "to no-ops",
                          "expect = lambda *a, **k: None\nimport mastery.expect as _e\n"
                          "_e.expect = lambda *a, **k: None\nimport mastery.grading as _grading\n"
                          "_grading.expect = lambda *a, **k: None"),
    "hh-patches-helper": ("replaces the week's read-back helper eventstore.from_item",
                          "eventstore.from_item = lambda item: {'aggregateId': '', 'version': 0, "
                          "'type': 'ItemRegistered', 'data': {}}"),
    "hh-patches-time": ("monkeypatches time.time and random.random",
                        "import time, random\ntime.time = lambda: 0.0\nrandom.random = lambda: 0.5"),
    "hh-patches-client": ("replaces a boto3 client method the tests use (ddb.query)",
                          "_real_query = ddb.query\nddb.query = lambda **kw: _real_query(**kw)"),
}


# The same kind of tricks on the saga exercise (its notebook is submitted beside the first by
# hh-patches-helper): shop.state, workflows.wait and the week's read-back helper checks.place_and_wait
SAGA_NB = "02-saga-step-functions.ipynb"
SAGA_TRICK = ("_real_state = shop.state\nshop.state = lambda tables: _real_state(tables)\n"
              "workflows.wait = lambda arn, **kw: None\n"
              "checks.place_and_wait = lambda *a, **kw: None")
# A trick the kernel-side guard cannot see: the notebook keeps its events in a table of its own
# (STORE rebound: a name the setup cell assigned, not imported), full of rows the kernel-side
# tests read as success, while the spec's event store stays empty. The week's trusted checks
# (mastery/weeks/w01_event_sourcing_cqrs/checks.py) read the spec's tables in the grading process.
FAKE_STORE = 'STORE = eventstore.create_store(ns.name("events-mine"))'


# the tests whose trusted check reads the event store: the fake-store learner loses exactly these
STORE_READERS = ("test-append", "test-rejected-commands", "test-race", "test-append-failures",
                 "test-stale-decision", "test-publish-after-append", "test-command-rules", "test-projection",
                 "test-duplicates")


@dataclass
class Case:
    learner: str
    what: str
    status: str  # expected outcome: graded, partial, skipped
    score: str | float  # "full", "zero", "less" (loses points), or the exact score


def build_cases(c: cohort.Cohort, canary: Path, main_port: int) -> dict[str, tuple[Case, object]]:
    consts = (f"COHORT = {str(c.root)!r}\nREPO = {str(paths.course_root())!r}\nNB = {NB!r}\n"
              f"CANARY = {str(canary)!r}\nMAIN_PORT = {main_port}\nimport json\n")
    out: dict[str, tuple[Case, object]] = {}

    def add(case: Case, nb) -> None:
        out[case.learner] = (case, nb)

    add(Case("aa-good", "reference answers, graded first", "graded", "full"), ref())
    add(Case("hh-loop", "an infinite loop in a solution cell", "graded", "less"),
        prepend(ref(), "append", "while True:\n    pass"))
    add(Case("hh-not-json", "a file that is not JSON", "partial", "zero"), b"this is not a notebook {")
    add(Case("hh-empty", "an empty file", "partial", "zero"), b"")
    deleted = ref()
    deleted.cells = [x for x in deleted.cells
                     if x.metadata.get("nbgrader", {}).get("grade_id") not in ("load", "test-load")]
    add(Case("hh-deleted-cells", "a solution and a test cell deleted", "graded", "less"), deleted)
    edited = submissions.blank_submission(MONTH, NB)
    for t in graded_cells(edited):
        t.source = "pass  # the learner 'fixed' the test"
    add(Case("hh-edited-tests", "blank answers with every test cell replaced by `pass`", "graded",
             "zero"), edited)
    gone = submissions.blank_submission(MONTH, NB)
    gone.cells = [x for x in gone.cells if x not in graded_cells(gone)]
    add(Case("hh-deleted-tests", "blank answers with every test cell deleted", "graded", "zero"), gone)
    ids = ref()
    for x in ids.cells:
        x.id = uuid.uuid4().hex[:12]
    add(Case("hh-changed-ids", "reference answers, every cell id changed", "graded", "full"), ids)
    meta = submissions.blank_submission(MONTH, NB)
    for t in graded_cells(meta):
        t.metadata["nbgrader"]["points"] = 100
        t.source = "pass"
    add(Case("hh-tampered-points", "blank answers, test cells set to 100 points and emptied", "graded",
             "zero"), meta)
    add(Case("hh-huge-output", "20 MB printed in one cell", "graded", "full"),
        prepend(ref(), "append", "print('x' * 20_000_000)"))
    add(Case("hh-reads-hidden", "reads the hidden tests, gradebook and solutions from disk", "graded",
             "full"), prepend(ref(), "append", consts + READS_HIDDEN))
    add(Case("hh-writes-files", "writes/deletes the gradebook, another learner's files, a file outside",
             "graded", "full"), prepend(ref(), "append", consts + WRITES_FILES))
    add(Case("hh-other-backend", "deletes other learners' tables, resets the shared emulator", "graded",
             "full"), prepend(ref(), "append", consts + OTHER_BACKEND))
    add(Case("hh-exit", "the kernel exits (os._exit) before the tests", "graded", "zero"),
        prepend(ref(), "projection", "import os\nos._exit(0)"))
    add(Case("hh-memory", "allocates memory until it runs out", "graded", "less"),
        # bytes(n) is calloc'd: the limit (RLIMIT_DATA) stops it at once, where bytearray's zero-fill
        # of 2 GiB took longer than the 20 s cell limit on a loaded CI machine
        prepend(ref(), "append", "_hog = []\nwhile True:\n    _hog.append(bytes(256 * 2**20))"))
    add(Case("hh-forks", "forks daemons and background processes", "graded", "full"),
        prepend(ref(), "append", FORKS))
    add(Case("hh-thread", "starts a never-ending non-daemon thread", "graded", "full"),
        prepend(ref(), "append", THREAD))
    if sandbox.landlock_abi() >= 6:
        add(Case("hh-kills", "kills the grading worker and its emulator", "graded", "full"),
            prepend(ref(), "append", KILLS))
    for learner, (what, trick) in TAMPER.items():
        # a wrong answer (snapshots never written) plus the trick: it must gain nothing
        add(Case(learner, what + ", on top of a wrong answer", "graded", "zero"),
            prepend(ref(), "projection", trick))
    saga = submissions.reference_submission(MONTH, SAGA_NB)
    prepend(saga, "saga-definition", SAGA_TRICK)
    out["hh-patches-helper"] = (out["hh-patches-helper"][0], {NB: out["hh-patches-helper"][1], SAGA_NB: saga})
    add(Case("hh-fake-store", "keeps its events in a table of its own that the kernel-side tests read "
             "(STORE rebound): loses every test whose trusted check reads the event store",
             "graded", FULL - sum(points()[g] for g in STORE_READERS)),
        prepend(ref(), "append", FAKE_STORE))
    add(Case("mm-blank", "the untouched release", "graded", "zero"), submissions.blank_submission(MONTH, NB))
    add(Case("zz-good", "reference answers, graded last", "graded", "full"), ref())
    return out


def outputs(folder: Path, grade_id: str | None = None) -> str:
    """All text output of an autograded notebook (or of one cell)."""
    nb = nbformat.read(folder / NB, as_version=4)
    text = []
    for x in nb.cells:
        if x.cell_type != "code" or (grade_id and x.metadata.get("nbgrader", {}).get("grade_id") != grade_id):
            continue
        for o in x.get("outputs", []):
            text.append(" ".join(str(o.get(k, "")) for k in ("text", "data", "ename", "evalue")))
    return "\n".join(text)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    c, _ = cohort.Cohort.create(root / "cohort", timeout=TIMEOUT)
    c.release(MONTH)
    canary = root / "elsewhere" / "canary.txt"
    canary.parent.mkdir()
    canary.write_text("the instructor's other files\n")
    # a resource of "another learner" on the shared backend the bad code may try to reach
    other = aws.Namespace("hostile", learner="someone-else").name("orders")
    aws.ensure_table(other, "pk")
    main_port = int(os.environ.get("MASTERY_PORT", 4566))
    cases = build_cases(c, canary, main_port)
    roster = root / "roster.csv"
    rows = [f"{s},{s},X,{s}@example.org" for s in [*cases, "eve"]]
    roster.write_text("id,first_name,last_name,email\n" + "\n".join(rows) + "\n")
    c.import_roster(roster)
    for s, (_, nb) in cases.items():
        c.submit(s, MONTH, nb if isinstance(nb, dict) and NB in nb else {NB: nb})
    c.submit("mallory", MONTH, {NB: ref()})  # not on the roster
    c.submit("eve", "month-99", {NB: ref()})  # an assignment that does not exist
    db_before = (c.root / "gradebook.db").stat().st_size
    summary = c.autograde_all(MONTH, workers=2, progress=False)
    return c, cases, summary, canary, other, db_before


def test_every_outcome_is_the_expected_one_and_good_grades_are_intact(graded):
    c, cases, summary, *_ = graded
    by = {o.student: o for o in summary.outcomes}
    problems = []
    for s, (case, _) in cases.items():
        o = by[s]
        got = sum(x.score for x in c.score(MONTH, s).values()) if o.status != "skipped" else None
        want = case.score if isinstance(case.score, float) else {"full": FULL, "zero": 0.0}.get(case.score)
        ok_score = (got == want) if want is not None else (got is not None and 0 <= got < FULL)
        if o.status != case.status or not ok_score:
            problems.append(f"{s} ({case.what}): status {o.status}, score {got}; expected {case.status}, "
                            f"{case.score}; errors {o.errors}")
    assert not problems, "\n".join(problems)
    assert by["mallory"].status == "skipped" and "roster" in by["mallory"].errors["*"]
    assert "mallory" not in c.students()


def test_timeouts_dead_kernels_and_memory_are_reported_in_the_summary(graded):
    c, _, summary, *_ = graded
    by = {o.student: o for o in summary.outcomes}
    assert "time limit" in by["hh-loop"].errors[NB]
    assert "kernel stopped" in by["hh-exit"].errors[NB]
    assert "out of memory" in by["hh-memory"].errors[NB]
    assert "not a valid notebook" in by["hh-not-json"].errors[NB]
    assert "not a valid notebook" in by["hh-empty"].errors[NB]
    text = summary.render()
    assert "hh-loop" in text and "hh-exit" in text
    folder = c.root / "autograded"
    assert "CellTimeoutError" in outputs(folder / "hh-loop" / MONTH, "append")
    assert "NotRun" in outputs(folder / "hh-exit" / MONTH, "test-snapshot")


def test_no_hidden_test_or_file_outside_the_sandbox_can_be_read(graded):
    c, *_ = graded
    out = outputs(c.root / "autograded" / "hh-reads-hidden" / MONTH, "append")
    assert "DENIED" in out and "DENIED symlink" in out
    assert "LEAKED" not in out, out[:3000]
    assert "BEGIN HIDDEN TESTS" not in out


def test_the_gradebook_other_learners_and_other_files_are_untouched(graded):
    c, cases, _, canary, _, db_before = graded
    out = outputs(c.root / "autograded" / "hh-writes-files" / MONTH, "append")
    assert "DONE" not in out and out.count("DENIED") == 7, out
    assert canary.read_text() == "the instructor's other files\n"
    assert (c.root / "submitted" / "aa-good" / MONTH / NB).is_file()
    assert (c.root / "autograded" / "aa-good" / MONTH / NB).is_file()
    assert "junk" not in (c.root / "nbgrader_config.py").read_text()
    assert (c.root / "gradebook.db").stat().st_size >= db_before
    grades, breakdown = c.export()
    rows = {r["student_id"]: r for r in csv.DictReader(grades.open())}
    assert float(rows["aa-good"]["raw_score"]) == FULL and float(rows["zz-good"]["raw_score"]) == FULL


def test_other_learners_backend_resources_are_out_of_reach(graded):
    c, _, _, _, other, _ = graded
    out = outputs(c.root / "autograded" / "hh-other-backend" / MONTH, "append")
    tables = json.loads(re.search(r"TABLES (\[.*?\])", out).group(1))
    assert all("hh-other-backend" in t for t in tables), tables  # a fresh emulator: its own tables only
    assert "CONNECTED" not in out and out.count("BLOCKED") == 4, out
    # still there on the shared backend (describe, not list: the list is paged at 100 tables)
    assert aws.client("dynamodb").describe_table(TableName=other)["Table"]["TableName"] == other


def test_processes_threads_and_kill_attempts_leave_nothing_behind(graded):
    c, cases, *_ = graded
    folder = c.root / "autograded"
    pids = json.loads(re.search(r"PIDS (\[.*?\])", outputs(folder / "hh-forks" / MONTH, "append")).group(1))
    assert len(pids) == 8
    assert not [p for p in pids if alive(p)], "forked processes survived the grading"
    kpid = int(re.search(r"KPID (\d+)", outputs(folder / "hh-thread" / MONTH, "append")).group(1))
    assert not alive(kpid), "the kernel with a running thread survived the grading"
    if "hh-kills" in cases:
        out = outputs(folder / "hh-kills" / MONTH, "append")
        assert "KILLED" not in out and out.count("DENIED") == 2, out


def test_huge_output_is_truncated(graded):
    c, *_ = graded
    path = c.root / "autograded" / "hh-huge-output" / MONTH / NB
    assert path.stat().st_size < 1_000_000
    assert "output truncated by the grader" in outputs(path.parent, "append")


def test_unknown_assignment_is_refused_with_the_fix(graded):
    c, *_ = graded
    with pytest.raises(cohort.CohortError, match="not released.*mastery cohort release month-99"):
        c.autograde_all("month-99", progress=False)


def test_feedback_and_report_survive_the_bad_submissions(graded):
    c, cases, *_ = graded
    done, problems = c.feedback(MONTH)
    assert {"aa-good", "zz-good", "hh-loop", "hh-exit"} <= set(done)
    assert set(problems) <= {"hh-not-json", "hh-empty", "mallory"}, problems


def test_tricks_that_change_what_the_tests_see_gain_nothing_and_are_reported(graded):
    """Issue 19: rebinding `expect`, patching the course's modules, the standard library or a boto3
    client makes every test cell fail with TamperingDetected naming what was changed."""
    c, *_ = graded
    for learner in TAMPER:
        out = outputs(c.root / "autograded" / learner / MONTH)
        assert "TamperingDetected" in out and "scores 0" in out, f"{learner}: {out[:2000]}"
        assert sum(x.score for x in c.score(MONTH, learner).values()) == 0, learner
    named = outputs(c.root / "autograded" / "hh-patches-helper" / MONTH)
    assert "from_item" in named
    assert "ddb.query" in outputs(c.root / "autograded" / "hh-patches-client" / MONTH)
    saga = nbformat.read(c.root / "autograded" / "hh-patches-helper" / MONTH / SAGA_NB, as_version=4)
    saga_out = json.dumps([x.get("outputs", []) for x in graded_cells(saga)])
    for name in ("shop.state", "workflows.wait", "checks.place_and_wait"):
        assert name in saga_out, f"the saga's tampering report does not name {name}"
    assert c.score(MONTH, "hh-patches-helper")[SAGA_NB[:-6]].score == 0


def test_fake_rows_the_guard_cannot_see_lose_the_trusted_points(graded):
    """Issue 19: rows in a table of the notebook's own that the kernel-side tests read as success
    (the guard sees nothing wrong) still lose every test whose trusted check reads the spec's
    event store, and the feedback says so; the tests without one keep their points."""
    c, *_ = graded
    from mastery.grading import integrity

    cells = c.score(MONTH, "hh-fake-store")[NB[:-6]].cells
    folder = c.root / "autograded" / "hh-fake-store" / MONTH
    assert set(STORE_READERS) < set(integrity.trusted_checks(NB[:-6]))
    for gid in points():
        if gid in STORE_READERS:
            assert cells[gid][0] == 0, f"{gid} kept its points on an empty event store"
            assert "TrustedCheckFailed" in outputs(folder, gid), gid
        else:
            assert cells[gid][0] == cells[gid][1], f"{gid} lost points it should keep"
    assert "TamperingDetected" not in outputs(folder)
