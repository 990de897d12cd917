"""The ``mastery`` command: a thin layer over the package's modules."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from mastery import backend, paths
from mastery.errors import MasteryError


def _up(args) -> int:
    h = backend.up()
    if h.kind == "localstack":
        print(f"LocalStack {h.version} answers on {h.endpoint}; using it "
              f"(Budgets and Cost Explorer on the embedded emulator at port {backend.port() + 1}).")
    else:
        print(f"embedded emulator (moto {h.version}) running on {h.endpoint}, pid {h.pid}")
    return 0


def _down(args) -> int:
    print(backend.down())
    return 0


def _status(args) -> int:
    info = backend.status()
    for k, v in info.items():
        if v not in (None, ""):
            print(f"{k:9} {v}")
    if info["backend"] == "down":
        print("start it with `mastery up`")
    return 0 if info["backend"] in ("embedded", "localstack") else 3


def _check(args) -> int:
    from mastery.grading import check

    backend.require()
    failed = 0
    for nb in check.working_copies(args.target):
        report = check.check_notebook(nb, timeout=args.timeout)
        print(report.render())
        _record(report)
        failed += any(not r.passed for r in report.results)
    return 1 if failed else 0


def _record(report) -> None:
    """Keep the learner's own results for `mastery progress` (never fatal for `check`)."""
    from mastery.grading import progress

    try:
        progress.Store().record(report)
    except OSError as e:
        print(f"(progress not saved: {e})", file=sys.stderr)


def _data(args) -> int:
    from mastery import data

    for name in args.names or data.names():
        print(f"wrote {data.make(name, args.out)}")
    return 0


def _new_week(args) -> int:
    from mastery.grading import scaffold

    where = scaffold.create(args.stem, args.title, module=args.module)
    print("wrote the four places of the new week:")
    for key in ("lesson", "solution", "package", "tests"):
        print(f"  {key:9} {where[key]}")
    print("and regenerated exercises/. Next: write the lesson and the exercise, at least five "
          "wrong answers (patches) and two right answers written differently; `./course test`.")
    return 0


def _start(args) -> int:
    if args.aws_port:
        os.environ["MASTERY_PORT"] = str(args.aws_port)
    was_up = backend.probe().up
    _up(args)
    from mastery import workspace

    # JupyterLab opens on the learner's working copy (work/), never on the course itself:
    # saved outputs never touch tracked files, and solutions/ is not in the file browser
    cohort_exchange = _cohort_exchange()
    if cohort_exchange:
        mode = (f"cohort mode: fetch and submit in Nbgrader > Assignment List "
                f"(exchange {cohort_exchange}); check() in an exercise gives your feedback")
        synced = workspace.sync(trees=("notebooks",))  # exercises come from the exchange
        config_path = [_JUPYTER / "learner"]
    else:
        mode = ("self-study mode: nothing to fetch or submit, so JupyterLab has no Assignments panel; "
                "check() in an exercise (or `mastery check`) gives your feedback")
        synced = workspace.sync()
        config_path = [_JUPYTER / "learner", _JUPYTER / "self-study"]
    root = synced.root
    if synced.render():
        print(synced.render())
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", f"--port={args.port}"]
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI machines run as root
        cmd.append("--allow-root")
    env = dict(os.environ, MASTERY_COURSE_ROOT=str(paths.course_root()), MASTERY_PORT=str(backend.port()),
               JUPYTER_CONFIG_PATH=os.pathsep.join(
                   [*map(str, config_path), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])]))
    print(f"{mode}\nstarting JupyterLab on {root}; stop it with Ctrl-C"
          + ("" if was_up else " (that also stops the local AWS it started)"))
    proc = subprocess.Popen(cmd, cwd=root, env=env)

    def _terminated(signum, frame):  # `kill`, systemd's stop: end as Ctrl-C does
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminated)
    try:
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl-C reaches JupyterLab too (same process group): let it finish
        try:
            proc.terminate()
            return proc.wait(timeout=30)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            proc.kill()
            return proc.wait()
    finally:
        if not was_up:
            print(backend.down())


_JUPYTER = Path(__file__).with_name("jupyter")


def _cohort_exchange() -> str | None:
    """The exchange of a cohort this learner belongs to (``MASTERY_EXCHANGE``, or nbgrader's
    ``Exchange.root`` in a configuration file nbgrader finds), else None: self-study."""
    if os.environ.get("MASTERY_EXCHANGE"):
        return os.environ["MASTERY_EXCHANGE"]
    from mastery.grading import learner

    return learner.configured_exchange()


# ------------------------------------------------------------------------------- cohorts


def _cohort(args):
    from mastery.grading import cohort

    root = args.cohort or os.environ.get("MASTERY_COHORT") or os.getcwd()
    return cohort.Cohort(root)


