"""Lambda event source mappings, run in process against the local AWS.

The embedded emulator stores event source mappings but cannot run a function's code (that needs
Docker), so nothing polls a stream or a queue for a handler. This module is the course's one
poller: it reads the emulator's Kinesis streams, DynamoDB Streams and SQS queues and calls a
Python handler in process with the event Lambda would send (:mod:`mastery.events`) and a
context (:mod:`mastery.lambdas`), following the error-handling rules of the Lambda Developer
Guide (checked 2026-12-01):

* streams (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html,
  .../with-ddb.html, .../services-kinesis-batchfailurereporting.html,
  .../kinesis-on-failure-destination.html): one iterator per shard, records in sequence order,
  a shard processed only after its parents (resharding); a batch is at most ``BatchSize``
  records and 6 MB; an error retries the whole batch, blocking the shard, until it succeeds, the
  records are older than ``MaximumRecordAgeInSeconds`` or ``MaximumRetryAttempts`` retries have
  failed; then the batch is discarded, its *description* (shard, first and last sequence number,
  size; not the records) sent to the ``OnFailure`` destination, and the shard moves on.
  ``BisectBatchOnFunctionError`` splits a failed batch in two and retries each half.
  With ``ReportBatchItemFailures`` the handler returns ``{"batchItemFailures": [{"itemIdentifier":
  <sequence number>}]}``: Lambda checkpoints before the lowest reported record and retries from
  there; an empty or null list (or no response) is a success; an empty, null or unknown
  identifier or a bad key name fails the whole batch. Without the setting, the response is
  ignored: a batch that "reported" failures counts as a success and its records are gone.
* SQS (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html, .../services-sqs-errorhandling.html):
  up to ``BatchSize`` messages (several ReceiveMessage calls of 10); on success the batch is
  deleted; on an error nothing is deleted and the messages come back after their visibility
  timeout, the queue's redrive policy moving a message to its dead-letter queue after
  ``maxReceiveCount`` receives (SQS does that, the emulator too); with ``ReportBatchItemFailures``
  every message not reported is deleted.

What this runner does *not* reproduce, on purpose, and says so: time. It never waits for a
batching window or a visibility timeout: :meth:`drain` takes what is there, and a failed SQS
batch is made visible again at once (``fast_forward``), so a test sees in a second what AWS
shows over minutes. Record ages are read from ``clock`` (default :func:`time.time`), which a
test replaces to age records without sleeping. ``ParallelizationFactor`` above 1, event
filtering and S3 failure destinations are not implemented and are refused.

Tumbling windows (``TumblingWindowInSeconds``, 1 to 900;
https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html and
.../services-ddb-windows.html, checked 2026-12-02): every record belongs to the window of its
*arrival* time (``ApproximateArrivalTimestamp``: processing time, not the event time inside the
data), windows being ``[k*W, (k+1)*W)`` seconds since the epoch; a batch holds records of one
window of one shard; the event adds ``window`` (start, end), ``state`` (what the previous
invocation of this window returned, ``{}`` at first), ``shardId``, ``eventSourceARN``,
``isFinalInvokeForWindow`` and ``isWindowTerminatedEarly``; the response must hold a ``state``
object (a response without one is a failed invocation) and may hold ``batchItemFailures``. When
the shard's next record belongs to a later window, or the shard is read to its end and ``clock``
has passed the window's end, the function is called once more with no records and
``isFinalInvokeForWindow`` true; after it succeeds the state is dropped. A state larger than
1 MB terminates the window early: the final invocation is made at once with
``isWindowTerminatedEarly`` true, and the window's next records start from ``{}``. A failed
invocation (window or final) is retried under the same limits as any batch, with the state the
last *successful* invocation returned, so a retried batch is folded into the state once; with a
partial batch response the returned state is kept and the retry starts at the failed record.
The docs do not say what happens when a final invocation exhausts its retries; here the window's
state is dropped with a warning.
One choice AWS does not document: bisecting is not counted as a retry, and each half starts its
own count of retries, so a poison record ends in a batch of one whatever the retry limit, and
only that batch of one is retried ``MaximumRetryAttempts`` times and discarded.
"""

from __future__ import annotations

import json
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mastery import aws, events, lambdas
from mastery.errors import MasteryError

