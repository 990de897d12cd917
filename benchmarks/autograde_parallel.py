"""Parallel autograde (`mastery cohort autograde --workers N`) against serial `nbgrader
autograde` on the same submissions, in one run.

Makes a throwaway cohort, puts the reference solution of one notebook in as every learner's
collected submission, then grades the whole month three ways, each regrading everything:
nbgrader's own command (one process, learners one after another), our autograde with one
worker, and with N workers. Every way must give every learner the same score. Prints a table
(and the machine's load, which on a shared machine moves the numbers more than anything).

    python benchmarks/autograde_parallel.py [--learners 8] [--workers 2]
                                            [--notebook 02-saga-step-functions.ipynb]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mastery import backend, cohort, submissions

MONTH = "month-01"


def scores(c: cohort.Cohort, learners: list[str]) -> dict[str, float]:
    with c.api.gradebook as gb:
        return {s: float(gb.find_submission(MONTH, s).score) for s in learners}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--notebook", default="02-saga-step-functions.ipynb")
    args = ap.parse_args()
    backend.up()
    learners = [f"bench{i:02d}" for i in range(args.learners)]
    nb = submissions.reference_submission(MONTH, args.notebook)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        c, _ = cohort.Cohort.create(Path(d) / "bench-cohort")
        c.release(MONTH)
        for s in learners:
            c.submit(s, MONTH, {args.notebook: nb})

        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
        subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", MONTH, "--force"],
                       cwd=c.root, env=env, check=True, capture_output=True)
        rows.append(("nbgrader autograde (serial CLI)", time.perf_counter() - t0, load0, scores(c, learners)))

        for workers in (1, args.workers):
            load0 = os.getloadavg()[0]
            summary = c.autograde_all(MONTH, workers=workers, progress=False)
            assert not summary.failed and not summary.partial, summary.render()
            rows.append((f"mastery cohort autograde --workers {workers}", summary.seconds, load0,
                         scores(c, learners)))

    reference = rows[0][3]
    base = rows[0][1]
    print(f"{args.learners} learners x 1 notebook ({args.notebook}), {os.cpu_count()} cores\n")
    print("| how | seconds | s/learner | speed-up vs nbgrader | load at start | same scores |")
    print("|---|---:|---:|---:|---:|---|")
    for name, secs, load, sc in rows:
        print(f"| {name} | {secs:.1f} | {secs / args.learners:.1f} | {base / secs:.2f}x | {load:.1f} | "
              f"{'yes' if sc == reference else 'NO'} |")


if __name__ == "__main__":
    main()
