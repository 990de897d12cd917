"""Week 10 — FinOps governance.

Tag compliance, budgets, lifecycle rules, approval thresholds, showback.

Plumbing for the lesson and the exercise (``governance``, and ``dataset``, the seeded generator
of data/finops_estate/), never the learner's answer. Its tests live in
``tests/weeks/w10_finops_governance/``.
"""