PAYLOAD_LIMIT = 6 * 1024 * 1024  # synchronous invocation payload, bytes (Lambda quotas page)
WINDOW_STATE_LIMIT = 1024 * 1024  # bytes of tumbling-window state per shard (services-kinesis-windows)
WINDOW_MAX_S = 900                # TumblingWindowInSeconds at most (CreateEventSourceMapping)
REPORT = "ReportBatchItemFailures"

Handler = Callable[[dict, lambdas.LambdaContext], object]


class ShardBlocked(MasteryError):
    """A batch kept failing with no limit that would ever discard it."""


@dataclass
class Invocation:
    """One call of the handler: which records, and how it ended."""

    source: str                    # shard id, or the queue's name
    ids: list[str]                 # sequence numbers or message ids, in event order
    outcome: str                   # "success", "partial" or "error"
    attempt: int = 0               # 0 for the first try of these records, then 1, 2, ...
    error: str | None = None       # the exception, or why the response failed the batch
    failed: list[str] = field(default_factory=list)  # identifiers the handler reported


@dataclass
class Report:
    """What a run did: every invocation, what was discarded, and warnings."""

    invocations: list[Invocation] = field(default_factory=list)
    discarded: list[dict] = field(default_factory=list)  # the failure records sent on
    warnings: list[str] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return len(self.invocations)

    def records_seen(self) -> list[str]:
        return [i for inv in self.invocations for i in inv.ids]


def _now_iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Mapping:
    def __init__(self, handler: Handler, function_name: str, response_types, client_factory) -> None:
        self.handler = handler
        self.function_name = function_name
        self.report_failures = REPORT in (response_types or ())
        self._client = client_factory or aws.client
        self.report = Report()

    def _invoke(self, event: dict, ids: list[str]) -> tuple[str, list[str], str | None]:
        """("success" | "partial" | "error", failed identifiers, error text)."""
        ctx = lambdas.lambda_context(self.function_name)
        try:
            response = self.handler(event, ctx)
        except Exception as e:  # noqa: BLE001 - any exception is a function error to Lambda
            tb = traceback.format_exception_only(type(e), e)[-1].strip()
            return "error", [], tb
        self._response = response
        stateless = not (isinstance(response, dict) and isinstance(response.get("state"), dict))
        if getattr(self, "window", 0) and stateless:
            return "error", [], ("with TumblingWindowInSeconds the response must hold a 'state' object; "
                                 f"Lambda treats this one as a failed invocation: {str(response)[:200]}")
        reported = response.get("batchItemFailures") if isinstance(response, dict) else None
        if not self.report_failures:
            if reported:
                self.report.warnings.append(
                    f"the handler reported {len(reported)} failure(s) but the mapping has no "
                    f"FunctionResponseTypes=['{REPORT}']: Lambda ignores the response and treats the "
                    "batch as a success, so those records are not retried")
            return "success", [], None
        if response is None or (isinstance(response, dict) and not reported):
            return "success", [], None
        if not isinstance(response, dict) or not isinstance(reported, list):
            return "error", [], f"an invalid response for {REPORT}: {str(response)[:200]}"
        failed = []
        for item in reported:
            ident = item.get("itemIdentifier") if isinstance(item, dict) else None
            if not isinstance(ident, str) or not ident or ident not in ids:
                return "error", [], (f"batchItemFailures holds {item!r}: an empty, null or unknown "
                                     "itemIdentifier (or a bad key name) fails the whole batch")
            failed.append(ident)
        return "partial", failed, None


# ------------------------------------------------------------------------------------ streams


@dataclass
class _Record:
    seq: str
    arrival: float
    size: int
    lambda_record: dict


