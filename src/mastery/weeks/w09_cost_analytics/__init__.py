"""Week 9 — Cost analytics.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w09_cost_analytics/``.
"""

from mastery.weeks import Week

WEEK = Week(9, '09-cost-analytics', 'Cost analytics',
            summary='FOCUS billing analysis, the Lambda cost model, power tuning, break-even, anomalies',
            modules=('finops',),
            datasets=('cost_analytics',))
