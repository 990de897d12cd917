"""Plumbing for the data-loss-prevention week: a labelled PII corpus, and how to score a detector.

* :func:`make_corpus` writes short support-ticket and log lines with planted PII (US social
  security numbers, payment card numbers, e-mail addresses, US phone numbers) and *decoys* that
  look like PII but are not (SSNs the SSA never issues, card numbers failing the Luhn check,
  phone numbers no NANP area code can have, e-mail look-alikes). Every PII item is labelled
  with its exact character span; decoys are not labelled. The same seed gives the same corpus.
* :func:`evaluate` scores any ``detect(text) -> [(kind, start, end), ...]`` function against a
  corpus by exact span match (as CoNLL scores named entities), per kind: precision, recall, F1;
  :func:`confusion` counts which kind was predicted for which labelled kind, and
  :func:`plot_confusion` draws it.

Detecting PII is the learner's job: this module only makes data and keeps score.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

KINDS = ("ssn", "card", "email", "phone")
NONE = "none"

# ---------------------------------------------------------------- rules of real formats
# The exercise's detector uses these; they are facts about the formats, not an answer.

#: SSNs the SSA voided after they were printed on public material: 078-05-1120 (the
#: "Woolworth wallet" card, 1938) and 219-09-9999 (an SSA advertisement, 1940). Never PII.
VOIDED_SSNS = frozenset({"078051120", "219099999"})

#: Payment card brands by issuer identification number (IIN) range and length, from the
#: networks' published IIN tables (ISO/IEC 7812-1 numbering): (brand, lowest prefix, highest
#: prefix, allowed lengths). A number is a card of a brand when its first ``len(lowest)``
#: digits lie in ``[lowest, highest]`` and its length is allowed. Anything else (an IMEI,
#: an order id, a tracking number, all zeros) is not a card number, whatever Luhn says.
CARD_BRANDS = (
    ("visa", "4", "4", (13, 16, 19)),
    ("mastercard", "51", "55", (16,)),
    ("mastercard", "2221", "2720", (16,)),
    ("amex", "34", "34", (15,)),
    ("amex", "37", "37", (15,)),
    ("discover", "6011", "6011", (16, 17, 18, 19)),
    ("discover", "644", "649", (16, 17, 18, 19)),
    ("discover", "65", "65", (16, 17, 18, 19)),
    ("diners", "36", "36", (14, 15, 16, 17, 18, 19)),
    ("diners", "300", "305", (14, 15, 16, 17, 18, 19)),
    ("jcb", "3528", "3589", (16, 17, 18, 19)),
    ("unionpay", "62", "62", (16, 17, 18, 19)),
)

#: File-name endings that look like a domain's last label in ``name@2x.png`` (the retina
#: asset convention) and similar: a "domain" ending in one of them is a file name.
FILE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff",
                             "pdf", "css", "js", "json", "txt", "csv", "html", "xml"})


def card_brand(digits: str) -> str | None:
    """The brand whose IIN range and length ``digits`` (digits only) fit, or None."""
    for brand, low, high, lengths in CARD_BRANDS:
        if len(digits) in lengths and low <= digits[:len(low)] <= high:
            return brand
    return None


class Span(NamedTuple):
    """One PII item: its kind and the half-open character range ``text[start:end]``."""

    kind: str
    start: int
    end: int


# ------------------------------------------------------------------------ value makers
# Each maker returns (text, is_pii). Decoys share the templates with real values, so
# context words cannot tell them apart: only the validity rules can.


def _ssn(rng: random.Random) -> str:
    """A number the SSA could issue: area 001-899 except 666, group 01-99, serial 0001-9999."""
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def _bad_ssn(rng: random.Random) -> str:
    """SSN-shaped but never issued: area 000, 666 or 9xx, group 00, or serial 0000."""
    area, group, serial = int(_ssn(rng)[:3]), rng.randint(1, 99), rng.randint(1, 9999)
    rule = rng.choice(["area000", "area666", "area9xx", "group00", "serial0000"])
    if rule == "area000":
        area = 0
    elif rule == "area666":
        area = 666
    elif rule == "area9xx":
        area = rng.randint(900, 999)
    elif rule == "group00":
        group = 0
    else:
        serial = 0
    return f"{area:03d}-{group:02d}-{serial:04d}"


def _luhn_check_digit(body: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these digits are doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10


_BRANDS = [("4", 16), ("51", 16), ("52", 16), ("53", 16), ("54", 16), ("55", 16),
           ("6011", 16), ("34", 15), ("37", 15)]


def _card_digits(rng: random.Random, valid: bool) -> str:
    prefix, length = rng.choice(_BRANDS)
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    check = _luhn_check_digit(body)
    if not valid:
        check = (check + rng.randint(1, 9)) % 10
    return body + str(check)


def _format_card(rng: random.Random, digits: str) -> str:
    sep = rng.choice([" ", "-", ""])
    groups = (4, 6, 5) if len(digits) == 15 else (4, 4, 4, 4)
    out, i = [], 0
    for g in groups:
        out.append(digits[i:i + g])
        i += g
    return sep.join(out)


_FIRST = ["ann", "bob", "carla", "dev", "emma", "farid", "grace", "hiro", "ines", "jonas", "kofi", "lena"]
_LAST = ["smith", "okafor", "novak", "garcia", "chen", "muller", "rossi", "khan", "silva", "berg"]
_DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "shop.example.io", "example.co.uk"]


def _email(rng: random.Random) -> str:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    local = rng.choice([f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first}_{last}",
                        f"{first}+billing", f"{first[0]}.{last}-{rng.randint(1, 9)}"])
    return f"{local}@{rng.choice(_DOMAINS)}"


def _bad_email(rng: random.Random) -> str:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    dom = rng.choice(_DOMAINS)
    return rng.choice([f"@{first}_{last}", f"{first} at {dom.replace('.', ' dot ')}",
                       f"{first}(at){dom}", f"{last}.{first}.pdf", f"{first}@@{dom}"])


def _nanp(rng: random.Random, valid: bool) -> tuple[str, str, str]:
    """NANP: area code and exchange both start with 2-9 (NXX); a decoy breaks one of them."""
    area = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    exch = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    if not valid:
        bad = f"{rng.randint(0, 1)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        area, exch = (bad, exch) if rng.random() < 0.5 else (area, bad)
    return area, exch, f"{rng.randint(0, 9999):04d}"


def _format_phone(rng: random.Random, a: str, e: str, s: str) -> str:
    return rng.choice([f"({a}) {e}-{s}", f"{a}-{e}-{s}", f"{a}.{e}.{s}", f"+1 {a} {e} {s}",
                       f"+1-{a}-{e}-{s}"])


def _value(rng: random.Random, kind: str, valid: bool) -> str:
    if kind == "ssn":
        return _ssn(rng) if valid else _bad_ssn(rng)
    if kind == "card":
        return _format_card(rng, _card_digits(rng, valid))
    if kind == "email":
        return _email(rng) if valid else _bad_email(rng)
    return _format_phone(rng, *_nanp(rng, valid))


_TEMPLATES = [
    "Customer asked us to update {pii} on file.",
    "Ticket {n}: caller gave {pii} and wants a callback.",
    "Please verify {pii} before the refund of ${amt}.",
    "[{ts}] INFO payment-svc request_id={rid} value={pii}",
    "note from agent: {pii} (checked twice)",
    "Form field 'contact' = {pii} ; source=web",
    "Escalated: the value {pii} appears in the export of {date}.",
    "Reply-to {pii} re: order #A-{n}",
]
_NOISE = [
    "Order #A-{n} shipped on {date} from zip 94103-1234.",
    "[{ts}] WARN cache miss ratio 0.{n3} on node 10.20.{n3}.4",
    "ISBN 978-3-16-148410-0 is back in stock; version v2.{n3}.1 deployed.",
    "Amount $1,{n3}.50 charged at {ts}; tracking ref 1Z{n}{n3}.",
    "Meeting moved to {date} 14:30, room 4-{n3}.",
]


def _fill(rng: random.Random, template: str) -> str:
    return template.format_map({
        "n": str(rng.randint(10000, 99999)), "n3": str(rng.randint(100, 999)),
        "amt": f"{rng.randint(5, 900)}.{rng.randint(0, 99):02d}",
        "ts": (f"2026-0{rng.randint(1, 9)}-{rng.randint(10, 28)}"
               f"T{rng.randint(10, 23)}:{rng.randint(10, 59)}:07Z"),
        "rid": f"{rng.getrandbits(32):08x}",
        "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "pii": "\x00",
    })


def make_corpus(seed: int = 6, n: int = 600, valid_share: float = 0.7) -> list[dict]:
    """``n`` labelled records ``{"id", "text", "spans": [[kind, start, end], ...]}``.

    Each record holds one to three sentences; a sentence carries a PII value (labelled), a
    decoy of the same kind (unlabelled, about ``1 - valid_share`` of them) or no slot at all.
    """
    rng = random.Random(seed)
    records = []
    for i in range(n):
        text, spans = "", []
        for _ in range(rng.randint(1, 3)):
            if text:
                text += " "
            if rng.random() < 0.15:
                text += _fill(rng, rng.choice(_NOISE))
                continue
            kind, valid = rng.choice(KINDS), rng.random() < valid_share
            value = _value(rng, kind, valid)
            before, after = _fill(rng, rng.choice(_TEMPLATES)).split("\x00")
            start = len(text) + len(before)
            text += before + value + after
            if valid:
                spans.append([kind, start, start + len(value)])
        records.append({"id": f"r{seed}-{i:04d}", "text": text, "spans": spans})
    return records


def write_corpus(records: Iterable[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def load_real_formats() -> list[dict]:
    """The labelled real-format set (``realworld.py``): records like :func:`make_corpus`'s, each
    with a ``source`` saying where its format (and any public test value) comes from."""
    from mastery.weeks.w06_dlp_compliance import realworld

    return realworld.records()


def load_corpus(relative: str = "pii_corpus/corpus.jsonl") -> list[dict]:
    """The committed corpus in ``data/`` (made by ``data/make_pii_corpus.py``)."""
    from mastery import data

    return [json.loads(line) for line in data.path(relative).read_text(encoding="utf-8").splitlines()]


# ----------------------------------------------------------------------------- scoring

Detector = Callable[[str], Iterable]


def _spans(found) -> set[Span]:
    out = set()
    for s in found:
        kind, start, end = s[0], int(s[1]), int(s[2])
        out.add(Span(kind, start, end))
    return out


def _pairs(detect: Detector, corpus: Iterable[dict]):
    """Per record: (gold spans, predicted spans)."""
    for r in corpus:
        yield _spans(r["spans"]), _spans(detect(r["text"]))


def evaluate(detect: Detector, corpus: Iterable[dict]):
    """Exact-match scores per kind and overall ("all"): tp, fp, fn, precision, recall, f1.

    A prediction is a true positive only when kind, start and end all equal a label's.
    Precision is 1.0 when nothing was predicted, recall 1.0 when nothing was labelled.
    """
    import pandas as pd

    counts = {k: [0, 0, 0] for k in (*KINDS, "all")}
    for gold, pred in _pairs(detect, corpus):
        for k in (*KINDS, "all"):
            g = gold if k == "all" else {s for s in gold if s.kind == k}
            p = pred if k == "all" else {s for s in pred if s.kind == k}
            counts[k][0] += len(g & p)
            counts[k][1] += len(p - g)
            counts[k][2] += len(g - p)
    rows = []
    for k, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"kind": k, "tp": tp, "fp": fp, "fn": fn,
                     "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)})
    return pd.DataFrame(rows).set_index("kind")


def confusion(detect: Detector, corpus: Iterable[dict]):
    """Counts of (labelled kind or "none") × (predicted kind or "none"), matching by position.

    A labelled span the detector missed counts as predicted "none"; a predicted span at a
    position nobody labelled counts as labelled "none". The ("none", "none") cell is empty:
    text that is not PII and was not flagged is not countable.
    """
    import pandas as pd

    labels = [*KINDS, NONE]
    m = pd.DataFrame(0, index=pd.Index(labels, name="labelled"), columns=pd.Index(labels, name="predicted"))
    for gold, pred in _pairs(detect, corpus):
        by_pos = {(s.start, s.end): s.kind for s in pred}
        gold_pos = {(s.start, s.end) for s in gold}
        for s in gold:
            m.loc[s.kind, by_pos.get((s.start, s.end), NONE)] += 1
        for s in pred:
            if (s.start, s.end) not in gold_pos:
                m.loc[NONE, s.kind] += 1
    return m


def plot_confusion(matrix, title: str = "", ax=None):
    """A heat map of :func:`confusion`'s table, with the count in every cell."""
    import matplotlib.pyplot as plt
    import numpy as np

    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.2))
    values = matrix.to_numpy()
    shown = np.log1p(values)
    ax.imshow(shown, cmap="Blues")
    ax.set_xticks(range(len(matrix.columns)), matrix.columns)
    ax.set_yticks(range(len(matrix.index)), matrix.index)
    ax.set_xlabel("predicted")
    ax.set_ylabel("labelled")
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            dark = shown[i, j] > shown.max() * 0.6
            wrong = i != j and v
            color = ("#ffcdc4" if dark else "#c0392b") if wrong else ("white" if dark else "black")
            ax.text(j, i, str(v), ha="center", va="center", color=color,
                    fontweight="bold" if wrong else "normal")
    ax.set_title(title)
    return ax