class StreamMapping(_Mapping):
    """A Kinesis or DynamoDB Streams event source mapping; the keyword arguments are the
    CreateEventSourceMapping API's, with its defaults and bounds."""

    def __init__(self, handler: Handler, event_source_arn: str, *, BatchSize: int = 100,  # noqa: N803
                 MaximumRetryAttempts: int = -1, MaximumRecordAgeInSeconds: int = -1,
                 BisectBatchOnFunctionError: bool = False, FunctionResponseTypes=(),
                 DestinationConfig: dict | None = None, StartingPosition: str = "TRIM_HORIZON",
                 ParallelizationFactor: int = 1, MaximumBatchingWindowInSeconds: int = 0,
                 TumblingWindowInSeconds: int = 0, function_name: str = "course-handler",
                 clock: Callable[[], float] = time.time, client_factory=None) -> None:
        super().__init__(handler, function_name, FunctionResponseTypes, client_factory)
        self.arn = event_source_arn
        self.kind = "kinesis" if ":kinesis:" in event_source_arn else (
            "dynamodb" if ":dynamodb:" in event_source_arn and "/stream/" in event_source_arn else None)
        if self.kind is None:
            raise MasteryError(f"{event_source_arn} is neither a Kinesis stream nor a DynamoDB stream ARN")
        _bounded("BatchSize", BatchSize, 1, 10_000)
        _bounded("MaximumRetryAttempts", MaximumRetryAttempts, -1, 10_000)
        _bounded("MaximumBatchingWindowInSeconds", MaximumBatchingWindowInSeconds, 0, 300)
        if MaximumRecordAgeInSeconds != -1:
            _bounded("MaximumRecordAgeInSeconds", MaximumRecordAgeInSeconds, 60, 604_800)
        _bounded("ParallelizationFactor", ParallelizationFactor, 1, 10)
        if ParallelizationFactor != 1:
            raise MasteryError("ParallelizationFactor above 1 is not reproduced by this runner")
        _bounded("TumblingWindowInSeconds", TumblingWindowInSeconds, 0, WINDOW_MAX_S)
        self.window = TumblingWindowInSeconds
        self._windows: dict[str, dict] = {}  # shard -> {"start", "state", "early"} of its open window
        if StartingPosition not in ("TRIM_HORIZON", "LATEST"):
            raise MasteryError(f"StartingPosition must be TRIM_HORIZON or LATEST, not {StartingPosition!r}")
        self.batch_size, self.max_retries = BatchSize, MaximumRetryAttempts
        self.max_age, self.bisect = MaximumRecordAgeInSeconds, BisectBatchOnFunctionError
        self.destination = ((DestinationConfig or {}).get("OnFailure") or {}).get("Destination")
        if self.destination and not (":sqs:" in self.destination or ":sns:" in self.destination):
            raise MasteryError("the OnFailure destination must be an SQS queue or SNS topic ARN here")
        self.clock = clock
        self._api = self._client("kinesis" if self.kind == "kinesis" else "dynamodbstreams")
        self._iterators: dict[str, str | None] = {}
        self._buffers: dict[str, deque[_Record]] = {}
        self._parents: dict[str, list[str]] = {}
        self._done: set[str] = set()
        self._closed: set[str] = set()
        self._position = StartingPosition
        self._discover()

    # the source ---------------------------------------------------------------------------
    def _shards(self) -> list[dict]:
        if self.kind == "kinesis":
            shards, kw = [], {"StreamARN": self.arn}
            while True:
                page = self._api.list_shards(**kw)
                shards += page["Shards"]
                if not page.get("NextToken"):
                    return shards
                kw = {"NextToken": page["NextToken"]}
        return self._api.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]

    def _discover(self) -> None:
        for shard in self._shards():
            sid = shard["ShardId"]
            if "EndingSequenceNumber" in shard.get("SequenceNumberRange", {}):
                self._closed.add(sid)
            if sid in self._iterators or sid in self._done:
                continue
            self._parents[sid] = [p for p in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId"))
                                  if p]
            kw = {"ShardId": sid, "ShardIteratorType": self._position}
            if self.kind == "kinesis":
                it = self._api.get_shard_iterator(StreamARN=self.arn, **kw)["ShardIterator"]
            else:
                it = self._api.get_shard_iterator(StreamArn=self.arn, **kw)["ShardIterator"]
            self._iterators[sid] = it
            self._buffers[sid] = deque()

    def _convert(self, shard: str, r: dict) -> _Record:
        if self.kind == "kinesis":
            arrival = r["ApproximateArrivalTimestamp"].timestamp()
            rec = events.kinesis_record(r["PartitionKey"], r["Data"], r["SequenceNumber"],
                                        stream_arn=self.arn, shard_id=shard, arrival=arrival)
            return _Record(r["SequenceNumber"], arrival, len(json.dumps(rec)), rec)
        d = dict(r["dynamodb"])
        created = d.get("ApproximateCreationDateTime")
        arrival = created.timestamp() if isinstance(created, datetime) else float(created or self.clock())
        d["ApproximateCreationDateTime"] = int(arrival)
        rec = {**r, "dynamodb": d, "awsRegion": aws.REGION, "eventSourceARN": self.arn}
        return _Record(d["SequenceNumber"], arrival, len(json.dumps(rec, default=str)), rec)

    def _fill(self, shard: str) -> None:
        buf = self._buffers[shard]
        while len(buf) < self.batch_size and self._iterators.get(shard):
            kw = {"StreamARN": self.arn} if self.kind == "kinesis" else {}
            page = self._api.get_records(ShardIterator=self._iterators[shard], **kw,
                                         Limit=min(10_000 if self.kind == "kinesis" else 1000,
                                                   self.batch_size - len(buf)))
            self._iterators[shard] = page.get("NextShardIterator")
            buf.extend(self._convert(shard, r) for r in page["Records"])
            if not page["Records"]:
                break
        if not buf and (self._iterators.get(shard) is None or shard in self._closed):
            self._done.add(shard)  # a closed shard read to its end: its children may start

    def _ready(self, shard: str) -> bool:
        return all(p in self._done or p not in self._parents for p in self._parents.get(shard, []))

    # running ---------------------------------------------------------------------------------
    def poll(self) -> int:
        """One batch from every shard that has records (parents before children); the number of
        records taken off the shards (processed or discarded)."""
        self._discover()
        taken = 0
        for shard in sorted(self._iterators):
            if shard in self._done or not self._ready(shard):
                continue
            self._fill(shard)
            buf = self._buffers[shard]
            if self.window:
                self._close_window(shard, buf)
            batch, size = [], 0
            while (buf and len(batch) < self.batch_size and size + buf[0].size <= PAYLOAD_LIMIT
                   and (not self.window or not batch or self._same_window(buf[0], batch[0]))):
                size += buf[0].size
                batch.append(buf.popleft())
            if not batch and buf:
                raise MasteryError(f"a record of {shard} is larger than Lambda's 6 MB payload")
            if batch:
                if self.window:
                    self._windows.setdefault(shard, {"start": self._window_of(batch[0]), "state": {},
                                                     "early": False})
                self._process(shard, batch, attempt=0)
                taken += len(batch)
        return taken

    # tumbling windows -------------------------------------------------------------------------
    def _window_of(self, r: _Record) -> int:
        return int(r.arrival // self.window) * self.window

    def _same_window(self, a: _Record, b: _Record) -> bool:
        return self._window_of(a) == self._window_of(b)

    def _close_window(self, shard: str, buf: deque) -> None:
        """The final invocation of the shard's open window, when its next record belongs to a
        later window, or when nothing is left to read and the clock has passed its end."""
        w = self._windows.get(shard)
        if w is None:
            return
        later = bool(buf) and self._window_of(buf[0]) != w["start"]
        if later or (not buf and self.clock() >= w["start"] + self.window):
            self._final(shard, early=False)

    def _final(self, shard: str, early: bool) -> None:
        w, attempt = self._windows[shard], 0
        while True:
            event = {**self._event(shard, []), "isFinalInvokeForWindow": True,
                     "isWindowTerminatedEarly": early}
            outcome, failed, error = self._invoke(event, [])
            self.report.invocations.append(Invocation(shard, [], outcome, attempt, error, failed))
            if outcome != "error":
                break
            if self.max_retries != -1 and attempt >= self.max_retries:
                self.report.warnings.append(f"the final invocation of {shard}'s window from {w['start']} "
                                            f"failed {attempt + 1} times; its state was dropped")
                break
            attempt += 1
            if self.max_retries == -1 and attempt >= 100:
                raise ShardBlocked(f"{shard} is blocked: the final invocation of its window keeps failing "
                                   f"({error}); Lambda suspends the shard until it succeeds")
        if early:
            self._windows[shard] = {"start": w["start"], "state": {}, "early": False}
        else:
            del self._windows[shard]

    def drain(self, max_polls: int = 10_000) -> Report:
        """Poll until every shard is read to its current end; the run's :class:`Report`."""
        for _ in range(max_polls):
            if not self.poll():
                return self.report
        raise MasteryError(f"the stream still had records after {max_polls} polls")

    def _event(self, shard: str, batch: list[_Record]) -> dict:
        event = {"Records": [r.lambda_record for r in batch]}
        if self.window:
            w = self._windows[shard]
            event.update({"window": {"start": _now_iso(w["start"]).replace(".000Z", "Z"),
                                     "end": _now_iso(w["start"] + self.window).replace(".000Z", "Z")},
                          "state": json.loads(json.dumps(w["state"])), "shardId": shard,
                          "eventSourceARN": self.arn, "isFinalInvokeForWindow": False,
                          "isWindowTerminatedEarly": False})
        return event

    def _keep_state(self, shard: str) -> None:
        """A successful (or partial) invocation's state becomes the window's; over 1 MB it ends
        the window early."""
        if not self.window:
            return
        self._windows[shard]["state"] = self._response["state"]
        if len(json.dumps(self._response["state"]).encode()) > WINDOW_STATE_LIMIT:
            self._final(shard, early=True)

    def _process(self, shard: str, batch: list[_Record], attempt: int) -> None:
        while batch:
            if self.max_age != -1:
                now = self.clock()
                old = [r for r in batch if now - r.arrival > self.max_age]
                if old:
                    self._discard(shard, old, "RecordAgeExceeded", attempt)
                    batch = batch[len(old):] if old == batch[:len(old)] else [
                        r for r in batch if now - r.arrival <= self.max_age]
                    if not batch:
                        return
            ids = [r.seq for r in batch]
            outcome, failed, error = self._invoke(self._event(shard, batch), ids)
            self.report.invocations.append(Invocation(shard, ids, outcome, attempt, error, failed))
            if outcome != "error":
                self._keep_state(shard)
            if outcome == "success":
                return
            if outcome == "partial":  # checkpoint before the lowest reported record
                lowest = min(failed, key=int)
                batch = batch[ids.index(lowest):]
            if self.bisect and outcome == "error" and len(batch) > 1:  # not a retry: see above
                half = len(batch) // 2
                self._process(shard, batch[:half], 0)
                self._process(shard, batch[half:], 0)
                return
            if self.max_retries != -1 and attempt >= self.max_retries:
                self._discard(shard, batch, "RetryAttemptsExhausted", attempt)
                return
            attempt += 1
            if self.max_retries == -1 and self.max_age == -1 and attempt >= 100:
                raise ShardBlocked(
                    f"{shard} is blocked: the batch from {batch[0].seq} has failed {attempt} times "
                    f"({error or 'reported failures'}). With MaximumRetryAttempts and "
                    "MaximumRecordAgeInSeconds at -1, Lambda retries it until the records expire "
                    "from the stream (24 hours by default) and nothing after it in the shard is "
                    "processed: set a retry limit, a record age, bisecting or partial batch responses")

    def _discard(self, shard: str, batch: list[_Record], condition: str, attempt: int) -> None:
        info = {"shardId": shard, "startSequenceNumber": batch[0].seq, "endSequenceNumber": batch[-1].seq,
                "approximateArrivalOfFirstRecord": _now_iso(batch[0].arrival),
                "approximateArrivalOfLastRecord": _now_iso(batch[-1].arrival),
                "batchSize": len(batch), "streamArn": self.arn}
        record = {
            "requestContext": {"requestId": str(uuid.uuid4()),
                               "functionArn": f"arn:aws:lambda:{aws.REGION}:{aws.ACCOUNT_ID}:function:"
                                              f"{self.function_name}",
                               "condition": condition, "approximateInvokeCount": attempt + 1},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST",
                                "functionError": "Unhandled"},
            "version": "1.0", "timestamp": _now_iso(self.clock()),
            ("KinesisBatchInfo" if self.kind == "kinesis" else "DDBStreamBatchInfo"): info,
        }
        self.report.discarded.append(record)
        if self.destination:
            body = json.dumps(record)
            if ":sqs:" in self.destination:
                name = self.destination.rsplit(":", 1)[1]
                sqs = self._client("sqs")
                sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"], MessageBody=body)
            else:
                self._client("sns").publish(TopicArn=self.destination, Message=body)


