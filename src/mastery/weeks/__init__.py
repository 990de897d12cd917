"""The course's weeks: one package each, and :data:`WEEKS`, the one table of them.

A week is four places, each named after the lesson's notebook stem (``02-saga-step-functions``):

* the lesson ``notebooks/month-MM/<stem>.ipynb``;
* the graded exercise ``solutions/month-MM/<stem>.ipynb`` (``exercises/`` is generated from it);
* this package's ``w<stem with _>/`` (plumbing modules, and ``dataset.py`` if the week has data);
* the tests ``tests/weeks/w<stem with _>/`` (``test_*.py`` and ``wrong_answers/*.patch``).

``mastery new-week NN-slug`` writes all four. Everything else (the month a week belongs to, the
course tests, the data sync test, the README's table) is derived from :data:`WEEKS`.
"""

from __future__ import annotations

import importlib
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


WEEKS: tuple[Week, ...] = (
    Week(1, '01-event-sourcing-cqrs', 'Event sourcing and CQRS',
         'an event store with optimistic concurrency, replay, snapshots, '
         'an idempotent projection over EventBridge → SQS',
         modules=('eventstore',), datasets=()),
    Week(2, '02-saga-step-functions', 'Sagas with Step Functions',
         'an orchestrated saga on Step Functions with compensations; two bugs of the seed code',
         modules=('shop',), datasets=()),
    Week(3, '03-strangler-fig', 'The strangler fig',
         'route-by-route migration, a mainframe-record translator, counted fallback',
         modules=('strangler',), datasets=('mainframe_orders',)),
    Week(4, '04-canary-releases', 'Canary releases',
         'sticky assignment, statistical canary analysis, Lambda alias weights',
         modules=('canary',), datasets=('canary_traffic',)),
    Week(5, '05-zero-trust', 'Zero trust',
         'JWT validation per RFC 8725, key rotation, KMS envelope encryption, secret rotation',
         modules=('zerotrust',), datasets=()),
    Week(6, '06-dlp-compliance', 'Data-loss prevention and compliance',
         'PII detection with precision/recall, redaction, compliance scanning mapped to controls',
         modules=('dlp', 'compliance'), datasets=('pii_corpus',)),
    Week(7, '07-caching-data-access', 'Multi-layer caching and data access',
         'L1/L2/L3 read-through cache, single-flight, single-table design',
         modules=('caching',), datasets=('caching',)),
    Week(8, '08-observability-slos', 'Observability and SLOs',
         'OpenTelemetry spans, EMF metrics, error budgets, multi-window burn-rate alerts',
         modules=('telemetry', 'slo'), datasets=('request_logs',)),
    Week(9, '09-cost-analytics', 'Cost analytics',
         'FOCUS billing analysis, the Lambda cost model, power tuning, break-even, anomalies',
         modules=('finops',), datasets=('cost_analytics',)),
    Week(10, '10-finops-governance', 'FinOps governance',
         'tag compliance, budgets, lifecycle rules, approval thresholds, showback',
         modules=('governance',), datasets=('finops_estate',)),
    Week(11, '11-thought-leadership', 'Thought leadership',
         'an anti-pattern linter for SAM/CloudFormation templates, an ADR and a talk outline',
         modules=('templates',), datasets=('templates',), last=12),
)


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
