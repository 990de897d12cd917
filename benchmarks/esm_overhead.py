"""What the event source mapping runner (`mastery.esm`) costs over a plain loop, and the week-17
reference processor's records per second, side by side in one run.

For each size, in interleaved rounds on the running backend:

* ``loop``      the handler called on batches built in memory (`events.kinesis_record`), no stream:
                the handler's own cost;
* ``runner``    the same records put on a local Kinesis stream and drained by `esm.StreamMapping`:
                the handler plus polling, conversion and bookkeeping;
* the runner's overhead = runner - loop, per record.

Two handlers: ``noop`` (returns at once: the runner's overhead alone) and ``processor`` (the
week-17 reference handler, three DynamoDB calls per reading: the pipeline's real throughput on
this machine). Prints a markdown table to paste into benchmarks/RESULTS.md.

    python benchmarks/esm_overhead.py [--records 200 1000] [--rounds 3] [--batch 100]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

import nbformat

from mastery import aws, esm, events, lambdas, paths
from mastery.grading import submissions
from mastery.weeks.w17_streams_and_lambda import telemetry


def reference_handler():
    """The week-17 reference `handler`, run in this process with the exercise's setup."""
    nb = nbformat.read(paths.solutions_dir() / "month-05" / "17-streams-and-lambda.ipynb", as_version=4)
    setup = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    scope: dict = {}
    exec(compile(setup.replace('print(', '(lambda *a, **k: None)('), "setup", "exec"), scope)  # noqa: S102
    exec(compile(submissions.reference_answers(nb)["handler"], "handler", "exec"), scope)  # noqa: S102
    return scope["handler"]


def run(records: int, rounds: int, batch: int) -> list[dict]:
    handlers = {"noop": lambda event, context: None, "processor": reference_handler()}
    out = []
    for name, handler in handlers.items():
        loop_s, runner_s = [], []
        for r in range(rounds):
            puts = telemetry.generate(seed=100 + r, devices=max(1, records // 10), readings=10,
                                      prefix=f"b{uuid.uuid4().hex[:6]}", duplicates=0, late=0,
                                      poison=0)[:records]
            arn = telemetry.create_stream(f"bench-esm-{uuid.uuid4().hex[:6]}", shards=2)
            recs = [events.kinesis_record(p.key, p.data, str(10**20 + i), stream_arn=arn)
                    for i, p in enumerate(puts)]
            t = time.perf_counter()
            for i in range(0, len(recs), batch):
                handler({"Records": recs[i:i + batch]}, lambdas.lambda_context("bench"))
            loop_s.append(time.perf_counter() - t)
            # fresh devices for the runner's round (the processor's effects are idempotent per device)
            puts = [telemetry.Put(p.key + "r", p.data.replace(p.key.encode(), (p.key + "r").encode()), p.kind)
                    for p in puts]
            telemetry.put(arn, puts)
            t = time.perf_counter()
            esm.StreamMapping(handler, arn, BatchSize=batch,
                              FunctionResponseTypes=["ReportBatchItemFailures"]).drain()
            runner_s.append(time.perf_counter() - t)
        lo, ru = statistics.median(loop_s), statistics.median(runner_s)
        out.append({"handler": name, "records": len(puts), "loop_s": lo, "runner_s": ru,
                    "loop_rps": len(puts) / lo if lo else float("inf"), "runner_rps": len(puts) / ru,
                    "overhead_ms_per_record": (ru - lo) / len(puts) * 1000})
    return out


def table(rows: list[dict]) -> str:
    lines = ["| handler | records | plain loop (s) | runner (s) | loop records/s | runner records/s | "
             "runner overhead (ms/record) |", "|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['handler']} | {r['records']} | {r['loop_s']:.2f} | {r['runner_s']:.2f} | "
              f"{r['loop_rps']:,.0f} | {r['runner_rps']:,.0f} | {r['overhead_ms_per_record']:.2f} |"
              for r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, nargs="+", default=[200, 1000])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch", type=int, default=100)
    args = ap.parse_args(argv)
    aws.client("kinesis")  # fails early, with the fix, when no backend runs
    rows = [row for n in args.records for row in run(n, args.rounds, args.batch)]
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
