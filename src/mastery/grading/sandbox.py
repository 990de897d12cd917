"""Run a learner's notebook kernel with less power than the grader that runs it.

nbgrader executes a submission in an ordinary kernel: the learner's code can read the
hidden tests (the notebook it runs from holds them), the gradebook and other learners'
folders, exhaust the machine, fork, or kill the grader. :class:`GuardedExecute` replaces
nbgrader's ``Execute`` step in autograding (``mastery cohort`` configures it) and adds:

* a **private working directory**: the kernel starts in a temporary folder holding copies
  of the submission's data files only, never the notebook with its restored hidden tests;
  ``HOME`` and ``TMPDIR`` point into it;
* a **Landlock** file-system sandbox (Linux >= 5.13, no root needed): read-only access to
  the Python installation, system libraries and the course's ``src``/``data``; write access
  to the private folder only. Where the kernel supports it, TCP connections only to the
  local AWS (its port and the sidecar's) and Redis, and no signals to processes outside
  the sandbox (so a submission cannot kill the grader or the emulator);
* **resource limits**: memory (``RLIMIT_DATA``), size of any file written, core dumps, and
  for non-root graders the number of processes;
* **clean-up**: the grading process becomes a child subreaper, so every process the kernel
  forked (even ones that called ``setsid``) is killed when the notebook is done;
* **a dead or stuck kernel is scored, not crashed on**: the cell where the kernel died gets
  the error, every later cell is marked not run (so its tests score 0 instead of passing
  with no output), and a notebook past its time budget stops the same way.

The kernel command is wrapped as ``python -m mastery.grading.sandbox [policy] -- <kernel argv>``;
that entry point applies the limits and the sandbox and then ``exec``\\ s the kernel.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

# ------------------------------------------------------------------------------ Landlock
# Syscall numbers are the same on every architecture (they are new, generic syscalls).
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_PR_SET_NO_NEW_PRIVS, _PR_SET_CHILD_SUBREAPER = 38, 36
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1

# file-system rights by ABI version (include/uapi/linux/landlock.h)
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FILE_RIGHTS = {1: _EXECUTE | _WRITE_FILE | _READ_FILE, 3: 1 << 14, 5: 1 << 15}  # + TRUNCATE, IOCTL_DEV
_DIR_RIGHTS = {1: sum(1 << i for i in range(3, 13)), 2: 1 << 13}  # + REFER


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPort(ctypes.Structure):
    _fields_ = [("allowed", ctypes.c_uint64), ("port", ctypes.c_uint64)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when there is none (not Linux, old or disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        v = _libc().syscall(_SYS_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return 0
    return max(v, 0)


def _rights(table: dict[int, int], abi: int) -> int:
    return sum(bits for version, bits in table.items() if abi >= version)


def landlock(read: list[Path], write: list[Path], files: list[Path], ports: list[int]) -> int:
    """Restrict this process (and whatever it execs or forks) to the given paths and ports.
    Returns the ABI used. Raises OSError when the kernel refuses."""
    abi = landlock_abi()
    if abi < 1:
        raise OSError("Landlock is not available in this kernel")
    libc = _libc()
    file_rights = _rights(_FILE_RIGHTS, abi)
    all_rights = file_rights | _rights(_DIR_RIGHTS, abi)
    attr = _RulesetAttr(fs=all_rights, net=_CONNECT_TCP if abi >= 4 else 0,
                        scoped=(_SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX) if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    fd = libc.syscall(_SYS_CREATE, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset: " + os.strerror(ctypes.get_errno()))
    try:
        def allow(path: Path, rights: int) -> None:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                return  # a path that does not exist here needs no rule
            try:
                if not os.path.isdir(path):
                    rights &= file_rights
                rule = _PathBeneath(allowed=rights, parent_fd=pfd)
                if libc.syscall(_SYS_ADD_RULE, fd, _RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"landlock_add_rule {path}: {os.strerror(err)}")
            finally:
                os.close(pfd)

        for p in read:
            allow(p, _EXECUTE | _READ_FILE | _READ_DIR)
        for p in files:
            allow(p, _READ_FILE | _WRITE_FILE)
        for p in write:
            allow(p, all_rights)
        if abi >= 4:
            for port in ports:
                rule = _NetPort(allowed=_CONNECT_TCP, port=port)
                if libc.syscall(_SYS_ADD_RULE, fd, _RULE_NET_PORT, ctypes.byref(rule), 0) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"landlock_add_rule port {port}: {os.strerror(err)}")
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
        if libc.syscall(_SYS_RESTRICT, fd, 0) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "landlock_restrict_self: " + os.strerror(err))
    finally:
        os.close(fd)
    return abi


# ------------------------------------------------------------------------------- policy

_SYSTEM_READ = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin",
                "/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/localtime", "/etc/timezone",
                "/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/host.conf",
                "/etc/passwd", "/etc/group", "/etc/ld.so.cache", "/etc/mime.types", "/etc/fonts",
                "/etc/matplotlibrc", "/etc/os-release",
                "/proc/self", "/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/loadavg",
                "/sys/devices/system/cpu", "/sys/fs/cgroup",
                "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full"]
_SYSTEM_FILES_RW = ["/dev/null"]
_SYSTEM_WRITE = ["/dev/shm"]


@dataclass
class Policy:
    """What a sandboxed kernel may touch."""

    workdir: Path  # the kernel's cwd and HOME/TMPDIR: the only writable place
    read: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # single files read+write (the connection file)
    deny: list[Path] = field(default_factory=list)  # no readable path may contain these
    ports: list[int] = field(default_factory=list)
    memory_mb: int = 2048
    file_mb: int = 256

    def readable(self) -> list[Path]:
        """Read-only paths, minus any that would expose a denied folder (an ancestor of it)."""
        out = []
        for p in self.read:
            try:
                p = Path(p).resolve()
            except OSError:
                continue
            if any(p == d or p in d.parents for d in self.deny):
                continue
            out.append(p)
        return out


def default_read_paths(course_root: Path | None) -> list[Path]:
    """The Python installation, its import path, system libraries and the course's own
    package and data (never the course root itself: it holds ``solutions/``)."""
    paths = [Path(p) for p in _SYSTEM_READ]
    paths += [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
              Path(os.path.realpath(sys.executable)).parent]
    paths += [Path(p) for p in sys.path if p and os.path.isdir(p)]
    if course_root:
        paths += [course_root / "src", course_root / "data"]
    try:  # matplotlib's font cache, so the kernel does not rebuild it in its empty HOME
        import matplotlib

        paths.append(Path(matplotlib.get_cachedir()))
    except Exception:
        pass
    return paths


def backend_ports() -> list[int]:
    from mastery import backend

    p = backend.port()
    return [p, p + 1, 6379]


def wrap_command(policy: Policy, kernel_cmd: list[str]) -> list[str]:
    args = [sys.executable, "-m", "mastery.grading.sandbox", "--workdir", str(policy.workdir),
            "--memory-mb", str(policy.memory_mb), "--file-mb", str(policy.file_mb)]
    for p in policy.readable():
        args += ["--read", str(p)]
    for p in policy.files:
        args += ["--file", str(p)]
    for port in policy.ports:
        args += ["--port", str(port)]
    return args + ["--", *kernel_cmd]


def _limit(memory_mb: int, file_mb: int) -> None:
    def setlimit(which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, hard))

    setlimit(resource.RLIMIT_DATA, memory_mb * 2**20)
    setlimit(resource.RLIMIT_FSIZE, file_mb * 2**20)
    setlimit(resource.RLIMIT_CORE, 0)
    if os.geteuid() != 0:  # root ignores RLIMIT_NPROC; it counts all of the user's processes
        setlimit(resource.RLIMIT_NPROC, _user_processes() + 256)
    # a write past the size limit raises OSError (EFBIG) instead of killing the kernel
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _user_processes() -> int:
    uid, n = os.getuid(), 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                n += os.stat(f"/proc/{d}").st_uid == uid
            except OSError:
                pass
    return n


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        sys.exit("usage: python -m mastery.grading.sandbox [options] -- KERNEL COMMAND...")
    cut = argv.index("--")
    ap = argparse.ArgumentParser(prog="python -m mastery.grading.sandbox")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--read", action="append", default=[])
    ap.add_argument("--file", action="append", default=[])
    ap.add_argument("--port", action="append", type=int, default=[])
    ap.add_argument("--memory-mb", type=int, default=2048)
    ap.add_argument("--file-mb", type=int, default=256)
    opts, cmd = ap.parse_args(argv[:cut]), argv[cut + 1:]
    work = Path(opts.workdir)
    home = work / ".home"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(HOME=str(home), TMPDIR=str(home), IPYTHONDIR=str(home / ".ipython"),
                      XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
                      MASTERY_SANDBOXED="1")
    os.environ.pop("JUPYTER_RUNTIME_DIR", None)
    _limit(opts.memory_mb, opts.file_mb)
    try:
        abi = landlock([Path(p) for p in opts.read], [work, *map(Path, _SYSTEM_WRITE)],
                       [Path(p) for p in opts.file + _SYSTEM_FILES_RW], opts.port)
        os.environ["MASTERY_SANDBOX"] = f"landlock-abi-{abi}"
    except OSError as e:
        os.environ["MASTERY_SANDBOX"] = "limits-only"
        print(f"mastery.grading.sandbox: no file-system sandbox ({e}); resource limits only", file=sys.stderr)
    os.execv(cmd[0], cmd)


# ----------------------------------------------------------------------- process clean-up


def become_subreaper() -> bool:
    """Orphaned descendants (a forked child that called setsid, ...) are re-parented to this
    process instead of init, so :func:`kill_new_children` can find them."""
    if not sys.platform.startswith("linux"):
        return False
    return _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def children(pid: int | None = None) -> set[int]:
    pid = pid or os.getpid()
    out = set()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for d in entries:
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(d))
    return out


def _descendants(pid: int) -> set[int]:
    seen, todo = set(), [pid]
    while todo:
        for c in children(todo.pop()):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def kill_new_children(before: set[int], rounds: int = 20) -> int:
    """Kill every child of this process (and its descendants) not in ``before``; reap them.
    Returns how many were killed."""
    killed = 0
    for _ in range(rounds):
        strays = set()
        for c in children() - before:
            strays |= {c} | _descendants(c)
        if not strays:
            break
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.05)
        _reap()
    _reap()
    return killed


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# ------------------------------------------------------------------- the nbgrader step


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` with the kernel in the sandbox, and dead or stuck kernels scored."""

    sandbox = Bool(True, help="Run the kernel in the sandbox (Landlock + limits)").tag(config=True)
    memory_mb = Integer(2048, help="Kernel memory limit (RLIMIT_DATA), MiB").tag(config=True)
    file_mb = Integer(256, help="Largest file the kernel may write, MiB").tag(config=True)
    max_output_chars = Integer(100_000, help="Output kept per cell; more is dropped (errors are "
                               "always kept)").tag(config=True)
    notebook_timeout = Integer(0, help="Seconds one notebook may run in all; 0 means "
                               "max(600, 5 x the per-cell timeout)").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        resources = resources if resources is not None else {}
        meta = resources.setdefault("metadata", {})
        source = Path(meta.get("path") or ".").resolve()
        self._stopped: str | None = None
        self._out_chars: dict[int, int] = {}
        self._budget = self.notebook_timeout or max(600, 5 * (self.timeout or 120))
        self._t0 = time.monotonic()
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
            meta["path"] = str(source)
            killed = kill_new_children(before)
            if killed:
                self.log.warning("killed %d process(es) the notebook left running", killed)
            shutil.rmtree(work, ignore_errors=True)
        return nb, resources

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
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
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stopped = ("the kernel stopped in an earlier cell (exit(), os._exit(), a crash, or "
                             "running out of memory), so this cell was not run")
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "DeadKernelError", "the kernel stopped while running this cell (exit(), os._exit(), "
                "a crash, or running out of memory); the cells after it were not run")]
            self.log.error("kernel died in cell %d", index)
            return cell, resources


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


if __name__ == "__main__":
    main()
