"""How long `mastery check` takes against the bare execution of the same notebook.

Both run the reference solution of one exercise on the running backend, interleaved, a few
rounds each; the overhead is check's extra time (reading the release, restoring test cells,
nbgrader's preprocessors, grading). Prints the table; ``benchmarks/run.py --only feedback``
runs the same measurement and records it in benchmarks/RESULTS.md.

    python benchmarks/feedback_time.py [--month month-01] [--notebook 02-saga-step-functions.ipynb]
                                       [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from mastery import backend
from mastery.grading import check, submissions


@dataclass
class Timing:
    """Seconds per round of bare execution and of `mastery check` on one notebook."""

    month: str
    notebook: str
    bare: list[float]
    check: list[float]

    @property
    def bare_median(self) -> float:
        return statistics.median(self.bare)

    @property
    def check_median(self) -> float:
        return statistics.median(self.check)

    @property
    def ratio(self) -> float:
        return self.check_median / self.bare_median


def bare(nb, cwd: Path) -> float:
    t0 = time.perf_counter()
    NotebookClient(nbformat.from_dict(nb), timeout=120, kernel_name="python3",
                   allow_errors=True, resources={"metadata": {"path": str(cwd)}}).execute()
    return time.perf_counter() - t0


def timed_check(path: Path) -> float:
    t0 = time.perf_counter()
    report = check.check_notebook(path)
    elapsed = time.perf_counter() - t0
    if not all(r.passed for r in report.results):
        raise AssertionError(f"the reference solution failed `mastery check`:\n{report.render()}")
    return elapsed


def measure(month: str, notebook: str, rounds: int = 3) -> Timing:
    """Bare execution and `mastery check` of the reference solution of ``month/notebook``,
    interleaved, after one untimed warm-up run. Needs a running backend."""
    nb = submissions.reference_submission(month, notebook)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / month
        folder.mkdir()
        path = folder / notebook
        nbformat.write(nb, path)
        bare(nb, folder)  # warm the imports and the emulator once
        b, c = [], []
        for _ in range(rounds):
            b.append(bare(nb, folder))
            c.append(timed_check(path))
    return Timing(month, notebook, b, c)


def table(timings: list[Timing], rounds: int) -> str:
    lines = [f"| notebook | bare execution (median of {rounds}) | mastery check | overhead |",
             "|---|---|---|---|"]
    for t in timings:
        mb, mc = t.bare_median, t.check_median
        lines.append(f"| {t.month}/{t.notebook} | {mb:.2f} s | {mc:.2f} s | "
                     f"{mc - mb:+.2f} s ({t.ratio:.2f}×) |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--month", default="month-01")
    ap.add_argument("--notebook", default="02-saga-step-functions.ipynb")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    backend.up()
    print(table([measure(args.month, args.notebook, args.rounds)], args.rounds))


if __name__ == "__main__":
    main()
