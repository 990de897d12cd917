"""Week 4 — Canary releases.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w04_canary_releases/``.
"""

from mastery.weeks import Week

WEEK = Week(4, '04-canary-releases', 'Canary releases',
            summary='sticky assignment, statistical canary analysis, Lambda alias weights',
            modules=('canary',),
            datasets=('canary_traffic',))
