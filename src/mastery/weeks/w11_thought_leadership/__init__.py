"""Week 11–12 — Thought leadership.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w11_thought_leadership/``.
"""

from mastery.weeks import Week

WEEK = Week(11, '11-thought-leadership', 'Thought leadership',
            summary='an anti-pattern linter for SAM/CloudFormation templates, an ADR and a talk outline',
            modules=('templates',),
            datasets=('templates',),
            last=12)