# ---------------------------------------------------------------------------------------- SQS


class QueueMapping(_Mapping):
    """An SQS event source mapping; keyword arguments as in the CreateEventSourceMapping API."""

    def __init__(self, handler: Handler, queue_arn: str, *, BatchSize: int = 10,  # noqa: N803
                 MaximumBatchingWindowInSeconds: int = 0, FunctionResponseTypes=(),
                 function_name: str = "course-handler", fast_forward: bool = True,
                 client_factory=None) -> None:
        super().__init__(handler, function_name, FunctionResponseTypes, client_factory)
        if ":sqs:" not in queue_arn:
            raise MasteryError(f"{queue_arn} is not an SQS queue ARN")
        self.name = queue_arn.rsplit(":", 1)[1]
        fifo = self.name.endswith(".fifo")
        _bounded("BatchSize", BatchSize, 1, 10 if fifo else 10_000)
        _bounded("MaximumBatchingWindowInSeconds", MaximumBatchingWindowInSeconds, 0, 300)
        if BatchSize > 10 and MaximumBatchingWindowInSeconds < 1:
            raise MasteryError("a BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1 "
                               "(Lambda refuses the mapping otherwise)")
        self.arn, self.batch_size, self.fast_forward = queue_arn, BatchSize, fast_forward
        self._sqs = self._client("sqs")
        self.url = self._sqs.get_queue_url(QueueName=self.name)["QueueUrl"]

    def poll(self) -> int:
        """Receive one batch and invoke the handler with it; the number of messages received."""
        messages: list[dict] = []
        while len(messages) < self.batch_size:
            got = self._sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=min(10, self.batch_size - len(messages)),
                AttributeNames=["All"], MessageAttributeNames=["All"], WaitTimeSeconds=0).get("Messages", [])
            if not got:
                break
            messages += got
        if not messages:
            return 0
        event = {"Records": [self._record(m) for m in messages]}
        ids = [m["MessageId"] for m in messages]
        outcome, failed, error = self._invoke(event, ids)
        attempt = max(int(m["Attributes"].get("ApproximateReceiveCount", "1")) for m in messages) - 1
        self.report.invocations.append(Invocation(self.name, ids, outcome, attempt, error, failed))
        keep = set(ids) if outcome == "error" else set(failed)
        done = [m for m in messages if m["MessageId"] not in keep]
        for i in range(0, len(done), 10):
            self._sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done[i:i + 10])])
        if self.fast_forward:  # the visibility timeout, elapsed at once
            for m in messages:
                if m["MessageId"] in keep:
                    self._sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"],
                                                        VisibilityTimeout=0)
        return len(messages)

    def drain(self, max_polls: int = 1_000) -> Report:
        """Poll until a receive returns nothing; the run's :class:`Report`."""
        for _ in range(max_polls):
            if not self.poll():
                return self.report
        raise ShardBlocked(
            f"{self.name} still had messages after {max_polls} batches: a message that always fails "
            "is received again after every visibility timeout until the queue's retention period ends "
            "(4 days by default) unless a redrive policy moves it to a dead-letter queue")

    def _record(self, m: dict) -> dict:
        return {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                "attributes": dict(m.get("Attributes", {})),
                "messageAttributes": {k: {"stringValue": v.get("StringValue"), "dataType": v["DataType"]}
                                      for k, v in m.get("MessageAttributes", {}).items()},
                "md5OfBody": m.get("MD5OfBody"), "eventSource": "aws:sqs", "eventSourceARN": self.arn,
                "awsRegion": aws.REGION}


