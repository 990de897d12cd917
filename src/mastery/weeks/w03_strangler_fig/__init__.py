"""Week 3 — The strangler fig.

Route-by-route migration, a mainframe-record translator, counted fallback.

Plumbing for the lesson and the exercise (``strangler``, and ``dataset``, the seeded generator
of data/mainframe_orders/), never the learner's answer. Its tests live in
``tests/weeks/w03_strangler_fig/``.
"""
