"""Make data/pii_corpus/corpus.jsonl: 600 labelled support-ticket lines with planted PII
(SSNs, card numbers, e-mail addresses, US phone numbers) and look-alike decoys.

Seeded (seed 6): the same command writes the same bytes. The generator itself is
``mastery.dlp.make_corpus``; graders call it with other seeds to make sets learners never see.

    python data/make_pii_corpus.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from mastery import dlp  # noqa: E402

SEED, N = 6, 600


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder for pii_corpus/ (default: data/)")
    args = ap.parse_args(argv)
    path = dlp.write_corpus(dlp.make_corpus(seed=SEED, n=N), args.out / "pii_corpus" / "corpus.jsonl")
    print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