def _bounded(name: str, value: int, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise MasteryError(f"{name} must be an integer from {low} to {high}, not {value!r} "
                           "(Lambda's CreateEventSourceMapping bounds)")


def mapping(handler: Handler, event_source_arn: str, **config) -> StreamMapping | QueueMapping:
    """The mapping for an ARN: a Kinesis stream, a DynamoDB stream or an SQS queue."""
    if ":sqs:" in event_source_arn:
        return QueueMapping(handler, event_source_arn, **config)
    return StreamMapping(handler, event_source_arn, **config)


def from_aws(handler: Handler, uuid_: str, **overrides) -> StreamMapping | QueueMapping:
    """The runner for an event source mapping created on the local AWS (API or CloudFormation):
    its settings read back with GetEventSourceMapping, the handler given here."""
    m = aws.client("lambda").get_event_source_mapping(UUID=uuid_)
    keys = ("BatchSize", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
            "FunctionResponseTypes", "DestinationConfig", "StartingPosition", "ParallelizationFactor",
            "MaximumBatchingWindowInSeconds", "TumblingWindowInSeconds")
    config = {k: m[k] for k in keys if m.get(k) not in (None, {}, [])}
    if ":sqs:" in m["EventSourceArn"]:
        config = {k: v for k, v in config.items()
                  if k in ("BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes")}
    config.setdefault("function_name", m["FunctionArn"].rsplit(":", 1)[1])
    return mapping(handler, m["EventSourceArn"], **{**config, **overrides})
