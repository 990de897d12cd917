"""Make submissions the way a learner would: start from the released notebook and fill in
solution cells, either with the reference solution or with a known wrong answer.

Wrong answers (the common misconceptions of an exercise) live beside the week's tests, in
``tests/weeks/<week package>/wrong_answers/<name>.patch``. Each is a header and a patch
against the reference solution cell it changes::

    # Wrong answer: ChargePayment has no Catch, so a declined payment keeps the stock.
    # cell: saga-definition
    # loses: test-payment-declined, test-shipment-failure
    @@
         s["ReserveInventory"].update(Next="ChargePayment", Retry=retry, Catch=undo_from("MarkOrderFailed"))
    -    s["ChargePayment"].update(Next="CreateShipment", Retry=retry, Catch=undo_from("ReleaseInventory"))
    +    s["ChargePayment"].update(Next="CreateShipment", Retry=retry)

Right answers written differently (``right_answers/<name>.patch``, header ``# Right answer:``
and ``# cell:``, no ``loses``) are patches of the same form that must keep full marks: they keep
the grader from marking down a correct answer that is not the reference's.

``cell`` is the solution cell it changes (all other solution cells get the reference
answer); ``loses`` lists the test cells that must score 0 for it. A hunk (``@@``) is context
lines (`` ``), removed lines (``-``) and added lines (``+``); the context and removed lines
must stand, in that order, exactly once in the reference cell, or applying fails with "the
reference changed; update this patch". A true rewrite has no ``@@``: its body is the whole
cell. The test suite grades every wrong answer with nbgrader and proves each loses those points.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from mastery import paths
from mastery.errors import MasteryError

_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
_HEADER = re.compile(r"#\s*(Wrong answer|Right answer|cell|loses):\s*(.*)")


class PatchError(MasteryError):
    """A wrong-answer patch no longer fits the reference solution."""


@dataclass(frozen=True)
class AnswerPatch:
    month: str
    notebook: str  # file name, e.g. 02-saga-step-functions.ipynb
    name: str
    cell: str
    loses: tuple[str, ...]
    why: str
    body: str  # the patch (hunks), or the whole cell for a rewrite
    path: Path

    @property
    def is_patch(self) -> bool:
        return any(line.startswith("@@") for line in self.body.splitlines())

    def apply(self, reference: str) -> str:
        """The solution cell this wrong answer submits, given the reference cell's code."""
        return apply_patch(reference, self.body, self.path) if self.is_patch else self.body


def apply_patch(reference: str, patch: str, where: object = "patch") -> str:
    """Apply ``@@`` hunks of `` ``/``-``/``+`` lines to ``reference`` (see the module doc)."""
    lines = reference.split("\n")
    for n, hunk in enumerate(_hunks(patch), 1):
        before = [t for op, t in hunk if op in " -"]
        after = [t for op, t in hunk if op in " +"]
        at = [i for i in range(len(lines) - len(before) + 1) if lines[i:i + len(before)] == before]
        if len(at) != 1:
            found = "not found" if not at else f"found {len(at)} times"
            raise PatchError(f"{where}: hunk {n} ({found} in the reference cell): the reference changed; "
                             "update this patch (its context and '-' lines must match exactly once)")
        lines[at[0]:at[0] + len(before)] = after
    return "\n".join(lines)


def _hunks(patch: str) -> list[list[tuple[str, str]]]:
    hunks: list[list[tuple[str, str]]] = []
    for line in patch.split("\n"):
        if line.startswith("@@"):
            hunks.append([])
        elif hunks and line[:1] in (" ", "-", "+"):
            hunks[-1].append((line[0], line[1:]))
        elif hunks and line == "":
            hunks[-1].append((" ", ""))
    for h in hunks:  # a blank line at a hunk's end is the file's layout, not context
        while h and h[-1] == (" ", ""):
            h.pop()
    return hunks


