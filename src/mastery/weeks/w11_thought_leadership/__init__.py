"""Week 11–12 — Thought leadership.

An anti-pattern linter for SAM/CloudFormation templates, an ADR and a talk outline.

Plumbing for the lesson and the exercise (``templates``, and ``dataset``, the seeded generator
of data/templates/), never the learner's answer. Its tests live in
``tests/weeks/w11_thought_leadership/``.
"""
