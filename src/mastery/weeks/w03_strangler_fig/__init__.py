"""Week 3 — The strangler fig.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w03_strangler_fig/``.
"""

from mastery.weeks import Week

WEEK = Week(3, '03-strangler-fig', 'The strangler fig',
            summary='route-by-route migration, a mainframe-record translator, counted fallback',
            modules=('strangler',),
            datasets=('mainframe_orders',))
