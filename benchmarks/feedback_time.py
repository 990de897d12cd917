"""How long `mastery check` takes against the bare execution of the same notebook.

Both run the reference solution of one exercise on the running backend, interleaved, a few
rounds each; the overhead is check's extra time (reading the release, restoring test cells,
nbgrader's preprocessors, grading). Writes the table to stdout and, with --write, into
benchmarks/RESULTS.md.

    python benchmarks/feedback_time.py [--month month-01] [--notebook 02-saga-step-functions.ipynb]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from mastery import backend, grading, submissions


def bare(nb, cwd: Path) -> float:
    t0 = time.perf_counter()
    NotebookClient(nbformat.from_dict(nb), timeout=120, kernel_name="python3",
                   allow_errors=True, resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - t0


def check(path: Path) -> float:
    t0 = time.perf_counter()
    report = grading.check_notebook(path)
    elapsed = time.perf_counter() - t0
    assert all(r.passed for r in report.results), report.render()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--month", default="month-01")
    ap.add_argument("--notebook", default="02-saga-step-functions.ipynb")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    backend.up()
    nb = submissions.reference_submission(args.month, args.notebook)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / args.month
        folder.mkdir()
        path = folder / args.notebook
        nbformat.write(nb, path)
        bare(nb, folder)  # warm the imports and the emulator once
        b, c = [], []
        for _ in range(args.rounds):
            b.append(bare(nb, folder))
            c.append(check(path))
    mb, mc = statistics.median(b), statistics.median(c)
    print(f"| notebook | bare execution (median of {args.rounds}) | mastery check | overhead |")
    print("|---|---|---|---|")
    print(f"| {args.month}/{args.notebook} | {mb:.2f} s | {mc:.2f} s | {mc - mb:+.2f} s ({mc / mb:.2f}×) |")


if __name__ == "__main__":
    main()
