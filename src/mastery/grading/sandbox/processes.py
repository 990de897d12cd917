"""Process clean-up: the grader becomes a child subreaper and kills every process a kernel left
behind.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from .landlock import _PR_SET_CHILD_SUBREAPER, _libc


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
