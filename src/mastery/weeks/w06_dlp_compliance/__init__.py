"""Week 6 — Data-loss prevention and compliance.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w06_dlp_compliance/``.
"""

from mastery.weeks import Week

WEEK = Week(6, '06-dlp-compliance', 'Data-loss prevention and compliance',
            summary='PII detection with precision/recall, redaction, compliance scanning mapped to controls',
            modules=('dlp', 'compliance'),
            datasets=('pii_corpus',))
