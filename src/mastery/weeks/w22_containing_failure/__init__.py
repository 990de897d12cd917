"""Week 22 — Containing failure (month 6 capstone: resilience on a trading workflow).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w22_containing_failure/``.
Fault scripts, the breaker's error and counted-failure rule, and SQS read-backs live in
:mod:`.breakers`; the simulated clock and error constructors are week 21's
(:mod:`mastery.weeks.w21_failure_is_normal.retries`), the SQS poller is :mod:`mastery.esm`.
"""

from mastery.weeks import Week

WEEK = Week(22, '22-containing-failure', 'Containing failure',
            summary='a circuit breaker on an injectable clock (threshold, fail fast, one half-open '
                    'probe); an SQS consumer whose poison messages reach the DLQ without blocking the '
                    'others, and a redrive that loses and duplicates none',
            modules=('breakers',))