def _cohort_create(args) -> int:
    from mastery.grading import cohort

    c, created = cohort.Cohort.create(args.folder, late_policy=args.late_policy, timeout=args.timeout,
                                      feedback_hidden_tests=args.feedback_hidden_tests)
    if created:
        print(f"created cohort {c.root} (late policy: {c.late_policy}; hidden tests in feedback: "
              f"{c.feedback_hidden_tests}); gradebook, exchange and nbgrader_config.py are in it. "
              f"Next: `mastery cohort roster learners.csv --cohort {c.root}`")
    else:
        print(f"cohort {c.root} already exists; left as it is (late policy: {c.late_policy}; hidden "
              f"tests in feedback: {c.feedback_hidden_tests}; change it with `mastery cohort settings`)")
    return 0


def _cohort_settings(args) -> int:
    c = _cohort(args)
    settings = c.update_settings(feedback_hidden_tests=args.feedback_hidden_tests)
    shown = dict(settings, feedback_hidden_tests=c.feedback_hidden_tests,
                 timeout=settings.get("timeout") or f"{c.timeout} (the course's Execute.timeout)")
    for key in ("course_id", "late_policy", "timeout", "feedback_hidden_tests", "created"):
        print(f"{key:22} {shown.get(key, '')}")
    return 0


def _cohort_roster(args) -> int:
    res = _cohort(args).import_roster(args.csv)
    print(f"roster: {len(res.added)} added, {len(res.updated)} already there (updated), "
          f"{len(res.rejected)} rejected")
    for line, why in res.rejected:
        print(f"  line {line}: {why}")
    return 1 if res.rejected else 0


def _cohort_release(args) -> int:
    due = _cohort(args).release(args.month, due=args.due)
    print(f"released {args.month}" + (f", due {due:%Y-%m-%d %H:%M} UTC" if due else " (no due date)"))
    return 0


def _cohort_collect(args) -> int:
    collected, unknown = _cohort(args).collect(args.month)
    print(f"collected {len(collected)} submission(s) of {args.month}")
    if unknown:
        print(f"  not on the roster (not graded until added with `mastery cohort roster`): "
              f"{', '.join(unknown)}")
    return 0


def _cohort_autograde(args) -> int:
    from mastery.grading import cohort

    c = _cohort(args)
    students = args.student or None
    if args.shard:  # K/N: one of N disjoint parts of the learners (a Kubernetes Job's share)
        try:
            k, n = (int(x) for x in args.shard.split("/"))
        except ValueError:
            raise cohort.CohortError(f"--shard {args.shard!r}: write K/N, e.g. 0/4") from None
        students = cohort.shard(students or c.submitted(args.month), k, n)
        if not students:
            print(f"shard {k}/{n} of {args.month}: no learner in it")
            return 0
    summary = c.autograde_all(args.month, workers=args.workers, students=students,
                              progress=not args.quiet, regrade=args.regrade)
    print(summary.render())
    if summary.regrade:
        print(f"{len(summary.regrade)} submission(s) could not be graded because the local AWS went away "
              f"(their scores are left blank, not 0): `mastery cohort autograde {args.month} --regrade`")
    return 1 if summary.failed or summary.regrade else 0


def _cohort_merge(args) -> int:
    from mastery.grading import cohort

    c = _cohort(args)
    r = cohort.merge_gradebooks(c.root, args.shards)
    print(f"merged {len(r.submissions)} submission(s), {r.grades} grade(s) and {r.comments} comment(s) "
          f"from {len(args.shards)} shard(s) into {c.root}")
    return 0


def _cohort_feedback(args) -> int:
    done, problems = _cohort(args).feedback(args.month)
    print(f"feedback released to {len(done)} learner(s) for {args.month}")
    for s, why in problems.items():
        print(f"  no feedback for {s}: {why}")
    return 1 if problems else 0


def _cohort_export(args) -> int:
    grades, breakdown = _cohort(args).export(args.to)
    print(f"grades: {grades}\nper-exercise breakdown: {breakdown}")
    return 0


def _cohort_lab(args) -> int:
    """JupyterLab on the cohort folder, started there, so nbgrader's formgrader (and the
    Assignments panel) read the cohort's nbgrader_config.py: its months, submissions, gradebook
    and exchange. The course's own lab (`mastery start`) is not a cohort and has no grades."""
    c = _cohort(args)
    _up(args)  # the formgrader's Autograde button runs notebooks against the local AWS
    extra = [a for a in args.jupyter_args if a != "--"]
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={c.root}", f"--port={args.port}",
           *(["--no-browser"] if args.no_browser else []), *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        cmd.append("--allow-root")
    print(f"starting JupyterLab on cohort {c.root}: Nbgrader > Formgrader grades it; stop it with Ctrl-C")
    # the instructor's lab: no JupyterLab news toast asking to check for announcements online
    env = dict(os.environ, MASTERY_COHORT=str(c.root), MASTERY_COURSE_ROOT=str(paths.course_root()),
               JUPYTER_CONFIG_PATH=os.pathsep.join(
                   [str(_JUPYTER / "instructor"), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])]))
    return subprocess.call(cmd, cwd=c.root, env=env)


