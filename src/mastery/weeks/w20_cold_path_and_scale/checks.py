"""Trusted checks of the week-20 exercise (see :mod:`mastery.grading.integrity`).

The grading process runs each one right after its hidden test cell, against the learner's
emulator, with its own S3 client: it lists every page itself, reads every Parquet file's schema and
rows with pyarrow and every error object, and compares them with what the seeded feeds
(:func:`coldpath.graded`) must give, recomputed here from the lines' tags. Nothing the learner's
kernel rebinds (``expect``, ``s3``, ``pq``, ``coldpath``) or writes into a variable can change them.
"""

from __future__ import annotations

import io
import json

from mastery.weeks.w20_cold_path_and_scale import coldpath

EXERCISE = "m05-cold-path"  # the exercise's namespace (its setup cell)


def _bucket(ctx):
    return ctx.client("s3"), ctx.namespace(EXERCISE).name("lake")


def _keys(s3, bucket, prefix) -> list[str]:
    keys, kw = [], {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = s3.list_objects_v2(**kw)
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            return keys
        kw["ContinuationToken"] = page["NextContinuationToken"]


def _lake(ctx, name: str):
    """(rows {(device, seq): (ts, temp_c, dt)}, rows seen twice, schemas, stray keys) under <name>/lake/."""
    import pyarrow.parquet as pq

    s3, bucket = _bucket(ctx)
    rows, twice, schemas, stray = {}, [], set(), []
    for key in _keys(s3, bucket, f"{name}/lake/"):
        m = coldpath.DT_KEY.search(key)
        if not m or not key.startswith(f"{name}/lake/dt="):
            stray.append(key)
            continue
        table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))
        schemas.add(str(table.schema.remove_metadata()))
        for r in table.to_pylist():
            k = (r.get("device"), r.get("seq"))
            if k in rows:
                twice.append(k)
            rows[k] = (r.get("ts"), r.get("temp_c"), m["dt"])
    return rows, twice, schemas, stray


def _want(objects):
    return {k: (t, temp, coldpath.day(t)) for k, (t, temp) in coldpath.expected_rows(objects).items()}


def _rows_match(ctx, name: str, objects=None) -> None:
    objects = objects if objects is not None else coldpath.graded(name)
    rows, twice, _, _ = _lake(ctx, name)
    want = _want(objects)
    assert not twice, f"on the backend, {name}/lake/ holds readings more than once: {twice[:3]}"
    bad = set(rows) ^ set(want) | {k for k in set(rows) & set(want) if rows[k] != want[k]}
    bad = sorted(bad, key=str)
    assert not bad, (f"on the backend, {name}/lake/ differs from the feed's readings at {len(bad)} "
                     f"(device, seq), e.g. {bad[:3]}")


def layout(ctx) -> None:
    rows, _, schemas, stray = _lake(ctx, "main")
    assert not stray, ("on the backend, main/lake/ holds objects outside dt=YYYY-MM-DD/part-*.parquet: "
                       f"{stray[:3]}")
    want = str(coldpath.schema())
    assert schemas == {want}, f"on the backend, the Parquet schema is {schemas - {want}}, not\n{want}"
    days = {dt for *_, dt in rows.values()}
    want_days = {dt for *_, dt in _want(coldpath.graded("main")).values()}
    assert days == want_days, (f"on the backend, main/lake/ has partitions {sorted(days)}, "
                               f"not {sorted(want_days)}")
    misplaced = [k for k, (t, _, dt) in rows.items() if t is None or coldpath.day(t) != dt]
    assert not misplaced, ("on the backend, rows outside the partition of their UTC event day: "
                           f"{misplaced[:3]}")


def malformed(ctx, name: str = "main") -> None:
    s3, bucket = _bucket(ctx)
    got = []
    for key in _keys(s3, bucket, f"{name}/errors/"):
        for line in s3.get_object(Bucket=bucket, Key=key)["Body"].read().splitlines():
            try:
                e = json.loads(line)
                got.append((e.get("key"), e.get("line")))
            except (ValueError, AttributeError):
                got.append(("unreadable", None))
    want = coldpath.expected_errors(coldpath.graded(name))
    assert len(got) == len(set(got)) and set(got) == want, (
        f"on the backend, {name}/errors/ reports {len(got)} lines ({len(set(got))} distinct), not the feed's "
        f"{len(want)} malformed lines once each")


def day_boundary(ctx) -> None:
    rows, twice, _, _ = _lake(ctx, "edge")
    assert not twice, f"on the backend, edge/lake/ holds readings more than once: {twice[:3]}"
    got = {k: (v[0], v[2]) for k, v in rows.items()}
    want = {(d, s): (coldpath.parse_ts(ts), day) for d, s, ts, _, day in coldpath.EDGE}
    assert got == want, (f"on the backend, edge/lake/ holds {sorted(got.items())[:3]}..., "
                         "not the UTC instants and days")


def throttled(ctx) -> None:
    _rows_match(ctx, "slow")
    malformed(ctx, "slow")


def late_rerun(ctx) -> None:
    _rows_match(ctx, "late", [*coldpath.graded("late"), coldpath.late_arrival()])


TRUSTED = {
    "test-compact-visible": lambda ctx: _rows_match(ctx, "vis"),
    "test-layout-schema": layout,
    "test-rows-once": lambda ctx: _rows_match(ctx, "main"),
    "test-malformed": malformed,
    "test-day-boundary": day_boundary,
    "test-late-rerun": late_rerun,
    "test-paging": lambda ctx: _rows_match(ctx, "page"),
    "test-throttled": throttled,
    "test-midnight": lambda ctx: _rows_match(ctx, "mid"),
}
