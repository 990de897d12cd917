"""The events AWS services pass a Lambda handler, built the way the services build them.

The embedded emulator cannot run Lambda code, so the course calls handlers in process with
these events (and a :class:`mastery.lambdas.LambdaContext`), as Lambda's own unit tests do.
One builder per event source, each following the shape in the AWS documentation:

* :func:`http_api`         API Gateway HTTP API, payload format 2.0, optional JWT-authorizer claims
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)
* :func:`rest_authorizer`  API Gateway REST API, REQUEST-type Lambda authorizer input
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html)
* :func:`sqs`              an SQS batch (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html)
* :func:`kinesis`          a Kinesis Data Streams batch of one shard
  (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html)
* :func:`dynamodb_stream`  a DynamoDB Streams batch (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html)
* :func:`secret_rotation`  one step of a Secrets Manager rotation
  (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html)
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from mastery.aws import ACCOUNT_ID, REGION, to_item

USER_AGENT = "mastery-course"
SOURCE_IP = "203.0.113.7"  # TEST-NET-3 (RFC 5737): never a real client


def _json(body) -> str | None:
    return None if body is None else (body if isinstance(body, str) else json.dumps(body))


def http_api(method: str, path: str, *, route: str | None = None, path_params: dict | None = None,
             query: str = "", body=None, headers: dict | None = None, claims: dict | None = None,
             source_ip: str = SOURCE_IP, api_id: str = "orders-api") -> dict:
    """An HTTP API (payload 2.0) event for ``method path``. ``route`` is the route template
    (``/orders/{orderId}``, default: ``path``); ``claims`` become a JWT authorizer's claims."""
    template = route or path
    route_key = f"{method} {template}"
    now = datetime.now(UTC)
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"content-type": "application/json", "user-agent": USER_AGENT,
                    "host": f"{api_id}.execute-api.{REGION}.amazonaws.com", **(headers or {})},
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": api_id,
            "domainName": f"{api_id}.execute-api.{REGION}.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": USER_AGENT},
            "requestId": uuid.uuid4().hex[:16],
            "routeKey": route_key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if body is not None:  # API Gateway leaves ``body`` out of a request that has none
        event["body"] = _json(body)
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": dict(claims), "scopes": None}}
    if path_params:
        event["pathParameters"] = {k: str(v) for k, v in path_params.items()}
    return event


def rest_authorizer(headers: dict, *, path: str = "/orders", method: str = "GET",
                    source_ip: str = SOURCE_IP, api_id: str = "a1b2c3d4e5", stage: str = "prod") -> dict:
    """The input of a REQUEST-type Lambda authorizer of a REST API."""
    return {
        "type": "REQUEST",
        "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/{stage}/{method}{path}",
        "resource": path, "path": path, "httpMethod": method,
        "headers": dict(headers),
        "queryStringParameters": {}, "pathParameters": {}, "stageVariables": {},
        "requestContext": {"accountId": ACCOUNT_ID, "apiId": api_id, "stage": stage,
                           "requestId": str(uuid.uuid4()), "httpMethod": method, "resourcePath": path,
                           "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")}},
    }


def sqs(bodies: Iterable, queue: str = "queue", *, receive_count: int = 1,
        attributes: dict[str, str] | None = None) -> dict:
    """An SQS batch: one record per body (strings as they are, anything else as JSON)."""
    now = str(int(datetime.now(UTC).timestamp() * 1000))
    records = []
    for body in bodies:
        text = _json(body)
        records.append({
            "messageId": str(uuid.uuid4()),
            "receiptHandle": base64.b64encode(uuid.uuid4().bytes).decode(),
            "body": text,
            "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": now,
                           "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": now},
            "messageAttributes": {k: {"stringValue": v, "dataType": "String"}
                                  for k, v in (attributes or {}).items()},
            "md5OfBody": hashlib.md5(text.encode()).hexdigest(),  # noqa: S324 - what SQS sends
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue}",
            "awsRegion": REGION,
        })
    return {"Records": records}


def kinesis(records: Iterable[tuple[str, bytes | str | dict, str]], stream: str = "stream",
            shard_id: str = "shardId-000000000000", arrival: float | None = None) -> dict:
    """A batch of one shard: ``records`` are ``(partition_key, data, sequence_number)``;
    data is base64-encoded in the event, as Kinesis sends it."""
    t = arrival if arrival is not None else datetime.now(UTC).timestamp()
    stream_arn = f"arn:aws:kinesis:{REGION}:{ACCOUNT_ID}:stream/{stream}"
    return {"Records": [kinesis_record(key, data, seq, stream_arn=stream_arn, shard_id=shard_id, arrival=t)
                        for key, data, seq in records]}


def kinesis_record(key: str, data: bytes | str | dict, seq: str, *, stream_arn: str,
                   shard_id: str = "shardId-000000000000", arrival: float | None = None) -> dict:
    """One record of a Kinesis batch, as Lambda's event source mapping puts it in the event."""
    raw = data if isinstance(data, bytes) else (data.encode() if isinstance(data, str)
                                                else json.dumps(data).encode())
    return {
        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": key, "sequenceNumber": seq,
                    "data": base64.b64encode(raw).decode(),
                    "approximateArrivalTimestamp": arrival if arrival is not None
                    else datetime.now(UTC).timestamp()},
        "eventSource": "aws:kinesis", "eventVersion": "1.0",
        "eventID": f"{shard_id}:{seq}", "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT_ID}:role/course-execution-role",
        "awsRegion": REGION,
        "eventSourceARN": stream_arn,
    }


def dynamodb_stream(changes: Iterable[tuple[str, dict, dict | None, dict | None]], table: str = "table",
                    view: str = "NEW_AND_OLD_IMAGES", first_sequence: int = 100) -> dict:
    """A DynamoDB Streams batch: ``changes`` are ``(event_name, keys, new, old)`` with plain
    Python values (``INSERT``, ``MODIFY`` or ``REMOVE``); images become typed attribute maps."""
    now = int(datetime.now(UTC).timestamp())
    out = []
    for i, (name, keys, new, old) in enumerate(changes):
        if name not in ("INSERT", "MODIFY", "REMOVE"):
            raise ValueError(f"event name must be INSERT, MODIFY or REMOVE, not {name!r}")
        record = {"ApproximateCreationDateTime": now, "Keys": to_item(keys),
                  "SequenceNumber": str(first_sequence + i), "SizeBytes": 64, "StreamViewType": view}
        if new is not None and view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            record["NewImage"] = to_item(new)
        if old is not None and view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            record["OldImage"] = to_item(old)
        out.append({
            "eventID": uuid.uuid4().hex, "eventName": name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": REGION, "dynamodb": record,
            "eventSourceARN": (f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{table}"
                               "/stream/2026-01-01T00:00:00.000"),
        })
    return {"Records": out}


ROTATION_STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


def secret_rotation(secret_arn: str, token: str, step: str) -> dict:
    """The event Secrets Manager sends a rotation function for one step."""
    if step not in ROTATION_STEPS:
        raise ValueError(f"step must be one of {ROTATION_STEPS}, not {step!r}")
    return {"Step": step, "SecretId": secret_arn, "ClientRequestToken": token,
            "RotationToken": str(uuid.uuid4())}
