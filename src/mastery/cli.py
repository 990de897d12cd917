"""The ``mastery`` command: a thin layer over the package's modules."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from mastery import backend, paths


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
    from mastery import grading

    backend.require()
    failed = 0
    for nb in grading.working_copies(args.target):
        report = grading.check_notebook(nb, timeout=args.timeout)
        print(report.render())
        failed += any(not r.passed for r in report.results)
    return 1 if failed else 0


def _start(args) -> int:
    _up(args)
    root = paths.course_root()
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", f"--port={args.port}"]
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI machines run as root
        cmd.append("--allow-root")
    print("starting JupyterLab on the course; stop it with Ctrl-C (then `mastery down`)")
    return subprocess.call(cmd, cwd=root, env=dict(os.environ, MASTERY_COURSE_ROOT=str(root)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="mastery", description="Serverless Mastery Lab")
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
    s.set_defaults(fn=_start)
    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except (backend.BackendError, FileNotFoundError) as e:
        print(f"mastery: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        from mastery.grading import SubmissionError

        if isinstance(e, SubmissionError):
            print(f"mastery: {e}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
