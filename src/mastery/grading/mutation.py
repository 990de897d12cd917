"""Mutation testing of the graders: how many small wrong changes to a reference solution
lose at least one point under the real autograde?

A **mutant** is the reference solution of one exercise with one solution cell changed by one
mutation operator (``<`` for ``<=``, a number off by one, a statement deleted, ...). It is
graded as a learner's submission would be (:func:`mastery.grading.submissions.fill` into the
release, then nbgrader autograde in a throwaway :class:`mastery.grading.cohort.Course`, hidden
tests included, with the grading sandbox); it is **killed** when it loses at least one point
of an autograded test cell (or cannot be graded at all) and **survived** when it keeps full
marks. A person judges each survivor: an *equivalent* mutant behaves like the reference on
everything the exercise specifies (listed with the reason in
``benchmarks/mutation_equivalents.json``), every other survivor is a *gap* in the tests.
Score = killed / (mutants - equivalents).

Engine: cosmic-ray (``cosmic_ray.mutating.mutate_code(code, operator, occurrence)``), chosen
over mutmut 3 because:

* cosmic-ray's operators are a documented plug-in interface (``Operator.mutation_positions``
  and ``Operator.mutate`` on a parso tree, listed by ``OperatorProvider``) and
  ``mutate_code`` applies one of them to a *code string*, which is what a notebook cell is;
* its parso trees keep the cell's text byte for byte, so the diff of a mutant is exactly the
  changed line;
* mutmut 3's node mutators (``mutmut.mutation.mutators``) are internal functions, and the
  rest of mutmut is built around mutating *files in a package* behind per-function
  trampolines run under pytest: it only mutates code inside functions, while solution cells
  also hold module-level code (state machine definitions, tables, constants); using it would
  mean re-writing its visitor, and pulling in pytest/textual/coverage at run time.

cosmic-ray has no statement-deletion operator (mutmut has none either); :class:`DeleteStatement`
adds one on cosmic-ray's ``Operator`` interface (a simple statement becomes ``pass``). Its
``ExceptionReplacer`` turns ``except E`` into ``except CosmicRayTestingException``; the mutant
cell then defines that class in a line of its own, so the handler never matches.
``VariableReplacer``/``VariableInserter`` are left out: they take arguments and use unseeded
random numbers, so the same seed would not give the same mutants.
"""

from __future__ import annotations

import difflib
import os
import random
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import parso
from cosmic_ray.ast import ast_nodes
from cosmic_ray.mutating import mutate_code
from cosmic_ray.operators.exception_replacer import ExceptionReplacer as _CosmicExceptionReplacer
from cosmic_ray.operators.operator import Example, Operator
from cosmic_ray.operators.provider import OperatorProvider

from mastery import paths

_SKIPPED_OPERATORS = ("VariableReplacer", "VariableInserter")
_RAISED = "CosmicRayTestingException"


class DeleteStatement(Operator):
    """Replace one simple statement (an assignment, a call, a ``return``, a ``raise``, ...)
    with ``pass``; imports, ``pass``, docstrings and ``global`` are left alone."""

    _KEEP = {"import_name", "import_from", "pass_stmt", "global_stmt", "nonlocal_stmt", "newline",
             "operator", "string", "keyword"}

    def mutation_positions(self, node):
        parent = node.parent
        if parent is not None and parent.type == "simple_stmt" and node.type not in self._KEEP:
            yield (node.start_pos, node.end_pos)

    def mutate(self, node, index):
        prefix = node.get_first_leaf().prefix if hasattr(node, "children") else node.prefix
        return parso.python.tree.Keyword("pass", node.start_pos, prefix=prefix)

    @classmethod
    def examples(cls):
        return (Example("x = 1\n", "pass\n"), Example("f(x)\n", "pass\n"))


