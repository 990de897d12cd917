"""Every data set in data/ is exactly what its week's seeded generator makes (fastbook/nbdev-
style sync check). To fix a failure, run the command named in the message and commit the result."""

from __future__ import annotations

import filecmp

import pytest

from mastery import data, paths

NAMES = data.names()


@pytest.mark.parametrize("name", NAMES)
def test_data_set_matches_its_generator(name, tmp_path):
    made_dir = data.make(name, tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in made_dir.rglob("*") if p.is_file())
    assert made, f"the generator of {name} wrote no files"
    for rel in made:
        committed = paths.data_dir() / rel
        assert committed.exists(), f"data/{rel} is not committed; run `mastery data {name}`"
        assert filecmp.cmp(tmp_path / rel, committed, shallow=False), (
            f"data/{rel} differs from what its generator makes; run `mastery data {name}` and commit it"
        )


def test_every_data_file_has_a_generator_or_a_licence():
    readme = (paths.data_dir() / "README.md").read_text()
    for f in paths.data_dir().rglob("*"):
        if f.is_file() and f.suffix != ".md" and "__pycache__" not in f.parts:
            rel = f.relative_to(paths.data_dir())
            assert rel.parts[0] in readme, f"data/{rel} is not described in data/README.md"
            assert rel.parts[0] in NAMES or (paths.data_dir() / rel.parts[0] / "LICENSE.md").exists(), (
                f"data/{rel} has no generator (mastery.weeks.WEEKS datasets) and no LICENSE.md")
