"""The event source mapping runner (`mastery.esm`) against the rules of the Lambda Developer Guide,
on the local AWS: ordering per shard, batch sizes, retries until a limit, bisecting, partial batch
responses (valid and invalid), record age, failure destinations, resharding, DynamoDB Streams
records, and SQS deletes, redelivery and redrive."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest

from mastery import aws, esm
from mastery.errors import MasteryError

pytestmark = pytest.mark.usefixtures("local_aws")

RBIF = ["ReportBatchItemFailures"]


def _stream(shards: int = 1) -> str:
    name = f"esm-{uuid.uuid4().hex[:8]}"
    k = aws.client("kinesis")
    k.create_stream(StreamName=name, ShardCount=shards)
    return k.describe_stream(StreamName=name)["StreamDescription"]["StreamARN"]


def _put(arn: str, values, key=lambda v: "k") -> list[str]:
    k = aws.client("kinesis")
    return [k.put_record(StreamARN=arn, Data=json.dumps(v).encode(),
                         PartitionKey=str(key(v)))["SequenceNumber"] for v in values]


def _queue(**attributes) -> tuple[str, str]:
    name = f"esm-{uuid.uuid4().hex[:8]}"
    url = aws.ensure_queue(name, attributes=attributes or None)
    return url, _arn(url)


def _arn(url: str) -> str:
    attrs = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attrs["Attributes"]["QueueArn"]


def _drain_queue(url: str) -> list[dict]:
    sqs, out = aws.client("sqs"), []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        out += [json.loads(m["Body"]) for m in got]
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def _values(event) -> list:
    return [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]]


class Recorder:
    """A handler that records what it saw and fails as told."""

    def __init__(self, fail=lambda v: False, report=False):
        self.seen, self.calls, self.fail, self.report = [], [], fail, report

    def __call__(self, event, context):
        assert context.aws_request_id and context.get_remaining_time_in_millis() > 0
        values = _values(event)
        self.calls.append(values)
        bad = [r for r, v in zip(event["Records"], values, strict=True) if self.fail(v)]
        if bad and not self.report:
            raise ValueError(f"poison {bad[0]['kinesis']['sequenceNumber']}")
        self.seen += [v for v in values if not self.fail(v)]
        if bad:
            return {"batchItemFailures": [{"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r in bad]}
        return None


def test_records_arrive_in_order_in_batches_of_at_most_batch_size():
    arn = _stream()
    _put(arn, range(25))
    h = Recorder()
    report = esm.StreamMapping(h, arn, BatchSize=10).drain()
    assert [len(c) for c in h.calls] == [10, 10, 5]
    assert h.seen == list(range(25))
    assert report.calls == 3 and not report.discarded
    event_record = h.calls and report.invocations[0]
    assert event_record.outcome == "success" and event_record.source.startswith("shardId-")


def test_the_event_has_lambdas_record_shape():
    arn = _stream()
    seqs = _put(arn, [{"a": 1}])
    events = []
    esm.StreamMapping(lambda e, c: events.append(e), arn).drain()
    (r,) = events[0]["Records"]
    assert r["eventSource"] == "aws:kinesis" and r["eventName"] == "aws:kinesis:record"
    assert r["eventSourceARN"] == arn and r["kinesis"]["sequenceNumber"] == seqs[0]
    assert r["kinesis"]["partitionKey"] == "k" and r["eventID"].endswith(":" + seqs[0])
    assert isinstance(r["kinesis"]["approximateArrivalTimestamp"], float)


def test_order_is_kept_per_shard_across_shards():
    arn = _stream(shards=3)
    _put(arn, [{"key": i % 7, "n": i} for i in range(60)], key=lambda v: v["key"])
    h = Recorder()
    esm.StreamMapping(h, arn, BatchSize=4).drain()
    assert sorted(v["n"] for v in h.seen) == list(range(60))
    for key in range(7):
        ns = [v["n"] for v in h.seen if v["key"] == key]
        assert ns == sorted(ns), f"records of partition key {key} out of order: {ns}"


def test_a_failing_batch_is_retried_whole_then_discarded_to_the_destination():
    arn = _stream()
    url, qarn = _queue()
    _put(arn, range(6))
    h = Recorder(fail=lambda v: v == 1)
    report = esm.StreamMapping(h, arn, BatchSize=3, MaximumRetryAttempts=2,
                               DestinationConfig={"OnFailure": {"Destination": qarn}}).drain()
    assert h.calls[:3] == [[0, 1, 2]] * 3, "the first try and two retries of the same batch"
    assert h.calls[3:] == [[3, 4, 5]], "after the discard, the shard goes on"
    (sent,) = _drain_queue(url)
    info = sent["KinesisBatchInfo"]
    assert sent["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert sent["requestContext"]["approximateInvokeCount"] == 3
    assert info["batchSize"] == 3 and info["streamArn"] == arn
    assert [info["startSequenceNumber"], info["endSequenceNumber"]] == report.invocations[0].ids[::2]


def test_zero_retries_means_one_try():
    arn = _stream()
    _put(arn, range(2))
    h = Recorder(fail=lambda v: True)
    report = esm.StreamMapping(h, arn, MaximumRetryAttempts=0).drain()
    assert len(h.calls) == 1 and len(report.discarded) == 1


def test_bisecting_isolates_a_poison_record_and_loses_no_other():
    arn = _stream()
    _put(arn, range(8))
    h = Recorder(fail=lambda v: v == 5)
    report = esm.StreamMapping(h, arn, BatchSize=8, BisectBatchOnFunctionError=True,
                               MaximumRetryAttempts=1).drain()
    assert sorted(set(h.seen)) == [0, 1, 2, 3, 4, 6, 7]
    (lost,) = report.discarded
    assert lost["KinesisBatchInfo"]["batchSize"] == 1
    assert [5, 5] == [c[0] for c in h.calls if c == [5]], "the poison alone, tried and retried once"
    assert h.calls[:3] == [list(range(8)), [0, 1, 2, 3], [4, 5, 6, 7]]


def test_partial_batch_response_checkpoints_before_the_lowest_reported_record():
    arn = _stream()
    _put(arn, range(9))
    tries = {}

    def handler(event, context):
        values = _values(event)
        failed = []
        for r, v in zip(event["Records"], values, strict=True):
            tries[v] = tries.get(v, 0) + 1
            if v in (4, 6) and tries[v] == 1:  # fails once, then works
                failed.append({"itemIdentifier": r["kinesis"]["sequenceNumber"]})
        return {"batchItemFailures": failed[::-1]}  # in any order: the lowest counts

    report = esm.StreamMapping(handler, arn, BatchSize=9, FunctionResponseTypes=RBIF).drain()
    assert [len(i.ids) for i in report.invocations] == [9, 5], "retried from the 5th record"
    assert all(tries[v] == 1 for v in range(4)) and tries[4] == 2 and tries[8] == 2
    assert not report.discarded


@pytest.mark.parametrize("response", [
    {"batchItemFailures": [{"itemIdentifier": ""}]},
    {"batchItemFailures": [{"itemIdentifier": None}]},
    {"batchItemFailures": [{"sequenceNumber": "1"}]},
    {"batchItemFailures": [{"itemIdentifier": "12345"}]},  # not in the batch
], ids=["empty", "null", "bad-key", "unknown"])
def test_an_invalid_partial_response_fails_the_whole_batch(response):
    arn = _stream()
    _put(arn, range(3))
    calls = []

    def handler(event, context):
        calls.append(len(event["Records"]))
        return response if len(calls) == 1 else {"batchItemFailures": []}

    report = esm.StreamMapping(handler, arn, FunctionResponseTypes=RBIF).drain()
    assert calls == [3, 3], "the whole batch again"
    assert report.invocations[0].outcome == "error" and "itemIdentifier" in report.invocations[0].error


@pytest.mark.parametrize("response", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}])
def test_empty_or_null_responses_are_a_success(response):
    arn = _stream()
    _put(arn, range(3))
    report = esm.StreamMapping(lambda e, c: response, arn, FunctionResponseTypes=RBIF).drain()
    assert [i.outcome for i in report.invocations] == ["success"]


def test_reported_failures_are_ignored_without_report_batch_item_failures():
    arn = _stream()
    _put(arn, range(3))
    h = Recorder(fail=lambda v: v == 1, report=True)
    report = esm.StreamMapping(h, arn).drain()  # FunctionResponseTypes not set: the pitfall
    assert len(h.calls) == 1 and 1 not in h.seen, "record 1 is never retried: it is gone"
    assert report.warnings and "ReportBatchItemFailures" in report.warnings[0]


def test_records_older_than_the_maximum_age_are_discarded_unseen():
    arn = _stream()
    _put(arn, range(3))
    h = Recorder()
    late = esm.StreamMapping(h, arn, MaximumRecordAgeInSeconds=60, clock=lambda: time.time() + 61)
    report = late.drain()
    assert h.calls == [] and report.discarded[0]["requestContext"]["condition"] == "RecordAgeExceeded"
    h2 = Recorder()
    on_time = esm.StreamMapping(h2, arn, MaximumRecordAgeInSeconds=60,
                                clock=lambda: time.time() + 50)
    assert on_time.drain().discarded == [] and h2.seen == [0, 1, 2]


def test_a_batch_that_can_never_be_discarded_blocks_its_shard():
    arn = _stream()
    _put(arn, range(2))
    with pytest.raises(esm.ShardBlocked, match="blocked.*MaximumRetryAttempts"):
        esm.StreamMapping(Recorder(fail=lambda v: v == 0), arn).drain()


def test_the_api_bounds_are_enforced():
    arn = _stream()
    for bad in ({"BatchSize": 0}, {"BatchSize": 10_001}, {"MaximumRetryAttempts": -2},
                {"MaximumRecordAgeInSeconds": 59}, {"ParallelizationFactor": 2},
                {"TumblingWindowInSeconds": 901},
                {"StartingPosition": "AT_SEQUENCE_NUMBER"}):
        with pytest.raises(MasteryError):
            esm.StreamMapping(Recorder(), arn, **bad)
    esm.StreamMapping(Recorder(), arn, BatchSize=10_000, MaximumRecordAgeInSeconds=60)


def test_after_a_split_the_parent_is_read_before_its_children():
    arn = _stream()
    k = aws.client("kinesis")
    _put(arn, [{"n": i} for i in range(5)], key=lambda v: "same")
    shard = k.list_shards(StreamARN=arn)["Shards"][0]
    k.split_shard(StreamARN=arn, ShardToSplit=shard["ShardId"],
                  NewStartingHashKey=str(int(shard["HashKeyRange"]["EndingHashKey"]) // 2))
    _put(arn, [{"n": i} for i in range(5, 10)], key=lambda v: "same")
    h = Recorder()
    esm.StreamMapping(h, arn, BatchSize=3).drain()
    assert [v["n"] for v in h.seen] == list(range(10))


def test_dynamodb_stream_records_in_order_with_their_images():
    name = f"esm-{uuid.uuid4().hex[:8]}"
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "n": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"id": {"S": "a"}, "n": {"N": "2"}})
    ddb.delete_item(TableName=name, Key={"id": {"S": "a"}})
    seen = []

    def handler(event, context):
        for r in event["Records"]:
            assert r["eventSourceARN"] == stream and r["eventSource"] == "aws:dynamodb"
            d = r["dynamodb"]
            seen.append((r["eventName"], d.get("OldImage", {}).get("n"), d.get("NewImage", {}).get("n"),
                         d["SequenceNumber"]))
        return {"batchItemFailures": []}

    report = esm.StreamMapping(handler, stream, FunctionResponseTypes=RBIF).drain()
    assert [s[:3] for s in seen] == [("INSERT", None, {"N": "1"}), ("MODIFY", {"N": "1"}, {"N": "2"}),
                                     ("REMOVE", {"N": "2"}, None)]
    assert report.invocations[0].ids == [s[3] for s in seen]


def test_dynamodb_partial_failures_are_identified_by_sequence_number():
    name = f"esm-{uuid.uuid4().hex[:8]}"
    ddb = aws.client("dynamodb")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    stream = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    for i in range(4):
        ddb.put_item(TableName=name, Item={"id": {"S": str(i)}})
    calls = []

    def handler(event, context):
        ids = [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]
        calls.append(ids)
        if len(calls) == 1:
            third = event["Records"][2]["dynamodb"]["SequenceNumber"]
            return {"batchItemFailures": [{"itemIdentifier": third}]}
        return None

    esm.StreamMapping(handler, stream, FunctionResponseTypes=RBIF).drain()
    assert calls == [["0", "1", "2", "3"], ["2", "3"]]


# ---------------------------------------------------------------------------------------- SQS


def _send(url, values):
    sqs = aws.client("sqs")
    for v in values:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(v))


def test_sqs_success_deletes_the_batch_and_batches_gather_several_receives():
    url, arn = _queue()
    _send(url, range(25))
    seen = []

    def handler(event, context):
        assert all(r["eventSource"] == "aws:sqs" and r["eventSourceARN"] == arn for r in event["Records"])
        seen.append(len(event["Records"]))

    esm.QueueMapping(handler, arn, BatchSize=20, MaximumBatchingWindowInSeconds=1).drain()
    assert sum(seen) == 25 and max(seen) > 10
    assert _drain_queue(url) == []


def test_sqs_error_keeps_the_batch_and_the_redrive_policy_moves_the_poison():
    dlq_url, dlq_arn = _queue()
    url, arn = _queue(RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}))
    _send(url, [1, 2, 3])
    tries = {}

    def handler(event, context):
        bodies = [json.loads(r["body"]) for r in event["Records"]]
        for b in bodies:
            tries[b] = tries.get(b, 0) + 1
        if 2 in bodies:
            raise RuntimeError("poison")

    esm.QueueMapping(handler, arn, BatchSize=1).drain()
    assert tries[2] == 3, "received maxReceiveCount times, then moved by SQS"
    assert _drain_queue(dlq_url) == [2] and _drain_queue(url) == []


def test_sqs_partial_response_deletes_only_the_successes():
    url, arn = _queue()
    _send(url, [1, 2, 3, 4])
    tries = {}

    def handler(event, context):
        failed = []
        for r in event["Records"]:
            b = json.loads(r["body"])
            tries[b] = tries.get(b, 0) + 1
            if b % 2 == 0 and tries[b] == 1:
                failed.append({"itemIdentifier": r["messageId"]})
        return {"batchItemFailures": failed}

    report = esm.QueueMapping(handler, arn, FunctionResponseTypes=RBIF).drain()
    assert tries == {1: 1, 2: 2, 3: 1, 4: 2}
    assert report.invocations[0].outcome == "partial" and len(report.invocations[0].failed) == 2


def test_sqs_invalid_partial_response_keeps_every_message():
    url, arn = _queue()
    _send(url, [1, 2])
    calls = []

    def handler(event, context):
        calls.append(len(event["Records"]))
        return {"batchItemFailures": [{"itemIdentifier": "not-a-message-id"}]} if len(calls) == 1 else None

    esm.QueueMapping(handler, arn, FunctionResponseTypes=RBIF).drain()
    assert calls == [2, 2]


def test_sqs_bounds_and_a_queue_without_redrive_that_never_empties():
    url, arn = _queue()
    with pytest.raises(MasteryError, match="MaximumBatchingWindowInSeconds"):
        esm.QueueMapping(Recorder(), arn, BatchSize=11)
    fifo = aws.ensure_queue(f"esm-{uuid.uuid4().hex[:8]}.fifo", attributes={"FifoQueue": "true"})
    fifo_arn = _arn(fifo)
    with pytest.raises(MasteryError, match="BatchSize"):
        esm.QueueMapping(Recorder(), fifo_arn, BatchSize=11, MaximumBatchingWindowInSeconds=1)
    _send(url, [1])

    def always_fails(event, context):
        raise RuntimeError("poison")

    with pytest.raises(esm.ShardBlocked, match="redrive policy"):
        esm.QueueMapping(always_fails, arn).drain(max_polls=5)


def test_a_mapping_created_on_the_local_aws_is_run_with_its_settings():
    arn = _stream()
    lam = aws.client("lambda")
    role = aws.ensure_role("esm-test-role", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    fn = f"esm-{uuid.uuid4().hex[:8]}"
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return None\n")
    lam.create_function(FunctionName=fn, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": buf.getvalue()})
    m = lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=2,
                                        StartingPosition="TRIM_HORIZON")
    _put(arn, range(5))
    h = Recorder()
    runner = esm.from_aws(h, m["UUID"])
    runner.drain()
    assert runner.batch_size == 2 and [len(c) for c in h.calls] == [2, 2, 1]
    assert runner.function_name == fn