class ExceptionReplacer(_CosmicExceptionReplacer):
    """cosmic-ray's ``ExceptionReplacer``, right for dotted names too: on ``except
    sfn.exceptions.ExecutionAlreadyExists`` it renames one leaf of the name
    (``sfnCosmicRayTestingExceptionexceptions...``); here the whole expression is replaced."""

    @staticmethod
    def _name_nodes(node):
        expr = node.children[1]
        if expr.type == "atom":  # (A, B) or (A)
            inner = expr.children[1]
            return tuple(inner.children[::2]) if inner.type == "testlist_comp" else (inner,)
        return (expr,)

    def mutate(self, node, index):
        target = self._name_nodes(node)[index]
        prefix = target.get_first_leaf().prefix if hasattr(target, "children") else target.prefix
        new = parso.python.tree.Name(_RAISED, target.start_pos, prefix=prefix)
        parent = target.parent
        parent.children[parent.children.index(target)] = new
        new.parent = parent
        return node


def operators() -> dict[str, Operator]:
    """Operator name -> instance: cosmic-ray's core operators (less the two above) and ours."""
    provider = OperatorProvider()
    ops = {name: provider[name]() for name in provider if name not in _SKIPPED_OPERATORS}
    ops["ExceptionReplacer"] = ExceptionReplacer()
    ops["DeleteStatement"] = DeleteStatement()
    return ops


def family(operator: str) -> str:
    """The kind of change, so the sample spreads over kinds (binary operator replacement alone
    has 132 operators and would otherwise crowd out everything else)."""
    return operator.split("_")[0]


@dataclass
class Mutant:
    notebook: str  # e.g. 02-saga-step-functions (no suffix)
    cell: str  # the solution cell's grade_id
    operator: str
    occurrence: int
    line: int  # 1-based, in the cell without the BEGIN/END SOLUTION markers
    removed: list[str]  # the reference lines it changes
    added: list[str]  # what it puts there
    source: str = field(repr=False)  # the whole mutated cell

    @property
    def id(self) -> str:
        """Stable while the reference cell keeps that line: notebook, cell, operator, line and
        the mutated line's text."""
        text = " / ".join(x.strip() for x in self.added) or "(deleted)"
        return f"{self.notebook}|{self.cell}|{self.operator}|{self.line}|{text}"

    @property
    def diff(self) -> str:
        return "\n".join(["-" + x for x in self.removed] + ["+" + x for x in self.added])


def changed_lines(before: str, after: str) -> tuple[int, list[str], list[str]]:
    a, b = before.split("\n"), after.split("\n")
    ops = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return 0, [], []
    i1, i2 = ops[0][1], ops[-1][2]
    j1, j2 = ops[0][3], ops[-1][4]
    return i1 + 1, a[i1:i2], b[j1:j2]


def _compiles(code: str) -> bool:
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<cell>", "exec")
        return True
    except (SyntaxError, ValueError):
        return False


def candidates(code: str, ops: dict[str, Operator] | None = None) -> list[tuple[str, int]]:
    """Every (operator, occurrence) that applies to ``code``."""
    ops = ops or operators()
    nodes = list(ast_nodes(parso.parse(code)))
    out = []
    for name, op in ops.items():
        n = sum(1 for node in nodes for _ in op.mutation_positions(node))
        out += [(name, i) for i in range(n)]
    return out


def make_mutant(notebook: str, cell: str, code: str, operator: str, occurrence: int,
                ops: dict[str, Operator] | None = None) -> Mutant | None:
    """The mutant, or None when the operator changes nothing or the result does not compile."""
    ops = ops or operators()
    mutated = mutate_code(code, ops[operator], occurrence)
    if mutated is None or mutated == code:
        return None
    line, removed, added = changed_lines(code, mutated)
    if _RAISED in mutated:  # cosmic-ray's ExceptionReplacer names its own exception class
        mutated = f"class {_RAISED}(Exception):  # mutation: never raised\n    pass\n{mutated}"
    if not _compiles(mutated):
        return None
    return Mutant(notebook, cell, operator, occurrence, line, removed, added, mutated)


