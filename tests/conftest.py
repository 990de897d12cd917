"""Shared fixtures: a running local AWS for the whole session, and the course paths.

The session uses whatever backend answers on MASTERY_PORT (LocalStack or an embedded
emulator that is already up) and otherwise starts the embedded emulator, stopping only
what it started.
"""

from __future__ import annotations

import os

import pytest

from mastery import backend


@pytest.fixture(scope="session")
def local_aws():
    started = backend.probe().kind == "down"
    health = backend.up()
    yield health
    if started and not os.environ.get("MASTERY_KEEP_BACKEND"):
        backend.down()


def need_tool(ok: bool, why: str) -> None:
    """Skip a test whose system tool is missing on a learner's laptop; fail it in CI, where
    `./course test` installs the tool, so a missing install step cannot pass as a skip."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI=true and {why}")
    pytest.skip(why)
