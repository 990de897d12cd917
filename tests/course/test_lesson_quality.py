"""Course-wide quality checks of the lessons (issue 13): what a senior reader must find in every
chapter, and that prose does not drift from its sources.

* (a) money renders as money: no unescaped ``$`` before a number in any markdown cell of
  ``notebooks/`` or ``solutions/`` (JupyterLab reads ``$...$`` as LaTeX);
* (b) every lesson (months 1-3, and each capstone week as it lands) is a full chapter: "How this
  fails in production", "Further reading" with a link, "Check yourself" followed by a collapsed
  answers cell, a "Facts checked on" line, an architecture picture stored as a PNG, and at least
  2,500 words of markdown;
* (c) consistency: one FOCUS version per billing data set across lessons, one stated allocation
  basis per lesson that allocates cost, and every quota or price a lesson states equals its row
  in :mod:`mastery.facts`.

Pure file reads: no backend, no kernel. Each failure message names the lesson and what is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from mastery import facts


def _root() -> Path:
    for d in Path(__file__).resolve().parents:
        if (d / "nbgrader_config.py").is_file() and (d / "notebooks").is_dir():
            return d
    raise FileNotFoundError("course root (the folder with nbgrader_config.py) not found")


ROOT = _root()
LESSONS = sorted((ROOT / "notebooks").glob("month-*/*.ipynb"))
MARKDOWN_NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("month-*/*.ipynb"),
                             *(ROOT / "solutions").glob("month-*/*.ipynb")])
MIN_WORDS = 2500
MIN_WORDS_FOR = {"02-saga-step-functions": 3500}


def _id(p: Path) -> str:
    """``month-03/10-finops-governance`` for a lesson, ``solutions/month-03/...`` for a solution."""
    rel = p.relative_to(ROOT).with_suffix("")
    return str(rel.relative_to("notebooks")) if rel.parts[0] == "notebooks" else str(rel)


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _read(p: Path):
    return nbformat.read(p, as_version=4)


# --------------------------------------------------------------------------------- (a) dollars

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
# A dollar that is not escaped and is followed by a digit: money, which JupyterLab would pair with
# the next `$` as LaTeX. Deliberate inline math never starts with a digit here: write `${2}^{10}$`.
_MONEY = re.compile(r"(?<!\\)\$(?=\d)")


def unescaped_dollars(text: str) -> list[str]:
    """Lines of markdown ``text`` with an unescaped ``$`` before a digit, outside code spans,
    fenced code blocks and ``$$`` display math."""
    text = _FENCE.sub("", text)
    text = _DISPLAY_MATH.sub("", text)
    bad = []
    for line in text.splitlines():
        if _MONEY.search(_CODE_SPAN.sub("", line)):
            bad.append(line.strip())
    return bad


def test_dollar_rule_itself():
    assert unescaped_dollars("costs $0.20 per 1M requests and $5 a month")
    assert not unescaped_dollars(r"costs \$0.20 per 1M requests and \$5 a month")
    assert not unescaped_dollars("the filter `user:team$search` and `$1`")
    assert not unescaped_dollars("```\nprint('$5')\n```")
    assert not unescaped_dollars("math: $x^2$ and ${2}^{10}$ and $$\\sum_{i=1}^{3} i$$")


@pytest.mark.parametrize("nb_path", MARKDOWN_NOTEBOOKS, ids=_id)
def test_money_is_escaped(nb_path):
    nb = _read(nb_path)
    bad = [f"cell {c.get('id', i)}: {line[:100]}"
           for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
           for line in unescaped_dollars(c.source)]
    assert not bad, (f"{_id(nb_path)}: {len(bad)} markdown line(s) with an unescaped dollar before a "
                     "number (JupyterLab renders `$...$` as LaTeX; write `\\$`):\n" + "\n".join(bad[:10]))


# ----------------------------------------------------------------------------- (b) the chapter

def chapter_problems(nb, stem: str) -> list[str]:
    """What a lesson notebook lacks of the chapter structure issue 13 asks for (empty: nothing)."""
    problems = []
    md = _markdown(nb)
    text = "\n\n".join(md)
    words = sum(len(s.split()) for s in md)
    floor = MIN_WORDS_FOR.get(stem, MIN_WORDS)
    if words < floor:
        problems.append(f"{words} words of markdown, fewer than {floor}")
    if not re.search(r"^#+ .*How this fails in production", text, re.M | re.I):
        problems.append('no "How this fails in production" section')
    reading = [s for s in md if re.search(r"^#+ .*Further reading", s, re.M | re.I)]
    if not reading:
        problems.append('no "Further reading" section')
    elif not any(re.search(r"\]\(https?://|<https?://", s.split("Further reading", 1)[-1]) for s in reading):
        problems.append('"Further reading" has no link')
    if not re.search(r"Facts checked on \d{4}-\d{2}-\d{2} against:", text):
        problems.append('no "Facts checked on YYYY-MM-DD against: ..." line')
    checks = [i for i, c in enumerate(nb.cells)
              if c.cell_type == "markdown" and re.search(r"^#+ .*Check yourself", c.source, re.M | re.I)]
    if not checks:
        problems.append('no "Check yourself" section')
    else:
        nxt = nb.cells[checks[0] + 1] if checks[0] + 1 < len(nb.cells) else None
        meta = (nxt or {}).get("metadata", {})
        collapsed = (nxt is not None and nxt.cell_type == "markdown"
                     and meta.get("jupyter", {}).get("source_hidden") is True
                     and "answers" in meta.get("tags", [])
                     and nxt.source.lstrip().startswith("**Answers**"))
        if not collapsed:
            problems.append('"Check yourself" is not followed by a collapsed answers cell (markdown, '
                            'metadata {"jupyter": {"source_hidden": true}, "tags": ["answers"]}, '
                            'starting with "**Answers**")')
    pictures = [c for c in nb.cells if c.cell_type == "code" and "architecture(" in c.source]
    if not pictures:
        problems.append("no architecture picture (a code cell calling `architecture(`)")
    elif not any("image/png" in o.get("data", {}) for c in pictures for o in c.get("outputs", [])):
        problems.append("the architecture cell has no stored image/png output (execute the notebook)")
    return problems


@pytest.mark.parametrize("nb_path", LESSONS, ids=_id)
def test_lesson_is_a_full_chapter(nb_path):
    problems = chapter_problems(_read(nb_path), nb_path.stem)
    assert not problems, f"{_id(nb_path)} is missing:\n- " + "\n- ".join(problems)


# ----------------------------------------------------------------------------- (c) consistency

_FOCUS = re.compile(r"FOCUS\s+(?:specification\s+)?\(?(?:version\s+)?(\d+\.\d+)", re.I)
# The billing data sets and how a lesson refers to each (its folder, or the helper that loads it).
BILLING_DATA = {
    "data/cost_analytics (focus_billing.csv)": re.compile(r"cost_analytics|focus_billing|finops\.billing"),
    "data/finops_estate (governance.bill)": re.compile(r"finops_estate|governance\.bill"),
}


def _all_source(nb) -> str:
    return "\n".join(c.source for c in nb.cells)


def test_one_focus_version_per_data_set():
    """A paragraph that names a billing data set and a FOCUS version names the data's version
    (a lesson may discuss other versions, e.g. AWS's FOCUS 1.0 export, in other paragraphs)."""
    named: dict[str, dict[str, set[str]]] = {k: {} for k in BILLING_DATA}
    want = facts.value("focus_version")
    for p in MARKDOWN_NOTEBOOKS:
        nb = _read(p)
        for para in _paragraphs("\n\n".join(_markdown(nb))):
            for data_set, pattern in BILLING_DATA.items():
                versions = set(_FOCUS.findall(para))
                if pattern.search(para) and versions:
                    key = want if want in versions else ", ".join(sorted(versions))
                    named[data_set].setdefault(key, set()).add(_id(p))
    problems = []
    for data_set, by_version in named.items():
        for v, ls in by_version.items():
            if v != want:
                problems.append(f"{data_set}: {', '.join(sorted(ls))} name only FOCUS {v} beside it; the "
                                f"data follows FOCUS {want} (mastery.facts focus_version)")
    assert not problems, "\n".join(problems)


_ALLOCATES = re.compile(r"\b(showback|chargeback|allocat\w*)\b", re.I)
_COST_COLUMN = re.compile(r"\b(BilledCost|EffectiveCost)\b")
_BASIS = re.compile(r"(?:Allocation basis:?\**:?|[Tt]his lesson allocates on)"
                    r"\s*`?(BilledCost|EffectiveCost)`?")


@pytest.mark.parametrize("nb_path", LESSONS, ids=_id)
def test_one_allocation_basis_per_allocating_lesson(nb_path):
    """A lesson that allocates cost with FOCUS cost columns states its basis once, as
    ``Allocation basis: BilledCost`` or ``Allocation basis: EffectiveCost``, and only one."""
    text = "\n".join(_markdown(_read(nb_path)))
    if not (_ALLOCATES.search(text) and _COST_COLUMN.search(text)):
        pytest.skip("does not allocate cost with FOCUS cost columns")
    bases = set(_BASIS.findall(text))
    assert len(bases) == 1, (f"{_id(nb_path)} allocates cost but states "
                             f"{'no' if not bases else 'more than one'} allocation basis "
                             f"({', '.join(sorted(bases)) or 'none'}): write one line "
                             "'Allocation basis: BilledCost' (cash) or 'Allocation basis: EffectiveCost' "
                             "(amortised) and say why")


def _paragraphs(text: str) -> list[str]:
    """Paragraphs, with each item of a list its own unit (a list of questions is many claims)."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        out += [p for p in re.split(r"\n(?=\s*(?:\d+\.|[-*])\s)", para) if p.strip()]
    return out


def fact_drift(markdown: str) -> list[str]:
    """Paragraphs of ``markdown`` that talk about a quantity of :mod:`mastery.facts` (every regex of
    ``Fact.mention`` matches) without stating the table's value (``Fact.says``)."""
    out = []
    for f in facts.FACTS.values():
        if not f.mention or not f.says:
            continue
        for para in _paragraphs(markdown):
            if f.unless and re.search(f.unless, para):
                continue
            if all(re.search(m, para) for m in f.mention) and not re.search(f.says, para):
                out.append(f"{f.name} = {f.value} ({f.unit}; {f.source}) not stated in: "
                           f"{' '.join(para.split())[:160]}")
    return out


def test_fact_rule_itself():
    assert fact_drift("the quota of registered state machines (10,000 by default)")
    assert not fact_drift("the quota of registered state machines (100,000 by default)")
    assert not fact_drift("nothing about quotas here")


def test_facts_table_is_cited():
    for f in facts.FACTS.values():
        assert f.source.startswith("https://"), f"{f.name}: source must be a URL"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", f.checked), f"{f.name}: checked must be a date"
        assert f.unit, f"{f.name}: no unit"


@pytest.mark.parametrize("nb_path", LESSONS, ids=_id)
def test_lesson_numbers_match_the_facts_table(nb_path):
    drift = fact_drift("\n\n".join(_markdown(_read(nb_path))))
    assert not drift, f"{_id(nb_path)} states a quantity of mastery.facts without its value:\n- " + \
        "\n- ".join(drift)