def _cohort_report(args) -> int:
    from mastery.grading import report

    out = report.write_report(_cohort(args), args.to)
    print(f"cohort report: {out}")
    return 0


# ------------------------------------------------------------------------------ learners


def _learner(args):
    from mastery.grading import learner

    return learner.from_environment(args.exchange, args.student, args.home)


def _learner_flags(args) -> str:
    """The options this command was given, for the next command it suggests."""
    import shlex

    return "".join(f" --{k} {shlex.quote(v)}" for k in ("exchange", "student", "home")
                   if (v := getattr(args, k, None)))


def _fetch(args) -> int:
    folder = _learner(args).fetch(args.month)
    print(f"{args.month} is in {folder}; work there (`check()` in each exercise, or `mastery check "
          f"{folder}`), then `mastery submit {args.month}{_learner_flags(args)}`")
    return 0


def _submit(args) -> int:
    _learner(args).submit(args.month)
    print(f"submitted {args.month}; submit again any time before the due date (the newest one counts)")
    return 0


def _fetch_feedback(args) -> int:
    files = _learner(args).fetch_feedback(args.month)
    print("\n".join(str(f) for f in files) or f"no feedback released for {args.month} yet")
    return 0


def _progress(args) -> int:
    from mastery.grading import progress

    store = progress.Store(args.store)
    print(progress.render(store.latest()))
    if args.png:
        print(f"chart: {progress.chart(store.latest(), args.png)}")
    return 0


def _add_cohort_commands(sub) -> None:
    from mastery.grading.cohort import FEEDBACK_HIDDEN_TESTS, LATE_POLICIES

    co = sub.add_parser("cohort", help="instructor: run a cohort (create, roster, release, collect, "
                                       "autograde, feedback, export, report, lab)")
    cs = co.add_subparsers(dest="cohort_command", required=True)

    def cmd(name, fn, help_):
        p = cs.add_parser(name, help=help_)
        if name != "create":
            p.add_argument("--cohort", help="the cohort folder (default: $MASTERY_COHORT, else the cwd)")
        p.set_defaults(fn=fn)
        return p

    p = cmd("create", _cohort_create, "make a cohort folder (gradebook, exchange, nbgrader config)")
    p.add_argument("folder", help="a new folder outside the course repository")
    p.add_argument("--late-policy", choices=LATE_POLICIES, default="none",
                   help="nbgrader's penalty for late work: none (flag it) or zero")
    p.add_argument("--timeout", type=int, help="seconds per cell when autograding "
                   "(default: the course's nbgrader_config.py, Execute.timeout)")
    p.add_argument("--feedback-hidden-tests", choices=FEEDBACK_HIDDEN_TESTS, default="summary",
                   help="what released feedback shows of a hidden test: summary (its name, points, "
                   "passed or failed and its message; not its code: the default) or source (nbgrader's "
                   "full source)")
    p = cmd("settings", _cohort_settings, "show the cohort's settings; change what feedback shows of "
            "hidden tests")
    p.add_argument("--feedback-hidden-tests", choices=FEEDBACK_HIDDEN_TESTS,
                   help="summary (name, points, outcome and message; no code) or source (full source); "
                   "applies to feedback generated from now on")
    p = cmd("roster", _cohort_roster, "import learners from CSV: id,first_name,last_name,email")
    p.add_argument("csv")
    p = cmd("release", _cohort_release, "release a month to the learners")
    p.add_argument("month")
    p.add_argument("--due", help="due date, e.g. '2027-03-01 17:00 UTC' (kept if not given)")
    p = cmd("collect", _cohort_collect, "collect the newest submission of every learner")
    p.add_argument("month")
    p = cmd("autograde", _cohort_autograde, "grade a collected month with N parallel workers")
    p.add_argument("month")
    # one more worker than cores: a grading waits for its kernel to start and for the emulator, so
    # as many workers as cores leave them idle (2 cores, 30 learners: 2 workers 1.79x nbgrader's
    # serial CLI, 3 workers 1.99x; benchmarks/RESULTS.md, issue 18)
    p.add_argument("--workers", type=int, default=min(32, (os.cpu_count() or 2) + 1),
                   help="worker processes, each grading its own learners (default: cores + 1)")
    p.add_argument("--student", action="append", help="only this learner (repeatable)")
    p.add_argument("--shard", help="K/N: only the K-th of N disjoint parts of the learners (0-based), "
                                   "for grading on several machines; then `mastery cohort merge`")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--regrade", action="store_true",
                   help="only the submissions the last run marked for re-grading (the backend went away)")
    p = cmd("merge", _cohort_merge, "merge the gradebooks of shards graded elsewhere into the cohort")
    p.add_argument("shards", nargs="+", help="cohort folders, each graded with --shard K/N")
    p = cmd("feedback", _cohort_feedback, "generate and release feedback for a graded month")
    p.add_argument("month")
    p = cmd("export", _cohort_export, "write grades.csv and the per-exercise breakdown.csv")
    p.add_argument("--to", help="folder for the CSV files (default: <cohort>/exports)")
    p = cmd("lab", _cohort_lab, "JupyterLab on the cohort, with the formgrader (grade essays, "
            "review submissions)")
    p.add_argument("--port", type=int, default=8888, help="JupyterLab's port")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser (servers)")
    p.add_argument("jupyter_args", nargs=argparse.REMAINDER,
                   help="after --: further JupyterLab options, e.g. -- --ip=0.0.0.0")
    p = cmd("report", _cohort_report, "HTML analytics: scores, item difficulty, progress")
    p.add_argument("--to", help="the HTML file (default: <cohort>/reports/cohort-report.html)")


