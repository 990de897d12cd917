"""Every data set in data/ is exactly what its seeded script makes (fastbook/nbdev-style
sync check). To fix a failure, run the script named in the message and commit the result."""

from __future__ import annotations

import filecmp
import subprocess
import sys

import pytest

from mastery import paths

SCRIPTS = sorted(paths.data_dir().glob("make_*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_data_file_matches_its_generator(script, tmp_path):
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True, timeout=300)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert made, f"{script.name} wrote no files"
    for rel in made:
        committed = paths.data_dir() / rel
        assert committed.exists(), f"data/{rel} is not committed; run `python data/{script.name}`"
        assert filecmp.cmp(tmp_path / rel, committed, shallow=False), (
            f"data/{rel} differs from what {script.name} makes; run `python data/{script.name}` "
            "and commit the result"
        )


def test_every_data_file_has_a_generator_or_a_licence():
    readme = (paths.data_dir() / "README.md").read_text() if (paths.data_dir() / "README.md").exists() else ""
    for f in paths.data_dir().rglob("*"):
        if f.is_file() and f.suffix not in (".py", ".md") and "__pycache__" not in f.parts:
            rel = f.relative_to(paths.data_dir())
            assert rel.parts[0] in readme, f"data/{rel} is not described in data/README.md"
