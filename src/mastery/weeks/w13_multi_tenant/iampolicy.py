"""A small IAM policy evaluator for the multi-tenant week: identity policies only, and only the
condition operators the exercise allows. The local AWS (moto) stores IAM policies but does not
evaluate their conditions, so this module is how the course decides what a policy allows.

What it implements, from the IAM User Guide ("Policy evaluation logic", "Condition operators",
"Conditions with multiple context keys or values", "Policy variables"):

* an explicit ``Deny`` wins; otherwise an ``Allow`` that matches allows; otherwise the request
  is implicitly denied;
* ``Action``/``NotAction`` and ``Resource``/``NotResource`` with ``*`` and ``?`` wildcards
  (actions case-insensitively);
* operators ``StringEquals``, ``StringNotEquals``, ``StringLike``, ``StringNotLike``,
  ``StringEqualsIgnoreCase``, ``StringNotEqualsIgnoreCase``, ``Null``, ``Bool``, each with
  ``...IfExists``, and the set qualifiers ``ForAllValues:`` and ``ForAnyValue:``;
* operators AND, keys AND, the values of one key OR (NOR for a negated operator);
* a key absent from the request: a positive operator is false, a negated one true,
  ``...IfExists`` true, ``ForAllValues:`` true (vacuously), ``ForAnyValue:`` false;
* policy variables ``${key}`` in condition values and resources; a variable whose key has no
  value makes that value match nothing (``${key, 'default'}`` supplies one).

Anything else (another operator, ``Principal``, a ``NotPrincipal``) raises
:class:`UnsupportedPolicy`: the evaluator refuses rather than guess.
"""

from __future__ import annotations

import fnmatch
import re

OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "Null",
    "Bool",
)
_VAR = re.compile(r"\$\{([^}]+)\}")


class UnsupportedPolicy(ValueError):
    """The policy uses something this evaluator does not implement."""


def _list(v) -> list:
    return v if isinstance(v, list) else [v]


def _ctx(context: dict) -> dict:
    """Context keys compare case-insensitively (the key names, not their values)."""
    return {k.lower(): (v if isinstance(v, list) else [v]) for k, v in context.items() if v is not None}


def _substitute(value: str, ctx: dict) -> str | None:
    """``value`` with its policy variables replaced; None if one has no value and no default."""
    missing = False

    def repl(m):
        nonlocal missing
        name, _, default = m.group(1).partition(",")
        got = ctx.get(name.strip().lower())
        if got and len(got) == 1:
            return str(got[0])
        d = default.strip()
        if len(d) >= 2 and d[0] == d[-1] == "'":
            return d[1:-1]
        missing = True
        return ""

    out = _VAR.sub(repl, value)
    return None if missing else out


def _like(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


def _match_one(base: str, want: str | None, got: str) -> bool:
    """Does the request's value ``got`` match the policy's value ``want`` (positive form)?"""
    if want is None:  # an unresolved policy variable: no value equals it
        return False
    if base == "StringEquals":
        return got == want
    if base == "StringEqualsIgnoreCase":
        return got.lower() == want.lower()
    if base == "StringLike":
        return _like(want, got)
    if base == "Bool":
        return got.lower() == want.lower()
    raise UnsupportedPolicy(base)


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotLike": "StringLike",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
}


def _operator(op: str, key: str, wanted, ctx: dict) -> bool:
    qualifier, _, name = op.rpartition(":")
    if qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise UnsupportedPolicy(f"condition operator {op}")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    if name not in OPERATORS:
        raise UnsupportedPolicy(
            f"condition operator {op} (allowed: {', '.join(OPERATORS)}, "
            "with IfExists, ForAllValues: and ForAnyValue:)"
        )
    values = ctx.get(key.lower())
    wants = [str(w).lower() if isinstance(w, bool) else str(w) for w in _list(wanted)]
    if name == "Null":
        if qualifier or if_exists:
            raise UnsupportedPolicy(f"{op}")
        absent = not values
        return any((w.lower() == "true") == absent for w in wants)
    negated = name in _NEGATED
    base = _NEGATED.get(name, name)
    resolved = [_substitute(w, ctx) for w in wants]

    def matches(v: str) -> bool:
        hit = any(_match_one(base, w, str(v)) for w in resolved)
        return not hit if negated else hit

    if not values:  # the key is not in the request
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return True if if_exists else negated
    if qualifier == "ForAllValues":
        return all(matches(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(matches(v) for v in values)
    if len(values) > 1:
        # a single-valued operator on a multivalued key: AWS compares... we refuse to guess
        raise UnsupportedPolicy(
            f"{op} on the multivalued key {key}: qualify it with ForAllValues: or ForAnyValue:"
        )
    return matches(values[0])


def _conditions(block: dict, ctx: dict) -> bool:
    return all(
        _operator(op, key, wanted, ctx) for op, keys in (block or {}).items() for key, wanted in keys.items()
    )


def _any_like(patterns, value: str, *, fold: bool, ctx: dict) -> bool:
    for p in _list(patterns):
        p = _substitute(p, ctx) if "${" in p else p
        if p is None:
            continue
        if fnmatch.fnmatchcase(value.lower() if fold else value, p.lower() if fold else p):
            return True
    return False


def _applies(stmt: dict, action: str, resource: str, ctx: dict) -> bool:
    for unsupported in ("Principal", "NotPrincipal"):
        if unsupported in stmt:
            raise UnsupportedPolicy(f"{unsupported} (identity policies have none)")
    if "Action" in stmt:
        ok = _any_like(stmt["Action"], action, fold=True, ctx={})
    elif "NotAction" in stmt:
        ok = not _any_like(stmt["NotAction"], action, fold=True, ctx={})
    else:
        raise UnsupportedPolicy("a statement without Action or NotAction")
    if not ok:
        return False
    if "Resource" in stmt:
        ok = _any_like(stmt["Resource"], resource, fold=False, ctx=ctx)
    elif "NotResource" in stmt:
        ok = not _any_like(stmt["NotResource"], resource, fold=False, ctx=ctx)
    else:
        raise UnsupportedPolicy("a statement without Resource or NotResource")
    return ok and _conditions(stmt.get("Condition", {}), ctx)


def evaluate(policy: dict, action: str, resource: str, context: dict | None = None) -> str:
    """``"Allow"``, ``"ExplicitDeny"`` or ``"ImplicitDeny"`` for one request under ``policy``.

    ``context``: the request's context keys (``aws:PrincipalTag/tenant``, ``dynamodb:LeadingKeys``
    as a list, ...); a key that is absent or None is not in the request."""
    ctx = _ctx(context or {})
    statements = _list((policy or {}).get("Statement", []))
    matched = [s for s in statements if _applies(s, action, resource, ctx)]
    effects = {s.get("Effect") for s in matched}
    if "Deny" in effects:
        return "ExplicitDeny"
    return "Allow" if "Allow" in effects else "ImplicitDeny"


def allowed(policy: dict, action: str, resource: str, context: dict | None = None) -> bool:
    return evaluate(policy, action, resource, context) == "Allow"