def sample(notebook: str, answers: dict[str, str], n: int, seed: int = 1) -> list[Mutant]:
    """``n`` compiling, distinct mutants spread over the solution cells in ``answers`` (taken in
    turn), and within a cell over the kinds of change (taken in turn, in a seeded order)."""
    ops = operators()
    rng = random.Random(f"{seed}:{notebook}")
    queues = {}
    for cell in sorted(answers):
        by_family = defaultdict(list)
        for cand in candidates(answers[cell], ops):
            by_family[family(cand[0])].append(cand)
        fams = sorted(by_family)
        rng.shuffle(fams)
        for f in fams:
            rng.shuffle(by_family[f])
        order = []
        while any(by_family[f] for f in fams):  # one of each kind, then the next of each, ...
            order += [by_family[f].pop() for f in fams if by_family[f]]
        queues[cell] = order
    cells = sorted(queues)
    rng.shuffle(cells)
    out: list[Mutant] = []
    seen = {answers[c] for c in cells}
    while len(out) < n and any(queues[c] for c in cells):
        for cell in cells:
            while queues[cell] and len(out) < n:
                op, occ = queues[cell].pop(0)
                m = make_mutant(notebook, cell, answers[cell], op, occ, ops)
                if m is not None and m.source not in seen:
                    seen.add(m.source)
                    out.append(m)
                    break
    return out


def hand_made(notebook: str, cell: str, reference: str, source: str, operator: str = "HandMade") -> Mutant:
    """A mutant written by hand (the whole mutated cell), e.g. to prove the tool on a known case."""
    line, removed, added = changed_lines(reference, source)
    return Mutant(notebook, cell, operator, 0, line, removed, added, source)


# ---------------------------------------------------------------------------------- grading


@dataclass
class Outcome:
    id: str
    cell: str
    operator: str
    line: int
    diff: str
    status: str  # killed | survived | ungraded (the grader's kernel never started)
    score: float | None
    max_score: float | None
    lost: dict[str, tuple[float, float]]  # test cell -> (score, max) where points were lost
    error: str = ""


def solution_cells(month: str, notebook: str) -> dict[str, str]:
    """The code solution cells of an exercise (markdown answers are graded by hand)."""
    import nbformat

    from mastery.grading import submissions

    sol = nbformat.read(paths.solutions_dir() / month / f"{notebook}.ipynb", as_version=4)
    code = {c.metadata.get("nbgrader", {}).get("grade_id") for c in sol.cells if c.cell_type == "code"}
    return {k: v for k, v in submissions.reference_answers(sol).items() if k in code}


def test_cells(month: str, notebook: str) -> list[str]:
    """The autograded test cells (nbgrader ``grade`` and not ``solution``)."""
    import nbformat

    sol = nbformat.read(paths.solutions_dir() / month / f"{notebook}.ipynb", as_version=4)
    out = []
    for c in sol.cells:
        m = c.metadata.get("nbgrader", {})
        if m.get("grade") and not m.get("solution") and c.cell_type == "code":
            out.append(m["grade_id"])
    return out


def month_of(notebook: str) -> str:
    stem = notebook.removesuffix(".ipynb")
    found = sorted(p.parent.name for p in paths.solutions_dir().glob(f"month-*/{stem}.ipynb"))
    if not found:
        names = ", ".join(sorted(p.stem for p in paths.solutions_dir().glob("month-*/*.ipynb")))
        raise ValueError(f"no exercise {stem!r} in solutions/ (exercises: {names})")
    return found[0]


class _EmulatorPort:
    """A free port and a temporary state folder for the embedded emulators of one run; the
    kernels reach them through MASTERY_PORT. ``cohort.grade_one`` starts a fresh emulator
    there for every submission and stops it afterwards, as each cohort grading worker does."""

    def __enter__(self):
        from mastery.grading.cohort.parallel import _free_port

        self.saved = {k: os.environ.get(k) for k in ("MASTERY_PORT", "MASTERY_STATE_DIR")}
        self.state = tempfile.mkdtemp(prefix="mutation-emulator-")
        self.port = _free_port()
        os.environ["MASTERY_STATE_DIR"] = self.state
        os.environ["MASTERY_PORT"] = str(self.port)
        return self.port

    def __exit__(self, *exc):
        from mastery import backend

        try:
            backend.down(self.port)
        finally:
            for k, v in self.saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            shutil.rmtree(self.state, ignore_errors=True)


