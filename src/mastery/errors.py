"""The course's one error base: a message that names the fix.

Every error the course raises on purpose for a person to read (a backend that is down, a bad
roster, a broken submission, an exchange problem) subclasses :class:`MasteryError`, so the
``mastery`` command has one handler that prints the message and exits 1, with no traceback.
"""

from __future__ import annotations


class MasteryError(Exception):
    """An error whose message says what went wrong and what to do about it."""
