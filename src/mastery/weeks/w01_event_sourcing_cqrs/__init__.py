"""Week 1 — Event sourcing and CQRS.

Plumbing only (never the learner's answer); tests in ``tests/weeks/w01_event_sourcing_cqrs/``.
"""

from mastery.weeks import Week

WEEK = Week(1, '01-event-sourcing-cqrs', 'Event sourcing and CQRS',
            summary=('an event store with optimistic concurrency, replay, snapshots, '
             'an idempotent projection over EventBridge → SQS'),
            modules=('eventstore',))
