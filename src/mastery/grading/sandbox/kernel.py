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

A throttled AWS call is retried after botocore sleeps; the kernel sleeps a fiftieth of that
(:func:`short_retry_waits_on_import`): the same calls, retries and errors, without the wait.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# botocore's wait before a retry, as a share of what it asks for. Its standard mode waits a random
# share of 2**attempt seconds (the course's clients: a retry after at most 2 s; a learner's own
# client with more attempts: up to 20 s a retry). Measured on the references (2026-12-02): 0.7 s to
# 3.3 s of each grading of weeks 3, 7, 8, 10 and 16 was spent asleep there.
RETRY_WAIT_SCALE = 0.02


class _ScaledSleep:
    """``time`` as botocore's endpoint module sees it: ``sleep`` scaled, everything else as is."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds * self.scale)

    def __getattr__(self, name):
        return getattr(time, name)


def short_retry_waits_on_import(scale: float = RETRY_WAIT_SCALE) -> None:
    """From now on in this process, botocore sleeps ``scale`` of its retry delays. The number of
    attempts, what each sends and the error after the last are botocore's own; no hidden test
    times a retry (the exercises that teach backoff run it on a simulated clock), and the
    emulator's faults count calls, not seconds."""
    from mastery.imports import after_import

    def scaled(endpoint) -> None:
        endpoint.time = _ScaledSleep(scale)

    after_import("botocore.endpoint", scaled)


def prepare() -> None:
    """Everything but the launch (tests call this)."""
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):  # as ipykernel_launcher
        del sys.path[0]
    from ipykernel.kernelbase import Kernel

    from mastery.draws import blind_hypothesis_on_import, grading_profile_on_import

    Kernel._process_children = lambda self: []  # the grader reaps them (see the module docstring)
    blind_hypothesis_on_import()
    grading_profile_on_import()
    short_retry_waits_on_import()


def main() -> None:
    prepare()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
