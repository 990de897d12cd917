"""Week 4 — Canary releases.

Sticky assignment, statistical canary analysis, Lambda alias weights.

Plumbing for the lesson and the exercise (``canary``, and ``dataset``, the seeded generator of
data/canary_traffic/), never the learner's answer. Its tests live in
``tests/weeks/w04_canary_releases/``.
"""
