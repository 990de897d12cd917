"""Week 2 — Sagas with Step Functions.

An orchestrated saga on Step Functions with compensations; two bugs of the seed code.

Plumbing for the lesson and the exercise (``shop``), never the learner's answer. Its tests live
in ``tests/weeks/w02_saga_step_functions/``.
"""