def _add_learner_commands(sub) -> None:
    for name, fn, help_ in (("fetch", _fetch, "fetch a released month into this folder"),
                            ("submit", _submit, "submit your work on a month"),
                            ("fetch-feedback", _fetch_feedback, "fetch your graded feedback")):
        p = sub.add_parser(name, help=help_)
        p.add_argument("month")
        p.add_argument("--exchange", help="the cohort's exchange folder (default: $MASTERY_EXCHANGE "
                                          "or nbgrader's Exchange.root)")
        p.add_argument("--student", help="your learner id (default: $JUPYTERHUB_USER or your login)")
        p.add_argument("--home", help="the folder holding your month folders (default: the cwd)")
        p.set_defaults(fn=fn)
    p = sub.add_parser("progress",
                       help="which exercises and tests you pass, per month (from `mastery check`)")
    p.add_argument("--png", help="also draw the chart into this PNG file")
    p.add_argument("--store", help="your results file (default: ~/.mastery/progress.jsonl)")
    p.set_defaults(fn=_progress)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="mastery", description="Serverless Mastery Lab",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="environment:\n"
               "  MASTERY_PORT      the local AWS's port (default 4566; the next port is kept for its\n"
               "                    sidecar)\n"
               "  MASTERY_WORKDIR   a self-study learner's working copy (default: work/ in the course)\n"
               "  MASTERY_EXCHANGE  a cohort's exchange folder (learner commands; cohort mode of `start`)\n"
               "  MASTERY_PROGRESS  your results for `mastery progress` (~/.mastery/progress.jsonl)\n"
               "  MASTERY_COHORT    the cohort folder for `mastery cohort` commands")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="use LocalStack if it runs, else start the embedded emulator")
    up.set_defaults(fn=_up)
    sub.add_parser("down", help="stop the embedded emulator").set_defaults(fn=_down)
    sub.add_parser("status", help="what backend answers, and where").set_defaults(fn=_status)
    c = sub.add_parser("check", help="grade your working copy now: per test, pass/fail, points, hint")
    c.add_argument("target", help="month id (month-01), a month folder, or one notebook")
    c.add_argument("--timeout", type=int, default=120, help="seconds per cell")
    c.set_defaults(fn=_check)
    s = sub.add_parser("start", help="start the backend and JupyterLab on the course")
    s.add_argument("--no-browser", action="store_true", help="do not open a browser (servers)")
    s.add_argument("--port", type=int, default=8888, help="JupyterLab's port")
    s.add_argument("--aws-port", type=int, metavar="N",
                   help="the local AWS's port (default: $MASTERY_PORT, else 4566; N+1 is kept for "
                        "its sidecar)")
    s.set_defaults(fn=_start)
    n = sub.add_parser("new-week", help="instructor: create a new week's lesson, exercise, package and tests")
    n.add_argument("stem", help="NN-slug, e.g. 13-multi-tenant (the notebooks' file name)")
    n.add_argument("--title", required=True, help="the week's title, e.g. 'Multi-tenant architecture'")
    n.add_argument("--module", default="core", help="the week package's plumbing module (default: core)")
    n.set_defaults(fn=_new_week)
    d = sub.add_parser("data", help="regenerate data sets with their seeded generators")
    d.add_argument("names", nargs="*", help="data sets (default: all), e.g. caching request_logs")
    d.add_argument("--out", help="folder to write into (default: the course's data/)")
    d.set_defaults(fn=_data)
    _add_cohort_commands(sub)
    _add_learner_commands(sub)
    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except (MasteryError, FileNotFoundError) as e:  # messages that name the fix: no traceback
        print(f"mastery: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
