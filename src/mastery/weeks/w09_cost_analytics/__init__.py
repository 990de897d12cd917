"""Week 9 — Cost analytics.

FOCUS billing analysis, the Lambda cost model, power tuning, break-even, anomalies.

Plumbing for the lesson and the exercise (``finops``, and ``dataset``, the seeded generator of
data/cost_analytics/), never the learner's answer. Its tests live in
``tests/weeks/w09_cost_analytics/``.
"""
