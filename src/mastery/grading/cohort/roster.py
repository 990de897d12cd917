"""The roster: learners from CSV, checked row by row, bad rows reported by line."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .course import CohortError

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,47}$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[a-z]{2,}$", re.I)


@dataclass
class RosterResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def read_roster(path: Path) -> tuple[list[dict], list[tuple[int, str]]]:
    """Good rows and (line, reason) for each bad one. Columns: id, first_name, last_name,
    email (``student_id`` is accepted for ``id``, and one ``name`` column for both names)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CohortError(f"{path}: cannot read the roster ({e})") from e
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower().replace(" ", "_").replace("-", "") for h in (reader.fieldnames or [])]
    header = ["id" if h == "student_id" else "email" if h == "email" else h for h in header]
    if "id" not in header or "email" not in header:
        raise CohortError(f"{path}: the first line must name the columns id,first_name,last_name,email "
                          f"(found: {','.join(reader.fieldnames or []) or 'nothing'})")
    good, bad, seen = [], [], set()
    for lineno, raw in enumerate(csv.reader(text.splitlines()[1:]), start=2):
        if not any(x.strip() for x in raw):
            continue
        if len(raw) != len(header):
            bad.append((lineno, f"{len(raw)} fields, the header has {len(header)}"))
            continue
        row = {k: v.strip() for k, v in zip(header, raw, strict=True)}
        sid = row["id"].lower()
        if "name" in row and not row.get("first_name"):
            first, _, last = row.pop("name").partition(" ")
            row["first_name"], row["last_name"] = first, last
        if not _ID.match(sid):
            bad.append((lineno, f"id {row['id']!r} is not a valid learner id "
                                "(lower-case letters, digits, . _ -; at most 48)"))
        elif sid in seen:
            bad.append((lineno, f"id {sid!r} appears twice; the first row is kept"))
        elif not _EMAIL.match(row["email"]):
            bad.append((lineno, f"e-mail {row['email']!r} of {sid!r} is not an address"))
        else:
            seen.add(sid)
            good.append({"id": sid, "first_name": row.get("first_name") or None,
                         "last_name": row.get("last_name") or None, "email": row["email"]})
    return good, bad
