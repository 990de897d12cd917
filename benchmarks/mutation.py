"""Mutation score of the graders: mutate the reference solution cells of each exercise, grade
every mutant with the real nbgrader autograde (hidden tests, sandbox, a fresh embedded emulator
for every submission, as `mastery cohort autograde` does), and report which mutants lose a
point (killed) and which keep full marks (survived), each survivor judged equivalent
(``benchmarks/mutation_equivalents.json``) or a gap.
How and why: ``mastery.grading.mutation``.

    python benchmarks/mutation.py [--notebook 02-saga-step-functions ...] [--mutants 20] [--seed 1]
                                  [--report FILE] [--timeout 60] [--dry-run]

Without ``--notebook``, every exercise in solutions/, one at a time. ``--report FILE`` (default
``benchmarks/mutation_report.md``) is written as markdown, with the JSON beside it
(``FILE.json``); an existing JSON report is updated, exercise by exercise, so exercises can be
measured in separate runs. ``--dry-run`` lists the mutants without grading them;
``--render-only`` rewrites the markdown after judging survivors in the equivalents file. Run heavy
measurements with ``nice -n 10``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
from pathlib import Path

from mastery import paths
from mastery.grading import mutation

EQUIVALENTS = Path(__file__).resolve().parent / "mutation_equivalents.json"


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notebook", action="append", help="exercise stem, e.g. 02-saga-step-functions "
                    "(repeatable; default: all)")
    ap.add_argument("--mutants", type=int, default=20, help="mutants per exercise (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report", type=Path, default=Path(__file__).resolve().parent / "mutation_report.md")
    ap.add_argument("--timeout", type=int, default=60, help="per-cell time limit in seconds (default 60)")
    ap.add_argument("--equivalents", type=Path, default=EQUIVALENTS)
    ap.add_argument("--dry-run", action="store_true", help="list the mutants, grade nothing")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite the markdown from the JSON report and the equivalents file, grade nothing")
    args = ap.parse_args(argv)

    notebooks = [n.removesuffix(".ipynb") for n in args.notebook] if args.notebook else sorted(
        p.stem for p in paths.solutions_dir().glob("month-*/*.ipynb"))
    equivalents = load_equivalents(args.equivalents)
    json_path = args.report.with_suffix(args.report.suffix + ".json")
    report = json.loads(json_path.read_text()) if json_path.is_file() else {"notebooks": {}}
    if args.render_only:
        args.report.write_text(mutation.render_markdown(report, equivalents))
        print(f"report: {args.report}")
        return 0
    command = "python benchmarks/mutation.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    for nb in notebooks:
        month = mutation.month_of(nb)
        mutants = mutation.sample(nb, mutation.solution_cells(month, nb), args.mutants, args.seed)
        print(f"{month}/{nb}: {len(mutants)} mutants", flush=True)
        if args.dry_run:
            for m in mutants:
                print(f"  {m.id}\n    " + m.diff.replace("\n", "\n    "))
            continue
        outcomes, seconds = mutation.grade(month, nb, mutants, timeout=args.timeout,
                                           log=lambda s: print(s, flush=True))
        entry = mutation.summarise(nb, outcomes, equivalents, seconds, args.seed)
        entry["measured"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        entry["command"] = command.strip()
        report["notebooks"][nb] = entry
        print(f"  {entry['killed']}/{entry['mutants']} killed, {entry['survived']} survived "
              f"({entry['equivalent']} equivalent), {seconds:.0f} s", flush=True)
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=1) + "\n")
        args.report.write_text(mutation.render_markdown(report, equivalents))
    if not args.dry_run:
        print(f"report: {args.report} and {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
