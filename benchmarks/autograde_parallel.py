"""Parallel autograde (`mastery cohort autograde --workers N`) against serial `nbgrader
autograde` on the same submissions, in one run.

Makes a throwaway cohort, puts the reference solution of one notebook in as every learner's
collected submission, then grades the whole month three ways, each regrading everything:
nbgrader's own command (one process, learners one after another), our autograde with one
worker, and with N workers. Every way must give every learner the same score. Prints a table
(and the machine's load, which on a shared machine moves the numbers more than anything).
``benchmarks/run.py --only autograde`` runs the nbgrader and N-worker ways and records them.

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
from dataclasses import dataclass
from pathlib import Path

from mastery import backend
from mastery.grading import cohort, submissions

MONTH = "month-01"
NBGRADER = "nbgrader autograde (serial CLI)"


@dataclass
class Way:
    """One way of grading every submission: its wall time, the load when it started, the scores."""

    name: str
    seconds: float
    load: float
    scores: dict[str, float]


def scores(c: cohort.Cohort, learners: list[str], month: str = MONTH) -> dict[str, float]:
    with c.api.gradebook as gb:
        return {s: float(gb.find_submission(month, s).score) for s in learners}


def nbgrader_cli(c: cohort.Cohort, month: str = MONTH) -> None:
    """`nbgrader autograde MONTH --force` in the cohort folder (reads its nbgrader_config.py)."""
    bindir = Path(sys.executable).parent
    env = dict(os.environ, PATH=str(bindir) + os.pathsep + os.environ["PATH"])
    r = subprocess.run([str(bindir / "nbgrader"), "autograde", month, "--force"],
                       cwd=c.root, env=env, capture_output=True, text=True)
    if r.returncode:
        tail = "\n".join((r.stderr or r.stdout).splitlines()[-15:])
        raise RuntimeError(f"`nbgrader autograde {month} --force` failed (exit {r.returncode}):\n{tail}")


def measure(learners: int = 8, workers: tuple[int, ...] = (1, 2),
            notebook: str = "02-saga-step-functions.ipynb", month: str = MONTH,
            fresh: bool = True) -> list[Way]:
    """Grade ``learners`` copies of the reference solution of ``notebook`` with nbgrader's CLI,
    then with ``Cohort.autograde_all`` for each worker count; raises if any way's scores
    differ from nbgrader's. Needs a running backend. The first Way is nbgrader's."""
    ids = [f"bench{i:02d}" for i in range(learners)]
    nb = submissions.reference_submission(month, notebook)
    ways = []
    with tempfile.TemporaryDirectory() as d:
        c, _ = cohort.Cohort.create(Path(d) / "bench-cohort")
        c.release(month)
        for s in ids:
            c.submit(s, month, {notebook: nb})

        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        nbgrader_cli(c, month)
        ways.append(Way(NBGRADER, time.perf_counter() - t0, load0, scores(c, ids, month)))

        for n in workers:
            # each worker's emulator emptied between learners (the default), and for the largest
            # worker count also the way before issue 18: a fresh emulator started per learner
            for reuse in (True, False) if n == max(workers) and fresh else (True,):
                load0 = os.getloadavg()[0]
                summary = c.autograde_all(month, workers=n, progress=False, reuse=reuse)
                if summary.failed or summary.partial:
                    raise RuntimeError(summary.render())
                how = "" if reuse else ", fresh emulator per learner"
                ways.append(Way(f"mastery cohort autograde --workers {n}{how}", summary.seconds, load0,
                                scores(c, ids, month)))
    reference = ways[0].scores
    for w in ways[1:]:
        if w.scores != reference:
            diff = {s: (reference.get(s), w.scores.get(s))
                    for s in ids if reference.get(s) != w.scores.get(s)}
            raise AssertionError(f"{w.name} scored differently from nbgrader (nbgrader, ours): {diff}")
    return ways


def table(ways: list[Way], learners: int) -> str:
    base = ways[0].seconds
    reference = ways[0].scores
    lines = ["| how | seconds | s/learner | speed-up vs nbgrader | load at start | same scores |",
             "|---|---:|---:|---:|---:|---|"]
    for w in ways:
        lines.append(f"| {w.name} | {w.seconds:.1f} | {w.seconds / learners:.1f} | {base / w.seconds:.2f}x | "
                     f"{w.load:.1f} | {'yes' if w.scores == reference else 'NO'} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--notebook", default="02-saga-step-functions.ipynb")
    args = ap.parse_args()
    backend.up()
    ways = measure(args.learners, tuple(dict.fromkeys((1, args.workers))), args.notebook)
    print(f"{args.learners} learners x 1 notebook ({args.notebook}), {os.cpu_count()} cores\n")
    print(table(ways, args.learners))


if __name__ == "__main__":
    main()
