"""Week 2 — Sagas with Step Functions.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w02_saga_step_functions/``.
"""

from mastery.weeks import Week

WEEK = Week(2, '02-saga-step-functions', 'Sagas with Step Functions',
            summary='an orchestrated saga on Step Functions with compensations; two bugs of the seed code',
            modules=('shop',))
