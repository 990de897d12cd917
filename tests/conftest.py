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
