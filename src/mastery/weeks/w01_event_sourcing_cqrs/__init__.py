"""Week 1 — Event sourcing and CQRS.

An event store with optimistic concurrency, replay, snapshots, an idempotent projection over
EventBridge → SQS.

Plumbing for the lesson and the exercise (``eventstore``), never the learner's answer. Its
tests live in ``tests/weeks/w01_event_sourcing_cqrs/``.
"""
