"""Loaders for the course's data sets in ``data/``.

Every data set is made by a committed, seeded script ``data/make_<name>.py`` that accepts
``--out DIR`` (default: its own folder), so anyone can regenerate it byte for byte; the test
suite does exactly that and fails when a committed file drifts from its script.
"""

from __future__ import annotations

from pathlib import Path

from mastery import paths


def path(relative: str) -> Path:
    """Absolute path of a file under ``data/``, with a clear error when it is missing."""
    p = paths.data_dir() / relative
    if not p.exists():
        raise FileNotFoundError(
            f"data file {relative!r} is missing from {paths.data_dir()}. Regenerate it with the "
            f"matching script: `python data/make_<name>.py` (see data/README.md)."
        )
    return p


def read_csv(relative: str, **kwargs):
    import pandas as pd

    return pd.read_csv(path(relative), **kwargs)


def read_json(relative: str):
    import json

    return json.loads(path(relative).read_text())
