"""The grading sandbox (mastery.grading.sandbox.GuardedExecute) on a small notebook, with the sandbox
on and, to prove these checks can fail, off: the same attacks then succeed."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from mastery import paths
from mastery.grading import sandbox

pytestmark = pytest.mark.skipif(sandbox.landlock_abi() < 1, reason="no Landlock in this kernel")


def run(cells: list[str], tmp_path, **traits):
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    (folder / "data.csv").write_text("a,b\n")
    (folder / "secret.ipynb").write_text("### BEGIN HIDDEN TESTS")
    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    ex = sandbox.GuardedExecute(timeout=60, **traits)
    nb, _ = ex.preprocess(nb, {"metadata": {"path": str(folder)}})
    return [" ".join(str(o.get(k, "")) for o in c.outputs for k in ("text", "data", "ename", "evalue"))
            for c in nb.cells]


SOLUTION = str(paths.solutions_dir() / "month-01" / "01-event-sourcing-cqrs.ipynb")


def attacks(outside) -> list[str]:
    return ["import os; print(sorted(os.listdir('.')))",
            f"print(open({SOLUTION!r}).read(40))",
            f"open({str(outside)!r}, 'w').write('x'); print('WROTE')",
            "import socket; socket.create_connection(('127.0.0.1', 22), timeout=2); print('CONNECTED')",
            "import os; print(os.environ.get('MASTERY_SANDBOX'))"]


def test_the_sandbox_keeps_the_kernel_in_its_folder(tmp_path):
    out = run(attacks(tmp_path / "outside.txt"), tmp_path)
    assert "data.csv" in out[0] and "secret.ipynb" not in out[0]  # a private copy without notebooks
    assert "PermissionError" in out[1] and '"cells"' not in out[1]
    assert "PermissionError" in out[2] and not (tmp_path / "outside.txt").exists()
    assert "CONNECTED" not in out[3]
    assert "landlock-abi-" in out[4]


def test_the_kernel_starts_with_hypothesis_unicode_tables(tmp_path):
    """Seeded by the wrapper (mastery.draws.seed_unicode_tables): st.text() in a graded kernel does
    not compute the utf-8 table over every code point (1.2 CPU-s) in every grading."""
    out = run(["import os, unicodedata\n"
               "where = os.path.join('.hypothesis', 'unicode_data', unicodedata.unidata_version)\n"
               "print(sorted(os.listdir(where)))"], tmp_path)
    assert "codec-v2-utf-8.json.gz" in out[0] and "charmap.json.gz" in out[0], out[0]


def test_the_kernel_reads_its_own_proc_self_and_not_the_graders(tmp_path):
    """/proc/self is granted as written, so it is the kernel's own after the wrapper execs it
    (DuckDB reads /proc/self/cgroup when it opens a database); resolved in the grader it was the
    grader's /proc/<pid>: the kernel could not read its own and could read the grader's."""
    import os

    out = run(["import os; print('OWN', len(open('/proc/self/status').read()) > 0, os.getpid())",
               f"print(open('/proc/{os.getpid()}/environ').read()[:40])"], tmp_path)
    assert "OWN True" in out[0] and str(os.getpid()) not in out[0], out[0]
    assert "PermissionError" in out[1], out[1]


def test_without_the_sandbox_the_same_attacks_succeed(tmp_path):
    out = run(attacks(tmp_path / "outside.txt"), tmp_path, sandbox=False)
    assert "PermissionError" not in out[1] and '"cells"' in out[1]
    assert "WROTE" in out[2] and (tmp_path / "outside.txt").exists()


def test_a_dead_kernel_fails_the_cells_after_it_instead_of_passing_them(tmp_path):
    out = run(["x = 1", "import os; os._exit(1)", "assert x == 1", "print('never')"], tmp_path)
    assert "DeadKernelError" in out[1]
    assert "NotRun" in out[2] and "NotRun" in out[3]


def test_a_notebook_past_its_time_budget_stops(tmp_path):
    out = run(["import time; time.sleep(3)", "print('late')"], tmp_path, notebook_timeout=2)
    assert "NotRun" in out[1] and "time budget" in out[1]


def test_stop_after_runs_the_notebook_up_to_that_cell_and_no_further(tmp_path):
    def cells():
        out = []
        for gid in ("a", "b", "c", None):
            cell = new_code_cell(f"print('ran {gid}')")
            if gid:
                cell.metadata["nbgrader"] = {"grade_id": gid, "grade": True, "points": 1}
            out.append(cell)
        return out

    def outputs(**traits):
        nb = new_notebook(cells=cells())
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
        (tmp_path / "s").mkdir(exist_ok=True)
        nb, _ = sandbox.GuardedExecute(timeout=60, integrity=False, **traits).preprocess(
            nb, {"metadata": {"path": str(tmp_path / "s")}})
        return [" ".join(str(o.get(k, "")) for o in c.outputs for k in ("text", "ename", "evalue"))
                for c in nb.cells]

    stopped = outputs(stop_after="b")
    assert "ran a" in stopped[0] and "ran b" in stopped[1]
    assert all("NotRun" in o and "stop after b" in o and not o.startswith("ran") for o in stopped[2:])
    assert [o.strip() for o in outputs()] == ["ran a", "ran b", "ran c", "ran None"]


def test_output_is_capped_but_errors_are_kept(tmp_path):
    out = run(["print('y' * 500_000); raise ValueError('kept')"], tmp_path, max_output_chars=1000)
    assert "output truncated by the grader" in out[0] and len(out[0]) < 5000
    assert "ValueError" in out[0]


def test_the_kernel_keeps_the_learner_of_the_autograded_folder(tmp_path, monkeypatch):
    """The private folder is not autograded/<student>/, so the learner is handed on."""
    monkeypatch.delenv("MASTERY_LEARNER", raising=False)
    folder = tmp_path / "autograded" / "ann-lee" / "month-01"
    folder.mkdir(parents=True)
    out = run(["from mastery import aws; print('LEARNER', aws.learner_id())"], folder)
    assert "LEARNER ann-lee" in out[0]


def test_grading_prints_nothing_on_the_instructors_terminal(tmp_path, capfd):
    """A kernel that started a child, graded in the sandbox, leaves no traceback and no warning
    on the terminal (issue 14: `mastery cohort autograde` printed a PermissionError on /proc per
    notebook, from ipykernel's shutdown, and a TCP-without-encryption warning per kernel)."""
    capfd.readouterr()
    out = run(["import subprocess; p = subprocess.Popen(['sleep', '30']); print('child', p.pid)",
               "print('done')"], tmp_path)
    err = capfd.readouterr().err
    assert "child" in out[0] and "done" in out[1]
    assert "Traceback" not in err and "PermissionError" not in err, err
    assert "without encryption" not in err, err
    assert err.strip() == "", err


@pytest.mark.parametrize("module", ["mastery.grading.sandbox", "mastery.grading.sandbox.kernel"])
def test_the_kernel_wrapper_starts_without_the_grader_stack(module):
    """Both processes run before every graded kernel (the wrapper, then the launcher it execs):
    importing nbgrader and the Jupyter server there cost 5 s per kernel under load, and more
    than half of the pipeline's time."""
    import subprocess
    import sys

    heavy = ("nbgrader", "jupyter_server", "nbconvert", "nbclient")
    code = f"import sys, {module}\nprint(','.join(m for m in {heavy!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    out = run.stdout.strip()
    assert out == "", f"importing {module} loads {out}"


def test_the_package_still_exports_the_grader_step():
    assert sandbox.GuardedExecute.__name__ == "GuardedExecute"
    assert callable(sandbox.wrap_command) and "GuardedExecute" in dir(sandbox)
    with pytest.raises(AttributeError):
        sandbox.not_there  # noqa: B018
