r"""Run a learner's notebook kernel with less power than the grader that runs it.

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
that entry point applies the limits and the sandbox and then ``exec``\ s the kernel (ipykernel
through :mod:`.kernel`, which leaves its children to the grader instead of listing ``/proc``).
The grader and the kernel talk over CurveZMQ, so grading prints no TCP warning.
"""

# Exported lazily (PEP 562): the wrapper and the kernel launcher import this package before
# every graded notebook's kernel starts, twice per kernel, and ``execute`` pulls in nbgrader
# and the Jupyter server (about 2 s of imports each time on a quiet 2-core machine, 5 s on a
# busy one). They need the policy and the launcher only.
_EXPORTS = {
    "GuardedExecute": "execute",
    "landlock": "landlock", "landlock_abi": "landlock",
    "Policy": "policy", "backend_ports": "policy", "default_read_paths": "policy", "main": "policy",
    "wrap_command": "policy",
    "become_subreaper": "processes", "children": "processes", "kill_new_children": "processes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