def grade(month: str, notebook: str, mutants: Iterable[Mutant], workdir: Path | None = None,
          timeout: int = 60, log=print, baseline: bool = True) -> tuple[dict[str, Outcome], float]:
    """Autograde the reference (as a baseline, which must keep full marks) and every mutant,
    each as its own student in one throwaway course, each against a fresh embedded emulator
    (``cohort.grade_one``: no mutant can leave anything behind for the next one).
    Returns (mutant id -> outcome, seconds). ``baseline=False`` skips grading the reference
    (one kernel less) and takes each test cell's maximum as the reference's score."""
    import nbformat

    from mastery.grading import cohort, submissions

    mutants = list(mutants)
    tests = test_cells(month, notebook)
    rel = nbformat.read(paths.exercises_dir() / month / f"{notebook}.ipynb", as_version=4)
    answers = solution_cells(month, notebook)
    sol = nbformat.read(paths.solutions_dir() / month / f"{notebook}.ipynb", as_version=4)
    all_answers = submissions.reference_answers(sol)  # markdown answers too, for the reference
    root = Path(tempfile.mkdtemp(prefix="mutation-course-", dir=workdir))
    t0 = time.perf_counter()
    students: dict[str, Mutant | None] = {"ref": None} if baseline else {}
    students.update({f"m{i:03d}": m for i, m in enumerate(mutants)})
    scores, errors = {}, {}
    try:
        course = cohort.Course(root / "course", timeout=timeout)
        course.add_assignment(month)
        with _EmulatorPort() as port:
            for sid, m in students.items():
                filled = dict(all_answers)
                if m is not None:
                    assert answers[m.cell] == all_answers[m.cell]
                    filled[m.cell] = m.source
                course.submit(sid, month, {f"{notebook}.ipynb": submissions.fill(rel, filled)})
                # grade_one grades again when its kernel never started (machine load, a port race)
                outcome = cohort.grade_one(course, month, sid, port=port)
                if outcome.status in ("failed", "regrade"):
                    errors[sid] = f"{outcome.status}: " + "; ".join(outcome.errors.values())
                try:
                    scores[sid] = course.score(month, sid).get(notebook)
                except Exception:  # not in the gradebook: nbgrader could not grade it
                    scores[sid] = None
                if sid == "ref":
                    _check_reference(notebook, scores[sid], tests, errors.get(sid, ""))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    seconds = time.perf_counter() - t0
    if baseline:
        ref = scores["ref"]
    else:
        maxima = {t: (mx, mx) for s in scores.values() if s for t, (_, mx) in s.cells.items()}
        ref = cohort.Score(sum(mx for t, (_, mx) in maxima.items() if t in tests), 0, maxima)
        _check_reference(notebook, ref, tests, "")
    out = {}
    for sid, m in students.items():
        if m is None:
            continue
        s, err = scores[sid], errors.get(sid, "")
        if is_infrastructure_failure(err):  # neither killed nor survived: the grading never ran
            out[m.id] = Outcome(m.id, m.cell, m.operator, m.line, m.diff, "ungraded", None, None, {},
                                f"not graded: {err}"[:300])
            log(f"  ungraded {m.id} (the grader's kernel did not start)")
            continue
        if s is None or err.startswith("regrade"):
            out[m.id] = Outcome(m.id, m.cell, m.operator, m.line, m.diff, "killed", None, None, {},
                                f"not graded: {err}"[:300])
            log(f"  killed   {m.id} (not graded)")
            continue
        lost = {t: s.cells.get(t, (0.0, 0.0)) for t in tests
                if s.cells.get(t, (0.0, 1.0))[0] < ref.cells[t][0]}
        status = "killed" if lost or err else "survived"
        out[m.id] = Outcome(m.id, m.cell, m.operator, m.line, m.diff, status, s.score, s.max_score, lost,
                            err[:300])
        log(f"  {status:8} {m.id}")
    return out, seconds


def is_infrastructure_failure(error: str) -> bool:
    """The grading failed before the submission ran (a kernel that did not start in time on a
    loaded machine, a port race): no verdict on the mutant, unlike a kernel the mutant itself
    killed. One definition for the course: :func:`mastery.grading.cohort.parallel.kernel_never_started`."""
    from mastery.grading.cohort.parallel import kernel_never_started

    return kernel_never_started(error)


