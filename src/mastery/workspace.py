"""A self-study learner's working copy: ``work/`` in the course, never tracked by git.

``mastery start`` opens JupyterLab on ``work/``, which holds copies of ``notebooks/`` (the
lessons) and ``exercises/`` (the releases). The learner's saved outputs and answers live only
there, so ``git pull`` of course updates never conflicts with them, and ``solutions/`` is not
in the file browser.

Every start brings the copy up to date with the course, without ever overwriting the
learner's work: a file new in the course is copied in; a file the course changed is replaced
only if the learner never changed their copy; otherwise the learner's copy is kept and the
change is reported (with where the course's new version is). What each copy was made from is
kept in ``work/.mastery-copies.json`` (a hash per file).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from mastery import paths

TREES = ("notebooks", "exercises")
MANIFEST = ".mastery-copies.json"


def workdir() -> Path:
    """``MASTERY_WORKDIR``, else ``work/`` in the course (ignored by git)."""
    if os.environ.get("MASTERY_WORKDIR"):
        return Path(os.environ["MASTERY_WORKDIR"]).expanduser().resolve()
    return paths.course_root() / "work"


@dataclass
class Sync:
    root: Path
    copied: list[str] = field(default_factory=list)     # new in the course: copied in
    updated: list[str] = field(default_factory=list)    # changed in the course, untouched here: replaced
    kept: list[str] = field(default_factory=list)       # changed in the course and here: yours kept

    def render(self) -> str:
        lines = []
        if self.copied:
            lines.append(f"copied {len(self.copied)} new course file(s) into {self.root}")
        if self.updated:
            lines.append(f"updated {len(self.updated)} file(s) you had not changed: "
                         f"{', '.join(self.updated)}")
        for rel in self.kept:
            lines.append(f"the course updated {rel}; your copy is kept as it is. The new version is "
                         f"{paths.course_root() / rel} (rename or delete your copy to get it on the "
                         "next start)")
        return "\n".join(lines)


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _course_files(course: Path, trees=TREES):
    for tree in trees:
        for src in sorted((course / tree).rglob("*")):
            rel = src.relative_to(course)
            if src.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                yield rel.as_posix(), src


def sync(root: str | os.PathLike | None = None, trees: tuple[str, ...] = TREES) -> Sync:
    """Make or refresh the working copy (see the module's docstring). Safe to repeat."""
    course = paths.course_root()
    root = Path(root) if root else workdir()
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    try:
        made_from = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        made_from = {}
    out = Sync(root)
    for rel, src in _course_files(course, trees):
        dest = root / rel
        new = _digest(src)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            made_from[rel] = new
            out.copied.append(rel)
        elif made_from.get(rel) not in (None, new):
            if _digest(dest) == made_from[rel]:  # the learner never changed it
                shutil.copy2(src, dest)
                made_from[rel] = new
                out.updated.append(rel)
            else:
                out.kept.append(rel)
        elif rel not in made_from:
            made_from[rel] = new
    manifest_path.write_text(json.dumps(made_from, indent=1, sort_keys=True))
    return out
