"""Make data/pii_corpus/corpus.jsonl: 600 labelled support-ticket lines with planted PII
(SSNs, card numbers, e-mail addresses, US phone numbers) and look-alike decoys.

Seeded (seed 6): the same command writes the same bytes. The generator itself is
``dlp.make_corpus`` beside this module; graders call it with other seeds to make sets learners
never see.

    mastery data pii_corpus [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from mastery.weeks.w06_dlp_compliance import dlp

SEED, N = 6, 600


def write(out: Path) -> None:
    """Write ``pii_corpus/corpus.jsonl`` under ``out``."""
    dlp.write_corpus(dlp.make_corpus(seed=SEED, n=N), out / "pii_corpus" / "corpus.jsonl")
