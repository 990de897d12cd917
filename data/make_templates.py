"""Make data/templates/: serverless SAM templates for the anti-pattern linter (month 3, weeks
11-12): four clean ones, one per planted anti-pattern, and one with all of them, plus
``manifest.json`` listing every expected finding as (rule, resource, line).

Seeded (seeds 1101-1119): the same command writes the same bytes. The generator itself is
``mastery.templates.make_template``; graders call it with other seeds to make templates
learners never see.

    python data/make_templates.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from mastery import templates  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder for templates/ (default: data/)")
    args = ap.parse_args(argv)
    written = templates.write_fixtures(args.out / "templates")
    size = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files to {args.out / 'templates'} ({size} bytes)")


if __name__ == "__main__":
    main()
