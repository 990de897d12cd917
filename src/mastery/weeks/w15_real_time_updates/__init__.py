"""Week 15 — Real-time updates (month 4 capstone: task changes to each tenant's subscribers).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w15_real_time_updates/``.
The stream runner is :mod:`mastery.esm` (one for the course); the tenant model, the task table
and the seeded multi-tenant workload are week 13's (:mod:`mastery.weeks.w13_multi_tenant.tenancy`).
"""

from mastery.weeks import Week

WEEK = Week(15, '15-real-time-updates', 'Real-time updates',
            summary='task changes from a DynamoDB stream to exactly their tenant\'s WebSocket '
                    'connections: in order per task, once per redelivery, a failing connection '
                    'isolated, and a cursor-based catch-up',
            modules=('realtime',))
