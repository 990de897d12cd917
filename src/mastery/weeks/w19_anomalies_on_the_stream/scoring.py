"""A model behind a SageMaker-runtime-shaped port (ports and adapters), run in process.

The handler asks for scores through one call, the shape of the SageMaker runtime's
``InvokeEndpoint`` (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html,
checked 2026-12-02): ``invoke_endpoint(EndpointName=, Body=, ContentType=, Accept=)`` returning
``{"Body": <stream with .read()>, "ContentType": ..., "InvokedProductionVariant": ...}``. Two
adapters fit it: boto3's ``sagemaker-runtime`` client (a real endpoint) and
:class:`InProcessEndpoint` (the same model in this process). :func:`score` only knows the port.

What the local emulator does with ``InvokeEndpoint`` (moto 5.2.5,
``moto/sagemakerruntime/models.py`` and ``responses.py``, read 2026-12-02): no model runs and the
endpoint need not exist; the first request of each distinct (endpoint, body, ``Accept``,
``X-Amzn-SageMaker-*`` headers) takes the next result queued through
``POST /moto-api/static/sagemaker/endpoint-results``, or else the static body ``b"body"`` with
content type ``"content_type"``; the same request later gets the same answer again. So the
emulator proves the call's *shape*, never a score: tests run the model in process.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from statistics import median

from mastery.weeks.w19_anomalies_on_the_stream import anomalies

CONTENT_TYPE = "application/json"
MOTO_STATIC_BODY = b"body"              # what moto 5.2.5 returns when no result is queued
MOTO_STATIC_CONTENT_TYPE = "content_type"


def robust_score(history, x) -> float:
    """``|x - median| / max(MAD, MAD_FLOOR)`` over ``history``: above ``anomalies.K`` is anomalous;
    ``0.0`` in the warm-up (fewer than ``anomalies.WARMUP`` values)."""
    h = [Decimal(str(v)) for v in history][-anomalies.HISTORY:]
    if len(h) < anomalies.WARMUP:
        return 0.0
    m = median(h)
    mad = max(median([abs(v - m) for v in h]), anomalies.MAD_FLOOR)
    return float(abs(Decimal(str(x)) - m) / mad)


class InProcessEndpoint:
    """The SageMaker runtime's ``invoke_endpoint``, answered by ``model`` in this process.
    ``model(instance) -> float`` scores one ``{"history": [...], "x": ...}`` instance; the body is
    ``{"instances": [...]}``, the answer ``{"scores": [...]}`` (JSON both ways). ``calls`` counts
    invocations, as a test wants."""

    def __init__(self, model=None, variant: str = "in-process"):
        self.model = model or (lambda i: robust_score(i["history"], i["x"]))
        self.variant, self.calls = variant, 0

    def invoke_endpoint(self, *, EndpointName: str, Body, ContentType: str = CONTENT_TYPE,  # noqa: N803
                        Accept: str = CONTENT_TYPE, **_) -> dict:
        self.calls += 1
        if ContentType != CONTENT_TYPE:
            raise ValueError(f"unsupported content type {ContentType!r}")  # a 415 on SageMaker
        instances = json.loads(Body)["instances"]
        out = json.dumps({"scores": [self.model(i) for i in instances]}).encode()
        return {"Body": io.BytesIO(out), "ContentType": Accept, "InvokedProductionVariant": self.variant}


def score(runtime, endpoint: str, instances: list[dict]) -> list[float]:
    """The port: one ``invoke_endpoint`` call for a batch of instances, through any adapter."""
    body = json.dumps({"instances": instances}, default=str)
    response = runtime.invoke_endpoint(EndpointName=endpoint, Body=body, ContentType=CONTENT_TYPE,
                                       Accept=CONTENT_TYPE)
    raw = response["Body"].read()
    try:
        return [float(s) for s in json.loads(raw)["scores"]]
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"endpoint {endpoint} answered {raw[:60]!r} ({response.get('ContentType')}), "
                         "not {\"scores\": [...]}") from None
