"""``python -m mastery.grading.sandbox.kernel -f CONNECTION``: ipykernel's launcher for a kernel
in the sandbox.

At shutdown ipykernel lists every process on the machine (psutil, ``/proc``) to terminate its
own children. The sandbox lets a kernel read ``/proc/self`` only, so that listing fails and
ipykernel logs a ``PermissionError`` traceback for every notebook graded (12 of them for three
learners, on the instructor's terminal, beside the progress bar). The grader already kills
and reaps every process a kernel started (it is their child subreaper:
:func:`mastery.grading.sandbox.kill_new_children`), so here the kernel reports no children of
its own to terminate instead of looking for them where it may not look.

Hidden tests that draw with Hypothesis must meet the same cases whether the course is installed
editable (CI) or from a wheel: the kernel's Hypothesis is blind to literals of local modules
(:func:`mastery.draws.blind_hypothesis_on_import`); failing ones do not pay for Hypothesis's explain
phase, whose notes no hidden test reports (:func:`mastery.draws.grading_profile_on_import`).
"""

from __future__ import annotations

import sys
from pathlib import Path


def prepare() -> None:
    """Everything but the launch (tests call this)."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):  # as ipykernel_launcher
        del sys.path[0]
    from ipykernel.kernelbase import Kernel

    from mastery.draws import blind_hypothesis_on_import, grading_profile_on_import

    Kernel._process_children = lambda self: []  # the grader reaps them (see the module docstring)
    blind_hypothesis_on_import()
    grading_profile_on_import()


def main() -> None:
    prepare()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
