"""Calling Lambda handlers in-process, as Lambda unit tests do.

The embedded emulator stores functions but cannot run their code (that needs Docker), so
the course calls handlers directly with real event shapes and this context object, which
has every attribute the Python runtime's context exposes
(https://docs.aws.amazon.com/lambda/latest/dg/python-context.html).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from mastery import aws


@dataclass
class LambdaContext:
    """The context object Lambda's Python runtime passes a handler."""

    function_name: str = "course-handler"
    memory_limit_in_mb: int = 128
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    timeout_ms: int = 30_000
    log_stream_name: str = "local"
    # The ARN the caller invoked: unqualified by default; through an alias it ends in the alias
    # (":live") while ``function_version`` is the version the alias resolved to ("7").
    invoked_function_arn: str = ""
    _started: float = field(default_factory=time.monotonic, repr=False)

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            self.invoked_function_arn = (
                f"arn:aws:lambda:{aws.REGION}:{aws.ACCOUNT_ID}:function:{self.function_name}")

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Counts down from ``timeout_ms`` since the invocation started, as Lambda's does."""
        return max(0, int(self.timeout_ms - (time.monotonic() - self._started) * 1000))


def lambda_context(function_name: str = "course-handler", **kwargs) -> LambdaContext:
    """A fresh context: a new ``aws_request_id`` per call, as for every real invocation."""
    return LambdaContext(function_name, **kwargs)
