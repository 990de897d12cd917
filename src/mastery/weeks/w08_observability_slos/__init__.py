"""Week 8 — Observability and SLOs.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w08_observability_slos/``.
"""

from mastery.weeks import Week

WEEK = Week(8, '08-observability-slos', 'Observability and SLOs',
            summary='OpenTelemetry spans, EMF metrics, error budgets, multi-window burn-rate alerts',
            modules=('telemetry', 'slo'),
            datasets=('request_logs',))
