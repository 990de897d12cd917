"""Landlock (Linux >= 5.13, no root): restrict a process's file system, TCP ports and signals,
through the raw syscalls.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

# Syscall numbers are the same on every architecture (they are new, generic syscalls).
_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446
_PR_SET_NO_NEW_PRIVS, _PR_SET_CHILD_SUBREAPER = 38, 36
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1

# file-system rights by ABI version (include/uapi/linux/landlock.h)
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_TRUNCATE = 1 << 14
_FILE_RIGHTS = {1: _EXECUTE | _WRITE_FILE | _READ_FILE, 3: _TRUNCATE, 5: 1 << 15}  # + TRUNCATE, IOCTL_DEV
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
        for p in files:  # the kernel rewrites its connection file (with CurveZMQ keys): truncate too
            allow(p, _READ_FILE | _WRITE_FILE | (_TRUNCATE if abi >= 3 else 0))
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
