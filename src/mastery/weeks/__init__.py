"""The course's weeks: one package each, and :data:`WEEKS`, the one table of them.

A week is four places, each named after the lesson's notebook stem (``02-saga-step-functions``):

* the lesson ``notebooks/month-MM/<stem>.ipynb``;
* the graded exercise ``solutions/month-MM/<stem>.ipynb`` (``exercises/`` is generated from it);
* this package's ``w<stem with _>/`` (plumbing modules, and ``dataset.py`` if the week has data);
* the tests ``tests/weeks/w<stem with _>/`` (``test_*.py`` and ``wrong_answers/*.patch``).

``mastery new-week NN-slug`` writes all four. Each package declares its ``WEEK`` (number, title,
modules, data sets); :data:`WEEKS` is collected from them, and everything else (the month a
week belongs to, the course tests, the data sync test, the README's table) derives from it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

WEEKS_PER_MONTH = 4


@dataclass(frozen=True)
class Week:
    number: int
    stem: str  # the notebook's file stem, e.g. "02-saga-step-functions"
    title: str
    summary: str
    modules: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()  # folders under data/ that ``dataset.write`` makes
    last: int | None = None  # a lesson that spans weeks (11–12) names its last week

    @property
    def package(self) -> str:
        """``w02_saga_step_functions``: the package under ``mastery.weeks`` and ``tests/weeks``."""
        return "w" + self.stem.replace("-", "_")

    @property
    def month(self) -> str:
        """The nbgrader assignment (a month) this week's notebooks belong to."""
        return f"month-{(self.number - 1) // WEEKS_PER_MONTH + 1:02d}"

    @property
    def notebook(self) -> str:
        return self.stem + ".ipynb"

    @property
    def weeks(self) -> str:
        return f"{self.number}–{self.last}" if self.last else str(self.number)

    def module(self, name: str | None = None) -> ModuleType:
        """The week's package, or one of its modules (``dataset``, ``shop``, ...)."""
        return importlib.import_module(f"mastery.weeks.{self.package}" + (f".{name}" if name else ""))


def _discover() -> tuple[Week, ...]:
    """Every ``w<NN>_*`` package here declares ``WEEK``; the table is what they declare."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg and info.name[:1] == "w" and info.name[1:3].isdigit():
            week = importlib.import_module(f"{__name__}.{info.name}").WEEK
            if week.package != info.name:
                raise ImportError(f"mastery.weeks.{info.name} declares the stem {week.stem!r}: "
                                  f"its package must be named {week.package}")
            found.append(week)
    return tuple(sorted(found, key=lambda w: w.number))


WEEKS: tuple[Week, ...] = _discover()


def by_stem(stem: str) -> Week:
    stem = stem.removesuffix(".ipynb")
    for w in WEEKS:
        if w.stem == stem:
            return w
    raise KeyError(f"no week has the notebook stem {stem!r}; the weeks are in mastery.weeks.WEEKS")


def by_dataset(name: str) -> Week:
    for w in WEEKS:
        if name in w.datasets:
            return w
    known = sorted(d for w in WEEKS for d in w.datasets)
    raise KeyError(f"no week makes the data set {name!r}; known: {', '.join(known)}")


def months() -> list[str]:
    return sorted({w.month for w in WEEKS})


_MONTH_THEMES = {"month-01": "patterns", "month-02": "security and performance",
                 "month-03": "economics and authority", "month-04": "capstone: multi-tenant SaaS",
                 "month-05": "capstone: IoT telemetry", "month-06": "capstone: resilience"}
README_BEGIN = "<!-- weeks table: generated from mastery.weeks.WEEKS by `python -m mastery.weeks` -->"
README_END = "<!-- end of weeks table -->"


def readme_table() -> str:
    """The README's table of weeks, made from :data:`WEEKS` (``python -m mastery.weeks`` writes it)."""
    rows = ["| month | week | lesson (`notebooks/`) and graded exercise (`exercises/`) |", "|---|---|---|"]
    seen = set()
    for w in WEEKS:
        month = "" if w.month in seen else f"{int(w.month[-2:])} · {_MONTH_THEMES.get(w.month, 'capstone')}"
        seen.add(w.month)
        rows.append(f"| {month} | {w.weeks} | `{w.month}/{w.stem}` — {w.summary} |")
    return "\n".join([README_BEGIN, *rows, README_END])
