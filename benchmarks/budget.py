"""The test suite's time budget, checked by `./course test` (and so by CI) after its phases.

    python benchmarks/budget.py --budget 1800 --phase lint::12.3 \
        --phase pytest:/tmp/j/tests.xml:1402.1 --phase nbval:/tmp/j/notebooks.xml:61.0

Each ``--phase NAME:JUNIT:SECONDS`` is one phase of the run, its pytest ``--junitxml`` file (may
be empty for a phase without one) and its wall time measured by the caller. Prints the slowest
ten test items of all phases, each phase's wall time, item count and summed item time, and the
total; exits 1 when the total wall time passes ``--budget`` seconds (``MASTERY_TEST_BUDGET``,
default 1800; 0 switches the check off), so a regression is seen the day it lands. Exits 0
otherwise, whatever the tests' own outcome (the caller reports that).
"""

from __future__ import annotations

import argparse
import os
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Item:
    phase: str
    name: str
    seconds: float
    outcome: str


@dataclass
class Phase:
    name: str
    junit: Path | None
    wall: float
    items: list[Item]

    @property
    def summed(self) -> float:
        return sum(i.seconds for i in self.items)


def read_items(phase: str, junit: Path | None) -> list[Item]:
    if junit is None or not junit.is_file():
        return []
    try:
        root = ET.parse(junit).getroot()
    except ET.ParseError:
        return []
    out = []
    for case in root.iter("testcase"):
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[tag]
        cls, name = case.get("classname", ""), case.get("name", "")
        out.append(Item(phase, f"{cls.replace('.', '/')}.py::{name}" if cls else name,
                        float(case.get("time") or 0.0), outcome))
    return out


def parse_phase(spec: str) -> Phase:
    name, junit, seconds = spec.split(":", 2) if spec.count(":") >= 2 else (spec, "", "0")
    path = Path(junit) if junit else None
    return Phase(name, path, float(seconds), read_items(name, path))


def report(phases: list[Phase], budget: float) -> tuple[str, bool]:
    total = sum(p.wall for p in phases)
    items = sorted((i for p in phases for i in p.items), key=lambda i: -i.seconds)[:10]
    lines = ["== time: slowest ten test items"]
    lines += [f"  {i.seconds:8.1f} s  {i.phase:7} {i.outcome:7} {i.name}" for i in items]
    lines.append("== time: phases (wall; items; summed item time, > wall when run in parallel)")
    for p in phases:
        lines.append(f"  {p.name:7} {p.wall:8.1f} s  {len(p.items):4d} items  {p.summed:8.1f} s summed")
    over = budget > 0 and total > budget
    verdict = ("OVER BUDGET: the suite got slower than its budget; see the slowest items above, make "
               "them faster or raise MASTERY_TEST_BUDGET with a reason" if over else "within budget")
    limit = f"{budget:.0f} s (MASTERY_TEST_BUDGET)" if budget > 0 else "off (MASTERY_TEST_BUDGET=0)"
    lines.append(f"== time: total {total:.1f} s of {limit}: {verdict}")
    return "\n".join(lines), over


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=float(os.environ.get("MASTERY_TEST_BUDGET", "1800")))
    ap.add_argument("--phase", action="append", default=[], help="NAME:JUNIT:SECONDS (repeatable)")
    args = ap.parse_args(argv)
    text, over = report([parse_phase(s) for s in args.phase], args.budget)
    print(text)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
