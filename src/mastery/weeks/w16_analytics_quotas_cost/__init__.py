"""Week 16 — Analytics, quotas and cost per tenant (month 4 capstone: the task platform's economics).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w16_analytics_quotas_cost/``.
Tenancy (verified tenant context, the tenant-partitioned table) is week 13's
:mod:`~mastery.weeks.w13_multi_tenant.tenancy`; prices are :mod:`mastery.facts` (week 9's cost model
uses the same).
"""

from mastery.weeks import Week

WEEK = Week(16, '16-analytics-quotas-cost', 'Analytics, quotas and cost per tenant',
            summary='per-tenant token buckets and monthly quotas on DynamoDB, cost per tenant in '
                    'Decimal from metered usage, write sharding of a hot tenant, one domain core '
                    'behind an EventBridge and a CloudEvents adapter',
            modules=('metering',))
