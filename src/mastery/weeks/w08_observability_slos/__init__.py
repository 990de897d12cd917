"""Week 8 — Observability and SLOs.

OpenTelemetry spans, EMF metrics, error budgets, multi-window burn-rate alerts.

Plumbing for the lesson and the exercise (``telemetry``, ``slo``, and ``dataset``, the seeded
generator of data/request_logs/), never the learner's answer. Its tests live in
``tests/weeks/w08_observability_slos/``.
"""