def make_patch(reference: str, wrong: str, context: int = 1) -> str:
    """The smallest hunks that turn ``reference`` into ``wrong`` and apply unambiguously."""
    import difflib

    a, b = reference.split("\n"), wrong.split("\n")
    for ctx in range(context, 12):
        out = []
        for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(ctx):
            out.append("@@")
            for tag, i1, i2, j1, j2 in group:
                if tag == "equal":
                    out += [" " + t for t in a[i1:i2]]
                else:
                    out += ["-" + t for t in a[i1:i2]] + ["+" + t for t in b[j1:j2]]
        patch = "\n".join(out)
        try:
            if apply_patch(reference, patch) == wrong:
                return patch
        except PatchError:
            pass
    raise PatchError("no unambiguous patch found; keep this wrong answer as a whole cell")


def parse_answer(path: Path) -> AnswerPatch:
    from mastery.weeks import WEEKS

    text = path.read_text()
    head = {}
    lines = text.split("\n")
    for line in lines:
        m = _HEADER.match(line)
        if m:
            head[m.group(1)] = m.group(2).strip()
        elif line.strip() and not line.startswith("#"):
            break
    # a patch's body starts at its first hunk; a whole-cell rewrite is the file (header kept as
    # comments, so feedback on the submitted cell says which wrong answer it is)
    first = next((i for i, line in enumerate(lines) if line.startswith("@@")), None)
    body = lines[first:] if first is not None else lines
    kind = "Right answer" if path.parent.name == "right_answers" else "Wrong answer"
    missing = {kind, "cell"} | ({"loses"} if kind == "Wrong answer" else set())
    missing -= head.keys()
    if missing:
        raise ValueError(f"{path}: header lacks {', '.join(sorted(missing))}")
    week = next((w for w in WEEKS if w.package == path.parent.parent.name), None)
    if week is None:
        raise ValueError(f"{path}: not under tests/weeks/<week package>/wrong_answers/")
    return AnswerPatch(
        month=week.month,
        notebook=week.notebook,
        name=path.stem,
        cell=head["cell"],
        loses=tuple(x.strip() for x in head.get("loses", "").split(",") if x.strip()),
        why=head[kind],
        body="\n".join(body),
        path=path,
    )


def wrong_answers(root: Path | None = None) -> list[AnswerPatch]:
    root = root or paths.course_root() / "tests" / "weeks"
    return [parse_answer(p) for p in sorted(root.glob("w*/wrong_answers/*.patch"))]


def right_answers(root: Path | None = None) -> list[AnswerPatch]:
    """Correct answers written differently from the reference: each must get full marks."""
    root = root or paths.course_root() / "tests" / "weeks"
    return [parse_answer(p) for p in sorted(root.glob("w*/right_answers/*.patch"))]


def reference_answers(solution_nb) -> dict[str, str]:
    """grade_id -> the solution cell's code without the BEGIN/END SOLUTION markers."""
    out = {}
    for c in solution_nb.cells:
        m = c.metadata.get("nbgrader", {})
        if m.get("solution"):
            out[m["grade_id"]] = _MARKERS.sub("", c.source)
    return out


def fill(release_nb, answers: dict[str, str]):
    """A copy of the released notebook with the given solution cells answered."""
    nb = copy.deepcopy(release_nb)
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            c.source = answers[gid]
    return nb


def reference_submission(month: str, notebook: str):
    sol = nbformat.read(paths.solutions_dir() / month / notebook, as_version=4)
    rel = nbformat.read(paths.exercises_dir() / month / notebook, as_version=4)
    return fill(rel, reference_answers(sol))


def patched_submission(wa: AnswerPatch):
    sol = nbformat.read(paths.solutions_dir() / wa.month / wa.notebook, as_version=4)
    rel = nbformat.read(paths.exercises_dir() / wa.month / wa.notebook, as_version=4)
    answers = reference_answers(sol)
    if wa.cell not in answers:
        raise ValueError(f"{wa.path}: {wa.notebook} has no solution cell {wa.cell!r}")
    answers[wa.cell] = wa.apply(answers[wa.cell])
    return fill(rel, answers)


def blank_submission(month: str, notebook: str):
    return nbformat.read(paths.exercises_dir() / month / notebook, as_version=4)
