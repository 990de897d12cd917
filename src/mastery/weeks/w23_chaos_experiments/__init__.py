"""Week 23 — Chaos experiments (month 6 capstone: resilience on a trading workflow).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w23_chaos_experiments/``.
The fleet of tagged functions with their SSM fault parameters, the FIS action catalogue the
course's injector understands, counting/throttling SSM clients and clocks that trip an alarm live
in :mod:`.chaos`; the simulated clock and the error constructors are week 21's
(:mod:`mastery.weeks.w21_failure_is_normal.retries`); DynamoDB faults on the emulator itself are
:mod:`mastery.faults` (the one injector of the course's backend).
"""

from mastery.weeks import Week

WEEK = Week(23, '23-chaos-experiments', 'Chaos experiments',
            summary='a fault-injection wrapper controlled by an SSM parameter (seeded, cached for a '
                    'TTL, failing safe) and an experiment runner that carries out an FIS template: '
                    'targets by tags and selection mode, a stop condition, the parameter always restored',
            modules=('chaos',))
