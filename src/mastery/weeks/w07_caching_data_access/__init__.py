"""Week 7 — Multi-layer caching and data access.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w07_caching_data_access/``.
"""

from mastery.weeks import Week

WEEK = Week(7, '07-caching-data-access', 'Multi-layer caching and data access',
            summary='L1/L2/L3 read-through cache, single-flight, single-table design',
            modules=('caching',),
            datasets=('caching',))
