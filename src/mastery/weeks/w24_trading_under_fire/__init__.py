"""Week 24 — The trading workflow under fire (month 6 capstone: resilience on a trading workflow).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w24_trading_under_fire/``.
The hash-chained audit trail and its verifier, the settlement ledger, the seeded order stream and
fault schedules, the fragile workflow and the resilience scorecard live in :mod:`.trading`; the
simulated clock and the exchange are week 21's, the breaker's rules and SQS helpers week 22's.
"""

from mastery.weeks import Week

WEEK = Week(24, '24-trading-under-fire', 'The trading workflow under fire',
            summary='the order workflow (intake, risk, execution, settlement) hardened and scored from '
                    'the backend: idempotent end to end, retries at one layer with full jitter, a breaker '
                    'that closes, load shed with a retryable error, a DLQ redriven, a hash-chained audit '
                    'trail written before and after each effect',
            modules=('trading',))
