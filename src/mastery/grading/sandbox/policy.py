"""The policy: what a submission's kernel may read, write and connect to, its resource limits, and
the wrapper (``python -m mastery.grading.sandbox``) that applies them before exec'ing the
kernel.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .landlock import landlock

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
            if str(p) == "/proc/self":
                # kept as written: resolved here it would be the *grader's* /proc/<pid>; the
                # launcher opens it itself and then execs the kernel, so it is the kernel's own
                # (DuckDB, for one, reads /proc/self/cgroup when it opens a database: week 20)
                out.append(Path(p))
                continue
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
    # Hypothesis's Unicode tables, computed once per machine, not once per graded kernel (see
    # mastery.draws); before the environment below points the caches at the kernel's own HOME
    from mastery.draws import seed_unicode_tables

    seed_unicode_tables(work)
    home = work / ".home"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.update(HOME=str(home), TMPDIR=str(home), IPYTHONDIR=str(home / ".ipython"),
                      XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
                      MASTERY_SANDBOXED="1",
                      # one string-hash seed for every graded kernel: set and dict-of-set iteration
                      # orders, and with them seeded property tests' examples, are then the same in
                      # every grading (a wrong answer that a test catches only under some hash seeds
                      # kept its points in one grading of three; see tests/README.md)
                      PYTHONHASHSEED="0")
    os.environ.pop("JUPYTER_RUNTIME_DIR", None)
    _limit(opts.memory_mb, opts.file_mb)
    try:
        abi = landlock([Path(p) for p in opts.read], [work, *map(Path, _SYSTEM_WRITE)],
                       [Path(p) for p in opts.file + _SYSTEM_FILES_RW], opts.port)
        os.environ["MASTERY_SANDBOX"] = f"landlock-abi-{abi}"
    except OSError as e:
        os.environ["MASTERY_SANDBOX"] = "limits-only"
        print(f"mastery.grading.sandbox: no file-system sandbox ({e}); resource limits only", file=sys.stderr)
    cmd = kernel_command(cmd)
    os.execv(cmd[0], cmd)


def kernel_command(cmd: list[str]) -> list[str]:
    """ipykernel's launcher replaced by the sandbox's own (:mod:`.kernel`), which does not list
    ``/proc`` at shutdown; any other kernel command is left as it is."""
    for i in range(len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == "ipykernel_launcher":
            return [*cmd[:i + 1], "mastery.grading.sandbox.kernel", *cmd[i + 2:]]
    return cmd
