"""Week 17 — Streams and how Lambda reads them (month 5 capstone: IoT telemetry).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w17_streams_and_lambda/``.
The event source mapping runner the week relies on is :mod:`mastery.esm` (one for the course).
"""

from mastery.weeks import Week

WEEK = Week(17, '17-streams-and-lambda', 'Streams and how Lambda reads them',
            summary='a Kinesis telemetry processor with exactly-once effects: duplicates, '
                    'late and poison records, throttles and crashes',
            modules=('telemetry',))
