"""Run an instrumented Lambda handler in-process and see what it emits: spans, logs, metrics.

The emulator cannot run Lambda code, so the course calls handlers directly, with a real
API Gateway event and a Lambda context object, the way Lambda unit tests do. This module is
the plumbing around that call:

* :func:`in_memory_tracing` — an OpenTelemetry tracer whose finished spans land in an
  ``InMemorySpanExporter`` (the SDK's own test exporter), not on the network;
* :func:`lambda_context`, :func:`http_event` — the two arguments Lambda passes a handler;
* :func:`invoke` — calls the handler, capturing what it prints: Powertools' JSON log lines
  and its CloudWatch Embedded Metric Format (EMF) documents;
* :func:`publish_emf` — the step the emulator lacks. In AWS, CloudWatch Logs extracts metrics
  from EMF log events by itself; moto stores log events but does not extract them, so we turn
  each EMF document into the equivalent ``PutMetricData`` call (same namespace, dimension sets,
  units, values and timestamp);
* :func:`metric_sum` — read a metric back with ``GetMetricStatistics``.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from mastery import aws, events, lambdas
from mastery.lambdas import LambdaContext

# ------------------------------------------------------------------------------ tracing


def in_memory_tracing(service: str, instrumentation: str = "mastery.course"):
    """``(tracer, exporter)``: a tracer of its own provider (the global one is left alone, so
    a notebook can call this again) that exports finished spans into memory at once."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service, "cloud.provider": "aws"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer(instrumentation), exporter


def span_tree(spans) -> list[tuple[str, list]]:
    """Finished spans as a forest of ``(name, children)``, children in start order. A span whose
    parent is not among ``spans`` is a root."""
    by_id = {s.context.span_id: s for s in spans}
    kids: dict[int | None, list] = {}
    for s in sorted(spans, key=lambda s: s.start_time):
        parent = s.parent.span_id if s.parent is not None and s.parent.span_id in by_id else None
        kids.setdefault(parent, []).append(s)

    def build(s):
        return (s.name, [build(c) for c in kids.get(s.context.span_id, [])])

    return [build(s) for s in kids.get(None, [])]


def format_tree(spans) -> str:
    """The span tree as indented text, with each span's kind, status and duration."""
    by_name = {s.context.span_id: s for s in spans}
    lines = []

    def walk(node_spans, depth):
        for s in node_spans:
            ms = (s.end_time - s.start_time) / 1e6
            lines.append(f"{'  ' * depth}{s.name}  [{s.kind.name}, {s.status.status_code.name}, {ms:.1f} ms]")
            walk([c for c in ordered if c.parent is not None and c.parent.span_id == s.context.span_id],
                 depth + 1)

    ordered = sorted(spans, key=lambda s: s.start_time)
    walk([s for s in ordered if s.parent is None or s.parent.span_id not in by_name], 0)
    return "\n".join(lines)


# ------------------------------------------------------------------- Lambda's arguments


def lambda_context(function_name: str, **kwargs) -> LambdaContext:
    """A fresh context: a new ``aws_request_id`` per call, as for every real invocation."""
    return lambdas.lambda_context(function_name,
                                  **{"memory_limit_in_mb": 256, "timeout_ms": 10_000, **kwargs})


def http_event(method: str, path: str, body=None, route: str | None = None) -> dict:
    """An API Gateway HTTP API (payload format 2.0) event for ``method path``."""
    return events.http_api(method, path, route=route, body=body)


# ----------------------------------------------------------------- invoking and capturing


class StdoutProxy(io.TextIOBase):
    """A stream that writes to whatever ``sys.stdout`` is *now*. Give it to Powertools'
    ``Logger(stream=...)`` so :func:`invoke` can capture the log lines (a logger otherwise
    keeps the stdout it saw when it was created)."""

    def write(self, s: str) -> int:
        return sys.stdout.write(s)

    def flush(self) -> None:
        sys.stdout.flush()


@dataclass
class Invocation:
    result: object
    logs: list[dict]
    emf: list[dict]
    other_output: str = ""


def split_output(text: str) -> tuple[list[dict], list[dict], str]:
    """JSON log lines, EMF documents (JSON with an ``_aws`` key) and everything else."""
    logs, emf, other = [], [], []
    for line in text.splitlines():
        doc = None
        if line.startswith("{"):
            try:
                doc = json.loads(line)
            except json.JSONDecodeError:
                doc = None
        if isinstance(doc, dict) and "_aws" in doc:
            emf.append(doc)
        elif isinstance(doc, dict):
            logs.append(doc)
        elif line.strip():
            other.append(line)
    return logs, emf, "\n".join(other)


