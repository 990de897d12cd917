"""The course's data sets in ``data/``: loaders, and the command that makes them.

Every data set is made by its week's seeded generator, ``mastery.weeks.<week>.dataset``
(:data:`mastery.weeks.WEEKS` says which week makes which folder), so anyone can regenerate it
byte for byte with ``mastery data NAME``; the test suite does exactly that and fails when a
committed file drifts from its generator. ``data/focus-1.0-sample`` is public data, not made here.
"""

from __future__ import annotations

from pathlib import Path

from mastery import paths


def path(relative: str) -> Path:
    """Absolute path of a file under ``data/``, with a clear error when it is missing."""
    p = paths.data_dir() / relative
    if not p.exists():
        name = Path(relative).parts[0]
        raise FileNotFoundError(
            f"data file {relative!r} is missing from {paths.data_dir()}. Regenerate it with "
            f"`mastery data {name}` (see data/README.md)."
        )
    return p


def read_csv(relative: str, **kwargs):
    import pandas as pd

    return pd.read_csv(path(relative), **kwargs)


def read_json(relative: str):
    import json

    return json.loads(path(relative).read_text())


def names() -> list[str]:
    """Every data set a week's generator makes."""
    from mastery.weeks import WEEKS

    return sorted({d for w in WEEKS for d in w.datasets})


def make(name: str, out: Path | None = None) -> Path:
    """Write data set ``name`` into ``out`` (default: the course's ``data/``) with its week's
    seeded generator, and return the folder written."""
    from mastery.weeks import by_dataset

    out = Path(out) if out else paths.data_dir()
    by_dataset(name).module("dataset").write(out)
    return out / name
