"""Week 5 — Zero trust.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w05_zero_trust/``.
"""

from mastery.weeks import Week

WEEK = Week(5, '05-zero-trust', 'Zero trust',
            summary='JWT validation per RFC 8725, key rotation, KMS envelope encryption, secret rotation',
            modules=('zerotrust',))
