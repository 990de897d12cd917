"""Week 6 — Data-loss prevention and compliance.

PII detection with precision/recall, redaction, compliance scanning mapped to controls.

Plumbing for the lesson and the exercise (``dlp``, ``compliance``, and ``dataset``, the seeded
generator of data/pii_corpus/), never the learner's answer. Its tests live in
``tests/weeks/w06_dlp_compliance/``.
"""
