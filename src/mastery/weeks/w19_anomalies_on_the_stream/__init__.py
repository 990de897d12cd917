"""Week 19 — Anomalies and ML on the stream (month 5 capstone: IoT telemetry).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w19_anomalies_on_the_stream/``.
The event source mapping runner is :mod:`mastery.esm`, the telemetry week 17's
:mod:`~mastery.weeks.w17_streams_and_lambda.telemetry`; this week plants anomalies in it and
states the detector's rule (:mod:`.anomalies`), and puts a model behind a SageMaker-runtime-shaped
port (:mod:`.scoring`).
"""

from mastery.weeks import Week

WEEK = Week(19, '19-anomalies-on-the-stream', 'Anomalies and ML on the stream',
            summary='per-device robust (median/MAD) anomaly alerts on the telemetry stream to SQS, '
                    'suppressed per device, exactly once under retries, duplicates and throttling',
            modules=('anomalies', 'scoring'))
