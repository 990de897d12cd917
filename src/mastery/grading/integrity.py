"""Grades a learner's code cannot fake (docs/grading-safety.md, "What the tests see").

Hidden tests run in the learner's kernel, after the learner's cells, so the learner's code can
change what they see: rebind ``expect``, patch ``mastery.expect.expect`` or a week's read-back
helper, replace ``time.time`` or a boto3 client's method. Two defences, both run by the grader
(:class:`mastery.grading.sandbox.GuardedExecute`), never by the learner:

1. **A guard before every test cell, in the kernel** (:func:`prelude`). It compares every
   function of the course's own modules that the kernel has imported with a fingerprint the
   *grading process* computed from the files on disk (read-only to the kernel under Landlock);
   checks that the standard-library functions tests rely on are still the originals, that no
   boto3 client in the notebook has a replaced API method, and that every name the locked setup
   cells bound (``expect``, ``shop``, ...) still holds what they bound. Anything changed makes
   the cell fail with ``TamperingDetected`` naming what was changed, so it scores 0 and the
   feedback says why.
2. **Trusted checks outside the kernel** (:func:`run_trusted`). A week can register, per test
   cell, a function the grading process runs after the cell: it reads the learner's emulator
   itself (tables, executions, queues, metrics) and computes the expected values itself. The
   cell passes only if the kernel's test *and* the trusted check pass.

A submission that replaces Python's builtins (``isinstance``, ``getattr``, ...) can still
mislead the kernel-side guard; the trusted checks are the answer to that, and
docs/grading-safety.md lists what remains a risk.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import pkgutil
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Standard-library callables that tests (and the course's helpers) rely on.
STDLIB = (("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("time", "sleep"),
          ("random", "random"), ("random", "randint"), ("random", "choice"), ("random", "seed"),
          ("uuid", "uuid4"), ("json", "dumps"), ("json", "loads"), ("copy", "deepcopy"))
# The grading side is never imported by a kernel; the CLI and emulator are not used by tests.
_SKIP = ("mastery.grading", "mastery.cli", "mastery.emulator", "mastery.weeks.__main__")


def code_digest(code: types.CodeType) -> str:
    """A digest of a function's code that is the same in every process (no addresses, no
    hash-randomised set order), so the grader and the kernel can compare."""
    h = hashlib.sha256()

    def feed(c: types.CodeType) -> None:
        h.update(c.co_code)
        h.update(repr(c.co_names).encode())
        for k in c.co_consts:
            if isinstance(k, types.CodeType):
                feed(k)
            elif isinstance(k, frozenset):
                h.update(repr(sorted(map(repr, k))).encode())
            else:
                h.update(repr(k).encode())

    feed(code)
    return h.hexdigest()[:20]


def _module_names() -> list[str]:
    import mastery

    root = Path(mastery.__file__).parent
    names = []
    for info in pkgutil.walk_packages([str(root)], prefix="mastery."):
        if not info.name.startswith(_SKIP):
            names.append(info.name)
    return ["mastery", *names]


@functools.cache
def fingerprints() -> dict[str, dict[str, str]]:
    """module -> {function name: code digest} for every kernel-side course module, each loaded
    fresh from its file (not from ``sys.modules``, which a grader never shares with a kernel,
    but which this keeps honest anyway)."""
    out: dict[str, dict[str, str]] = {}
    for name in _module_names():
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            continue
        module = importlib.util.module_from_spec(spec)
        before = sys.modules.get(name)
        sys.modules[name] = module  # dataclasses look their module up while it executes
        try:
            spec.loader.exec_module(module)
        except Exception:  # a module that needs a backend or a display to import: skip it
            continue
        finally:
            if before is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = before
        funcs = {k: code_digest(v.__code__) for k, v in vars(module).items()
                 if isinstance(v, types.FunctionType) and v.__module__ == name}
        if funcs:
            out[name] = funcs
    return out


_PRELUDE = r'''
__mastery_fp, __mastery_stdlib, __mastery_bind = __FP__, __STDLIB__, __BIND__


def __mastery_guard(__fp, __stdlib, __bindings):
    import hashlib, sys, types

__CODE_DIGEST__
    digest = code_digest

    changed = []
    for mod, funcs in __fp.items():
        m = sys.modules.get(mod)
        if m is None:
            continue
        for name, want in funcs.items():
            f = getattr(m, name, None)
            if type(f) is not types.FunctionType or digest(f.__code__) != want:
                changed.append(f"{mod}.{name}")
    for mod, name in __stdlib:
        m = sys.modules.get(mod)
        f = getattr(m, name, None) if m is not None else None
        if type(f) is types.FunctionType and getattr(f, "__module__", mod) != mod:
            changed.append(f"{mod}.{name}")
    g = globals()
    for key, (mod, attr) in __bindings.items():  # what the locked setup cells bound
        m = sys.modules.get(mod)
        want = m if attr is None else getattr(m, attr, None)
        if m is not None and key in g and g[key] is not want:
            changed.append(f"the name {key!r}")
    for key, value in list(g.items()):
        if type(value) is types.ModuleType and value.__name__ in __fp \
                and sys.modules.get(value.__name__) is not value:
            changed.append(f"the module bound to {key!r}")
        meta = getattr(type(value), "_PY_TO_OP_NAME", None)
        if isinstance(meta, dict):  # a boto3 client: API methods must be botocore's
            for op in meta:
                if op in vars(value) or getattr(getattr(type(value), op, None), "__qualname__", "") != \
                        "ClientCreator._create_api_method.<locals>._api_call":
                    changed.append(f"{key}.{op} (a boto3 client method)")
    current = g.get("expect")
    want = __fp.get("mastery.expect", {}).get("expect")
    if current is not None and (type(current) is not types.FunctionType or digest(current.__code__) != want):
        changed.append("the name 'expect'")
    if changed:
        class TamperingDetected(Exception):
            pass

        raise TamperingDetected(
            "the notebook's code replaced what the tests rely on, so this test scores 0: "
            + ", ".join(sorted(set(changed))[:12]))


try:
    __mastery_guard(__mastery_fp, __mastery_stdlib, __mastery_bind)
finally:
    del __mastery_guard, __mastery_fp, __mastery_stdlib, __mastery_bind
'''


def setup_bindings(nb) -> dict[str, tuple[str, str | None]]:
    """Names the notebook's locked, ungraded cells import from the course (``from mastery.weeks.w02_x
    import shop`` -> ``{"shop": ("mastery.weeks.w02_x", "shop")}``): the names tests rely on."""
    import ast

    out: dict[str, tuple[str, str | None]] = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("locked") or meta.get("grade"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mastery"):
                for a in node.names:
                    out[a.asname or a.name] = (node.module, a.name)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("mastery") and a.asname:
                        out[a.asname] = (a.name, None)
    return out


def prelude(bindings: dict[str, tuple[str, str | None]]) -> str:
    """Python source the grader runs in the kernel before each test cell: silent, unless it
    finds tampering, which it raises as ``TamperingDetected``."""
    import inspect
    import textwrap

    digest_source = textwrap.indent(inspect.getsource(code_digest), "    ")
    return (_PRELUDE.replace("__CODE_DIGEST__", digest_source)
            .replace("__FP__", repr(fingerprints()))
            .replace("__STDLIB__", repr(STDLIB))
            .replace("__BIND__", repr(bindings))).strip() + "\n"


# ------------------------------------------------------------------------ trusted checks


class TrustedCheckFailed(AssertionError):
    """A check the grading process ran against the learner's emulator failed."""