def _check_reference(notebook, ref, tests, errors) -> None:
    if ref is None or any(ref.cells.get(t, (0, 1))[0] != ref.cells.get(t, (0, 1))[1] for t in tests):
        raise RuntimeError(f"{notebook}: the reference solution did not get full marks under autograde "
                           f"({ref and ref.cells}); the pipeline is broken, no mutant can be judged. "
                           f"{errors}")


def summarise(notebook: str, outcomes: dict[str, Outcome], equivalents: dict[str, str],
              seconds: float, seed: int) -> dict:
    rows = list(outcomes.values())
    killed = sum(o.status == "killed" for o in rows)
    ungraded = sum(o.status == "ungraded" for o in rows)
    survivors = [o for o in rows if o.status == "survived"]
    eq = [o for o in survivors if o.id in equivalents]
    denominator = len(rows) - len(eq) - ungraded
    return {
        "notebook": notebook,
        "seed": seed,
        "mutants": len(rows),
        "ungraded": ungraded,
        "killed": killed,
        "survived": len(survivors),
        "equivalent": len(eq),
        "gaps": len(survivors) - len(eq),
        "score": round(killed / denominator, 4) if denominator else None,
        "seconds": round(seconds, 1),
        "seconds_per_mutant": round(seconds / (len(rows) + 1), 1) if rows else None,  # +1: the reference
        "outcomes": [asdict(o) for o in rows],
    }


def rejudge(entry: dict, equivalents: dict[str, str]) -> dict:
    """Re-count an entry against the current equivalents file (judgements change, grades do not)."""
    survivors = [o for o in entry["outcomes"] if o["status"] == "survived"]
    eq = sum(o["id"] in equivalents for o in survivors)
    entry["equivalent"], entry["gaps"] = eq, len(survivors) - eq
    d = entry["mutants"] - eq - entry.get("ungraded", 0)
    entry["score"] = round(entry["killed"] / d, 4) if d else None
    return entry


def render_markdown(report: dict, equivalents: dict[str, str]) -> str:
    from mastery.grading.cohort.parallel import KERNEL_START_RETRIES

    lines = ["# Mutation score of the graders", "",
             "Generated by `python benchmarks/mutation.py` (each exercise's command, seed and outcomes "
             "are in the JSON beside this file). A mutant is *killed* "
             "when it loses at least one point of an autograded test (or cannot be graded), *survived* when "
             "it keeps full marks, *ungraded* when the grader's kernel never started (machine load; retried "
             f"{KERNEL_START_RETRIES} times first); score = killed / (mutants - equivalents - ungraded). "
             "Equivalents are judged by a person in `benchmarks/mutation_equivalents.json`; every other "
             "survivor is a gap.", "",
             "| exercise | mutants | killed | survived | equivalent | gaps | score | s/mutant | measured |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    entries = [rejudge(e, equivalents) for _, e in sorted(report["notebooks"].items())]
    for e in entries:
        score = f"{100 * e['score']:.0f} %" if e["score"] is not None else "n/a"
        lines.append(f"| {e['notebook']} | {e['mutants']} | {e['killed']} | {e['survived']} | "
                     f"{e['equivalent']} | {e['gaps']} | {score} | {e['seconds_per_mutant']} | "
                     f"{e.get('measured', '')} |")
    for e in entries:
        survivors = [o for o in e["outcomes"] if o["status"] == "survived"]
        if not survivors:
            continue
        lines += ["", f"## {e['notebook']}: survivors", "",
                  "| cell | operator | line | diff | verdict |", "|---|---|---:|---|---|"]
        for o in survivors:
            diff = "<br>".join(f"`{_md(x)}`" for x in o["diff"].split("\n"))
            why = equivalents.get(o["id"])
            verdict = f"equivalent: {_md(why)}" if why else "gap"
            lines.append(f"| {o['cell']} | {o['operator']} | {o['line']} | {diff} | {verdict} |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")
