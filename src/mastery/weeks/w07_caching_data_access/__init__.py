"""Week 7 — Multi-layer caching and data access.

L1/L2/L3 read-through cache, single-flight, single-table design.

Plumbing for the lesson and the exercise (``caching``, and ``dataset``, the seeded generator of
data/caching/), never the learner's answer. Its tests live in
``tests/weeks/w07_caching_data_access/``.
"""
