"""Week 21 — Failure is the normal case.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w21_failure_is_normal/``.
"""

from mastery.weeks import Week

WEEK = Week(21, '21-failure-is-normal', 'Failure is the normal case',
            summary='TODO: what the learner builds',
            modules=('retries',))
