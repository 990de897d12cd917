"""The month-5 pipeline's throughput on this machine, hot and cold path, side by side in one run.

Hot path, for each shard count and batch size, in interleaved rounds on the running backend:

* ``loop``    the hot path's handler (:func:`coldpath.daily_handler`: one transaction and one
              conditional update per reading, per device per UTC day) called on batches built in
              memory (`events.kinesis_record`), no stream: the handler's own cost;
* ``runner``  the same records put on a local Kinesis stream with that many shards and drained by
              `esm.StreamMapping` with that BatchSize: the handler plus polling and bookkeeping;
* ``noop``    the runner with a handler that returns at once: the runner's overhead alone.

Cold path: the same readings as the week-20 feeds (Firehose-shaped JSON lines) parsed and written
as Parquet with pyarrow (rows/s), and a DuckDB per-device-per-day aggregate over those files (rows/s).

Prints markdown tables to paste into benchmarks/RESULTS.md (``--write`` replaces that file's
week-20 section). The figures are this machine's, on the embedded emulator, shared with whatever
else runs: ratios taken in the same run are the result, not the absolute numbers.

    python benchmarks/coldpath_throughput.py [--records 300] [--rounds 2] [--shards 1 2 4]
                                             [--batch 10 100 500] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from mastery import aws, esm, events, lambdas
from mastery.weeks.w17_streams_and_lambda import telemetry
from mastery.weeks.w20_cold_path_and_scale import coldpath

RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
BEGIN, END = "<!-- coldpath_throughput: begin -->", "<!-- coldpath_throughput: end -->"


def _puts(records: int, seed: int) -> list[telemetry.Put]:
    devices = max(1, records // 20)
    tag = uuid.uuid4().hex[:6]
    return telemetry.generate(seed=seed, devices=devices, readings=20, prefix=f"b{tag}", duplicates=0,
                              late=0, poison=0, start=coldpath.NOV2)[:records]


def _handler():
    tag = uuid.uuid4().hex[:8]
    return coldpath.daily_handler(aws.ensure_table(f"bench-daily-{tag}", "key"),
                                  aws.ensure_table(f"bench-seen-{tag}", "reading"))


def _noop(event, context):
    return {"batchItemFailures": []}


def _loop(handler, puts, batch) -> float:
    arn = f"arn:aws:kinesis:{aws.REGION}:{aws.ACCOUNT_ID}:stream/bench-loop"
    recs = [events.kinesis_record(p.key, p.data, str(10**20 + i), stream_arn=arn) for i, p in enumerate(puts)]
    t = time.perf_counter()
    for i in range(0, len(recs), batch):
        handler({"Records": recs[i:i + batch]}, lambdas.lambda_context("bench"))
    return time.perf_counter() - t


def _runner(handler, puts, shards, batch) -> float:
    arn = telemetry.create_stream(f"bench-cold-{uuid.uuid4().hex[:8]}", shards)
    telemetry.put(arn, puts)
    t = time.perf_counter()
    esm.StreamMapping(handler, arn, BatchSize=batch, StartingPosition="TRIM_HORIZON").drain()
    return time.perf_counter() - t


def hot(records: int, rounds: int, shard_counts, batches) -> list[dict]:
    out = []
    for shards in shard_counts:
        for batch in batches:
            loop_s, runner_s, noop_s = [], [], []
            for r in range(rounds):
                puts = _puts(records, 300 + r)
                loop_s.append(_loop(_handler(), puts, batch))
                runner_s.append(_runner(_handler(), puts, shards, batch))
                noop_s.append(_runner(_noop, puts, shards, batch))
            lo, ru, no = (statistics.median(x) for x in (loop_s, runner_s, noop_s))
            n = len(puts)
            out.append({"shards": shards, "batch": batch, "records": n, "loop_rps": n / lo,
                        "runner_rps": n / ru, "noop_rps": n / no,
                        "overhead_ms": (ru - lo) / n * 1000, "noop_ms": no / n * 1000})
    return out


def cold(records: int) -> dict:
    import duckdb

    objects = coldpath.feed(400, max(1, records // 20), 20, prefix="bench/raw/", start=coldpath.NOV2,
                            duplicates=0, late=0, poison=0, per_object=100)
    lines = [line.data for o in objects for line in o.lines]
    t = time.perf_counter()
    days: dict = {}
    for data in lines:
        r = json.loads(data, parse_float=Decimal)
        ts = coldpath.parse_ts(r["ts"])
        days.setdefault(coldpath.day(ts), []).append({"device": r["device"], "seq": r["seq"], "ts": ts,
                                                      "temp_c": r["temp_c"]})
    with tempfile.TemporaryDirectory() as tmp:
        for d, rows in days.items():
            os.makedirs(f"{tmp}/dt={d}")
            Path(f"{tmp}/dt={d}/part-0.parquet").write_bytes(coldpath.parquet_bytes(rows))
        write_s = time.perf_counter() - t
        t = time.perf_counter()
        got = duckdb.sql(f"SELECT device, dt, count(*), sum(temp_c), max(temp_c) FROM read_parquet("
                         f"'{tmp}/**/*.parquet', hive_partitioning = true) GROUP BY ALL").fetchall()
        query_s = time.perf_counter() - t
    assert sum(n for _, _, n, _, _ in got) == len(lines)
    return {"rows": len(lines), "write_rps": len(lines) / write_s, "query_rps": len(lines) / query_s}


def tables(rows: list[dict], c: dict, cmd: str) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    out = [f"### Hot path ({when}, load {load:.1f} at start: `{cmd}`)", "",
           "| shards | BatchSize | records | plain loop records/s | mastery.esm records/s | runner overhead "
           "(ms/record) | no-op handler through the runner records/s |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {r['shards']} | {r['batch']} | {r['records']} | {r['loop_rps']:,.0f} | "
            f"{r['runner_rps']:,.0f} | {r['overhead_ms']:.2f} | {r['noop_rps']:,.0f} |" for r in rows]
    out += ["", f"### Cold path (same run): {c['rows']:,} readings", "",
            "| step | rows/s |", "|---|---:|",
            f"| parse JSON lines + write Parquet by day (pyarrow) | {c['write_rps']:,.0f} |",
            f"| DuckDB per-device-per-day aggregate over the Parquet | {c['query_rps']:,.0f} |"]
    return "\n".join(out)


def write(section: str) -> None:
    text = RESULTS_MD.read_text()
    block = (f"{BEGIN}\n## Week 20: the pipeline's throughput on this machine "
             f"(`python benchmarks/coldpath_throughput.py`)\n\n{section}\n{END}")
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        marker = "\n<!-- Below this line is generated by benchmarks/run.py"  # run.py rewrites what follows
        at = text.find(marker)
        text = text[:at] + "\n" + block + "\n" + text[at:] if at >= 0 else text + "\n" + block + "\n"
    RESULTS_MD.write_text(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--shards", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--batch", type=int, nargs="+", default=[10, 100, 500])
    ap.add_argument("--cold-records", type=int, default=20_000)
    ap.add_argument("--write", action="store_true", help="replace the week-20 section of RESULTS.md")
    args = ap.parse_args(argv)
    aws.client("kinesis")  # fails early, with the fix, when no backend runs
    cmd = "python benchmarks/coldpath_throughput.py " + " ".join(argv if argv is not None else sys.argv[1:])
    rows = hot(args.records, args.rounds, args.shards, args.batch)
    section = tables(rows, cold(args.cold_records), cmd.strip())
    print(section)
    if args.write:
        write(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
