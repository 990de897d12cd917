"""Week 5 — Zero trust.

JWT validation per RFC 8725, key rotation, KMS envelope encryption, secret rotation.

Plumbing for the lesson and the exercise (``zerotrust``), never the learner's answer. Its tests
live in ``tests/weeks/w05_zero_trust/``.
"""
