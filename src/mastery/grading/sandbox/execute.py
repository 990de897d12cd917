"""The nbgrader step: GuardedExecute runs the kernel in the sandbox and scores a dead or stuck
kernel instead of crashing on it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode, default

from .policy import Policy, backend_ports, default_read_paths, wrap_command
from .processes import become_subreaper, children, kill_new_children


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` with the kernel in the sandbox, and dead or stuck kernels scored."""

    sandbox = Bool(True, help="Run the kernel in the sandbox (Landlock + limits)").tag(config=True)
    memory_mb = Integer(2048, help="Kernel memory limit (RLIMIT_DATA), MiB").tag(config=True)
    file_mb = Integer(256, help="Largest file the kernel may write, MiB").tag(config=True)
    max_output_chars = Integer(100_000, help="Output kept per cell; more is dropped (errors are "
                               "always kept)").tag(config=True)
    notebook_timeout = Integer(0, help="Seconds one notebook may run in all; 0 means "
                               "max(600, 5 x the per-cell timeout)").tag(config=True)
    integrity = Bool(True, help="Guard every test cell against tampering and run the week's "
                     "trusted checks (mastery.grading.integrity)").tag(config=True)
    # nbclient waits 60 s for a kernel to start; on a busy grading machine (a cohort on every core)
    # the sandboxed kernel takes longer, and nbgrader then drops the whole submission as failed
    startup_timeout = Integer(300, help="Seconds a kernel may take to start").tag(config=True)
    # A question about some test cells needs the notebook up to the last of them only: cells run in
    # order, so what ran before is the same as in a whole run. The course's own tests set it for a
    # wrong answer, whose verdict is the cells its header names; a cohort's grading never does.
    stop_after = Unicode("", help="grade_id of the cell after which no cell is run (each later cell "
                         "scores 0, marked NotRun); empty: run the whole notebook").tag(config=True)
    # Hypothesis shrinks a failing example to a small one for the feedback; whether the test fails
    # was settled when the example was found. The course's tests of wrong answers read verdicts only.
    hypothesis_shrink = Bool(True, help="Hypothesis shrinks the failing examples of hidden tests (for "
                             "the feedback); False: it reports the first one it finds, the same "
                             "verdict, sooner").tag(config=True)

    @default("shutdown_kernel")
    def _immediate_shutdown(self):
        # nbclient's "graceful" shutdown waits about a second per notebook for the kernel to run
        # its exit hooks: nothing of a graded kernel is kept after its last cell (its folder is
        # deleted, the processes it left are killed), so the learner's atexit code need not run
        return "immediate"

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        meta = resources.setdefault("metadata", {})
        source = Path(meta.get("path") or ".").resolve()
        self._stopped: str | None = None
        self._out_chars: dict[int, int] = {}
        self._budget = self.notebook_timeout or max(600, 5 * (self.timeout or 120))
        self._t0 = time.monotonic()
        self._guard, self._trusted, self._ctx = None, {}, None
        if self.integrity:
            from mastery.grading import integrity

            stem = str(resources.get("unique_key") or "")
            self._guard = integrity.prelude(integrity.setup_bindings(nb))
            self._trusted = integrity.trusted_checks(stem)
        become_subreaper()
        before = children()
        work = Path(tempfile.mkdtemp(prefix="mastery-run-"))
        # the kernel no longer runs in autograded/<student>/, where mastery.aws read the learner
        # from: hand it on, so every learner keeps their own AWS namespace
        from mastery.aws import learner_from_path

        saved_learner = os.environ.get("MASTERY_LEARNER")
        learner = saved_learner or learner_from_path(source)
        if learner:
            os.environ["MASTERY_LEARNER"] = learner
        from mastery.draws import NO_SHRINK

        saved_shrink = os.environ.pop(NO_SHRINK, None)
        if not self.hypothesis_shrink:
            os.environ[NO_SHRINK] = "1"  # read by the kernel's Hypothesis profile (mastery.draws)
        if self._trusted:
            from mastery.grading.integrity import Context

            self._ctx = Context(str(resources.get("unique_key") or ""), learner)
        try:
            run = work / "run"
            shutil.copytree(source, run, ignore=shutil.ignore_patterns("*.ipynb", ".*"))
            meta["path"] = str(run)
            self._policy = Policy(workdir=run, deny=[source, *_course_roots()],
                                  read=default_read_paths(_course_root()), ports=backend_ports(),
                                  memory_mb=self.memory_mb, file_mb=self.file_mb)
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if saved_learner is None:
                os.environ.pop("MASTERY_LEARNER", None)
            else:
                os.environ["MASTERY_LEARNER"] = saved_learner
            os.environ.pop(NO_SHRINK, None)
            if saved_shrink is not None:
                os.environ[NO_SHRINK] = saved_shrink
            meta["path"] = str(source)
            killed = kill_new_children(before)
            if killed:
                self.log.warning("killed %d process(es) the notebook left running", killed)
            shutil.rmtree(work, ignore_errors=True)
        return nb, resources

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        # CurveZMQ between grader and kernel where the kernel declares it (ipykernel does): the
        # submission's kernel talks over TCP, and ipykernel warns on every start otherwise
        if getattr(km, "transport_encryption", None) == "disabled":
            try:
                km.transport_encryption = "auto"
            except Exception:  # pyzmq without libsodium: stay unencrypted, as nbgrader is
                pass
        if self.sandbox:
            policy = self._policy
            original = km.format_kernel_cmd

            def format_kernel_cmd(extra_arguments=None):
                cmd = original(extra_arguments=extra_arguments)
                policy.files = [Path(km.connection_file)] if km.connection_file else []
                return wrap_command(policy, cmd)

            km.format_kernel_cmd = format_kernel_cmd
        return km

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``max_output_chars`` of a cell's output (megabytes of print would
        otherwise fill the grader's memory, the gradebook's notebook and the feedback)."""
        n = len(outs)
        out = super().output(outs, msg, display_id, cell_index)
        if len(outs) > n and outs[-1].get("output_type") != "error":
            last = outs[-1]
            size = len(str(last.get("text", ""))) + sum(len(str(v)) for v in last.get("data", {}).values())
            used = self._out_chars.get(cell_index, 0)
            if used + size > self.max_output_chars:
                outs.pop()
                if used <= self.max_output_chars:
                    outs.append(_stream(f"\n[output truncated by the grader: a cell may print at most "
                                        f"{self.max_output_chars:,} characters]\n"))
                    self._out_chars[cell_index] = self.max_output_chars + 1
                return None
            self._out_chars[cell_index] = used + size
        return out

    def preprocess_cell(self, cell, resources, index):
        out = self._preprocess_cell(cell, resources, index)
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if self.stop_after and gid == self.stop_after and self._stopped is None:
            self._stopped = f"the grading was asked to stop after {gid}, so this cell was not run"
        return out

    def _preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if self._stopped is None and time.monotonic() - self._t0 > self._budget:
            self._stopped = (f"the notebook ran past its time budget of {self._budget} s, "
                             "so its remaining cells were not run")
            self.log.error(self._stopped)
        if self._stopped is not None:
            cell.outputs = [_error("NotRun", self._stopped)]
            return cell, resources
        from nbclient.exceptions import DeadKernelError

        try:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            is_test = cell.metadata.get("nbgrader", {}).get("grade") and self._guard
            if is_test:
                guard = _guard_cell(self._guard)
                super().preprocess_cell(guard, resources, index)
                self.nb.cells[index] = cell  # nbclient put the guard in the test cell's place
                failed = [o for o in guard.get("outputs", []) if o.get("output_type") == "error"]
                if failed:  # tampering found: the test is not run and scores 0, saying why
                    cell.outputs = failed
                    return cell, resources
            if grade_id in self._trusted and self._ctx is not None:
                from mastery.grading.integrity import prepare_trusted

                prepare_trusted(self._trusted[grade_id], self._ctx)
            cell, resources = super().preprocess_cell(cell, resources, index)
            if grade_id in self._trusted and self._ctx is not None:
                from mastery.grading.integrity import run_trusted

                problem = run_trusted(self._trusted[grade_id], self._ctx)
                if problem:
                    cell.outputs = list(cell.get("outputs", [])) + [_error("TrustedCheckFailed", problem)]
            return cell, resources
        except DeadKernelError:
            self._stopped = ("the kernel stopped in an earlier cell (exit(), os._exit(), a crash, or "
                             "running out of memory), so this cell was not run")
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "DeadKernelError", "the kernel stopped while running this cell (exit(), os._exit(), "
                "a crash, or running out of memory); the cells after it were not run")]
            self.log.error("kernel died in cell %d", index)
            return cell, resources


def _guard_cell(source: str):
    from nbformat.v4 import new_code_cell

    return new_code_cell(source)


def _stream(text: str):
    from nbformat.v4 import new_output

    return new_output("stream", name="stdout", text=text)


def _error(ename: str, evalue: str):
    from nbformat.v4 import new_output

    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _course_root() -> Path | None:
    try:
        from mastery import paths

        return paths.course_root()
    except Exception:
        return None


def _course_roots() -> list[Path]:
    root = _course_root()
    return [root] if root else []