def invoke(handler, event: dict, context) -> Invocation:
    """Call ``handler(event, context)`` as Lambda would and capture its stdout (the function's
    log stream). An exception the handler raises propagates, as it would fail the invocation."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        result = handler(event, context)
    return Invocation(result, *split_output(buf.getvalue()))


# ------------------------------------------------------------------- EMF -> CloudWatch


def emf_metric_data(doc: dict) -> list[tuple[str, list[dict]]]:
    """``[(namespace, MetricData)]`` equivalent to one EMF document, as CloudWatch Logs would
    extract it: one datum per metric, per dimension set, per value."""
    meta = doc["_aws"]
    ts = datetime.fromtimestamp(meta["Timestamp"] / 1000, tz=UTC)
    out = []
    for directive in meta["CloudWatchMetrics"]:
        data = []
        for dim_set in directive.get("Dimensions", [[]]) or [[]]:
            dims = [{"Name": d, "Value": str(doc[d])} for d in dim_set]
            for m in directive["Metrics"]:
                values = doc[m["Name"]]
                for v in values if isinstance(values, list) else [values]:
                    datum = {"MetricName": m["Name"], "Dimensions": dims, "Value": float(v), "Timestamp": ts}
                    if m.get("Unit"):
                        datum["Unit"] = m["Unit"]
                    data.append(datum)
        out.append((directive["Namespace"], data))
    return out


def publish_emf(docs, cw=None) -> int:
    """Send EMF documents to CloudWatch with ``PutMetricData``; returns the datapoints sent."""
    cw = cw or aws.client("cloudwatch")
    sent = 0
    for doc in docs:
        for namespace, data in emf_metric_data(doc):
            for i in range(0, len(data), 500):  # PutMetricData takes up to 1000 data; stay well below
                cw.put_metric_data(Namespace=namespace, MetricData=data[i:i + 500])
                sent += len(data[i:i + 500])
    return sent


def next_second() -> datetime:
    """Sleep to the start of the next whole second and return it (UTC). CloudWatch (and moto)
    compare ``StartTime`` at one-second resolution: datapoints sent after this instant are the
    only ones a query from it counts, so a test can tell this run's metrics from earlier ones."""
    now = datetime.now(UTC)
    nxt = now.replace(microsecond=0) + timedelta(seconds=1)
    time.sleep((nxt - now).total_seconds())
    return nxt


metric_sum = aws.metric_sum  # the one CloudWatch read-back (``since`` from next_whole_second)


def emitted(docs) -> list[tuple[str, dict]]:
    """``[(namespace, datum)]``: every datapoint a list of EMF documents declares, as
    :func:`emf_metric_data` extracts it (name, dimensions, value, unit), to read back what a
    handler emitted before CloudWatch sees it."""
    return [(namespace, datum) for doc in docs for namespace, data in emf_metric_data(doc) for datum in data]


def metric_stats(namespace: str, metric: str, dimensions: dict[str, str], since, cw=None, *,
                 unit: str | None = None, until=None, period: int = 60) -> dict:
    """``{"Sum", "SampleCount", "Minimum", "Maximum"}`` of a metric from ``since`` to ``until``
    (default: a minute from now) over every period in between (not only the first), read back
    with GetMetricStatistics; only datapoints of ``unit`` when it is given. Zeros (and ``None``
    for Minimum/Maximum) when nothing matches."""
    cw = cw or aws.client("cloudwatch")
    until = until or datetime.now(UTC) + timedelta(minutes=1)
    kwargs = {"Unit": unit} if unit else {}
    points = cw.get_metric_statistics(
        Namespace=namespace, MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in sorted(dimensions.items())],
        StartTime=since, EndTime=until, Period=period,
        Statistics=["Sum", "SampleCount", "Minimum", "Maximum"], **kwargs)["Datapoints"]
    return {"Sum": float(sum(p["Sum"] for p in points)),
            "SampleCount": float(sum(p["SampleCount"] for p in points)),
            "Minimum": min((p["Minimum"] for p in points), default=None),
            "Maximum": max((p["Maximum"] for p in points), default=None)}


def dimension_sets(namespace: str, metric: str, cw=None) -> list[dict[str, str]]:
    """Every dimension set ``metric`` has in ``namespace`` (ListMetrics, every page)."""
    cw = cw or aws.client("cloudwatch")
    out = []
    for page in cw.get_paginator("list_metrics").paginate(Namespace=namespace, MetricName=metric):
        out += [{d["Name"]: d["Value"] for d in m.get("Dimensions", [])} for m in page["Metrics"]]
    return out
