"""Week 21 — Failure is the normal case (month 6 capstone: resilience on a trading workflow).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w21_failure_is_normal/``.
Retries, budgets and the exchange live in :mod:`.retries` (the course's one home for them);
DynamoDB faults come from :mod:`mastery.faults`, queue redelivery from :mod:`mastery.esm`.
"""

from mastery.weeks import Week

WEEK = Week(21, '21-failure-is-normal', 'Failure is the normal case',
            summary='capped exponential backoff with full jitter, an attempt cap and a retry budget; '
                    'an idempotent order API whose key fills once across duplicates, processes, '
                    'lost replies and crashes',
            modules=('retries',))