@dataclass(frozen=True)
class Context:
    """What a trusted check knows: the notebook, and the learner (their namespace)."""

    notebook: str  # the notebook stem, e.g. "10-finops-governance"
    learner: str | None
    # what a check's ``before`` hook read just before its test cell ran (check -> snapshot)
    memo: dict = field(default_factory=dict, compare=False, hash=False)

    def client(self, service: str):
        """A boto3 client on the learner's emulator, made in the grading process."""
        from mastery import aws

        return aws.client(service)

    def namespace(self, exercise: str):
        from mastery import aws

        return aws.namespace(exercise, self.learner) if self.learner else aws.namespace(exercise)


def trusted_checks(notebook: str) -> dict[str, Callable[[Context], None]]:
    """grade_id -> trusted check, from the week's ``checks`` module (``TRUSTED``), if it has one."""
    from mastery.weeks import by_stem

    try:
        week = by_stem(notebook)
    except KeyError:
        return {}
    if importlib.util.find_spec(f"mastery.weeks.{week.package}.checks") is None:
        return {}
    return dict(getattr(week.module("checks"), "TRUSTED", {}))


def prepare_trusted(check: Callable, ctx: Context) -> None:
    """Before the test cell runs: a check with a ``before`` hook (``check.before(ctx)``) reads the
    backend first, so afterwards it can tell what the cell created (tests name their resources
    with random ids, which the grading process cannot know). A hook that fails records ``None``:
    the check then treats everything as made by the cell."""
    hook = getattr(check, "before", None)
    if hook is None:
        return
    try:
        ctx.memo[check] = hook(ctx)
    except Exception:
        ctx.memo[check] = None


def scan_items(ddb, table: str) -> list[dict]:
    """Every item of ``table`` as DynamoDB returns it (typed, exact numbers), read strongly
    consistently across every page: what a trusted check compares with the spec."""
    items, kwargs = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def run_trusted(check: Callable, ctx: Context) -> str | None:
    """Run one trusted check; ``None`` when it passes, else the message for the feedback. A check
    with a ``before`` hook is called as ``check(ctx, snapshot)``."""
    try:
        if hasattr(check, "before"):
            check(ctx, ctx.memo.pop(check, None))
        else:
            check(ctx)
    except AssertionError as e:
        return str(e) or "the trusted check failed"
    except Exception as e:  # the learner's state may be anything: a crash is a failure, explained
        return f"the trusted check could not read the expected state ({type(e).__name__}: {e})"[:500]
    return None
