"""``python -m mastery.weeks``: rewrite the README's table of weeks from :data:`WEEKS`."""

from __future__ import annotations

import re

from mastery import paths
from mastery.weeks import README_BEGIN, README_END, readme_table

readme = paths.course_root() / "README.md"
text = readme.read_text()
block = re.compile(re.escape(README_BEGIN) + r".*?" + re.escape(README_END), re.S)
if not block.search(text):
    raise SystemExit(f"{readme}: no weeks table between {README_BEGIN!r} and {README_END!r}")
readme.write_text(block.sub(lambda _: readme_table(), text))
print(f"wrote the weeks table of {readme}")
