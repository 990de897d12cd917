"""The suite's budget guard (benchmarks/budget.py, run by `./course test` and so by CI): the
slowest ten items and the phase totals are printed, and a run past the budget fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mastery import paths

SCRIPT = paths.course_root() / "benchmarks" / "budget.py"


def _junit(path: Path, times: list[float]) -> Path:
    cases = "".join(f'<testcase classname="tests.test_x" name="test_{i}" time="{t}"/>'
                    for i, t in enumerate(times))
    path.write_text(f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>')
    return path


def _run(*args, budget: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--budget", budget, *args],
                          capture_output=True, text=True, timeout=60)


def test_slowest_ten_and_phase_totals_within_budget(tmp_path):
    tests = _junit(tmp_path / "tests.xml", [float(i) for i in range(15)])
    nbs = _junit(tmp_path / "notebooks.xml", [100.0])
    r = _run("--phase", "lint::3", "--phase", f"pytest:{tests}:900", "--phase", f"nbval:{nbs}:60",
             budget="1800")
    assert r.returncode == 0, r.stdout + r.stderr
    slowest = r.stdout.split("phases")[0]
    assert slowest.count("tests/test_x.py::") == 10 and "test_14" in slowest and "test_4 " not in slowest
    assert slowest.index("100.0") < slowest.index("test_14")
    assert "pytest     900.0 s    15 items     105.0 s summed" in r.stdout
    assert "total 963.0 s of 1800 s" in r.stdout and "within budget" in r.stdout


def test_a_run_past_the_budget_fails_and_says_what_to_do(tmp_path):
    tests = _junit(tmp_path / "tests.xml", [1.0])
    r = _run("--phase", f"pytest:{tests}:1900", budget="1800")
    assert r.returncode == 1 and "OVER BUDGET" in r.stdout and "MASTERY_TEST_BUDGET" in r.stdout
    assert _run("--phase", f"pytest:{tests}:1900", budget="0").returncode == 0  # 0: check off


def test_ci_and_the_course_script_use_the_guard():
    course = (paths.course_root() / "course").read_text()
    assert "benchmarks/budget.py" in course and "--junitxml" in course
    assert "MASTERY_TEST_BUDGET" in (paths.course_root() / ".ci" / "run").read_text()
    assert "./course test" in (paths.course_root() / ".ci" / "run").read_text()
