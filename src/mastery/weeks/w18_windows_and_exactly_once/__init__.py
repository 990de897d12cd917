"""Week 18 — Windows, time and exactly-once (month 5 capstone: IoT telemetry).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w18_windows_and_exactly_once/``.
The event source mapping runner (with Lambda's tumbling windows) is :mod:`mastery.esm`, the
telemetry records week 17's :mod:`~mastery.weeks.w17_streams_and_lambda.telemetry`; this week adds
event-time windows over them (:mod:`.windows`).
"""

from mastery.weeks import Week

WEEK = Week(18, '18-windows-and-exactly-once', 'Windows, time and exactly-once',
            summary='per-device event-time windows in DynamoDB with exactly-once effects: replays, '
                    'producer duplicates, retried batches, crashes, late data and skewed clocks',
            modules=('windows',))
