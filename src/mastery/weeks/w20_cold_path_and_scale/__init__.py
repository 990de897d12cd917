"""Week 20 — The cold path and scale (month 5 capstone: IoT telemetry).

Plumbing only (never the learner's answer); tests in ``tests/weeks/w20_cold_path_and_scale/``.
The telemetry is week 17's (:mod:`~mastery.weeks.w17_streams_and_lambda.telemetry`), the event
source mapping runner :mod:`mastery.esm`, the aggregate read-back :func:`mastery.aws.items_by_key`;
this week adds what Firehose delivers to S3, what the Parquet lake must hold, the hot path's
per-device-per-day handler and the 1 TB/day arithmetic (:mod:`.coldpath`).
"""

from mastery.weeks import Week

WEEK = Week(20, '20-cold-path-and-scale', 'The cold path and scale',
            summary='the cold path: Firehose JSON lines compacted to Parquet by UTC event day '
                    '(deduplicated, malformed lines kept, idempotent, paged) and a DuckDB query '
                    'equal to the hot path',
            modules=('coldpath',))
