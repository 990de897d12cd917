"""Week 10 — FinOps governance.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w10_finops_governance/``.
"""

from mastery.weeks import Week

WEEK = Week(10, '10-finops-governance', 'FinOps governance',
            summary='tag compliance, budgets, lifecycle rules, approval thresholds, showback',
            modules=('governance',),
            datasets=('finops_estate',))
