"""Trusted checks of the week-5 exercise (zero trust; see :mod:`mastery.grading.integrity`).

Only the rotation tests leave state on the backend (the secret's versions and stages, and the
database's password): the grading process reads both itself after the cell, with its own
clients, and checks them against the spec. Everything else in the exercise checks what a
function returns (``authenticate``'s decisions, ``seal``/``unseal``) and stays kernel-side.
"""

from __future__ import annotations

import hashlib
import hmac
import json

EXERCISE = "m02-zero-trust"  # the exercise's namespace (its setup cell)
USERNAME = "orders_app"
MIN_PASSWORD = 32


def _login(ctx, username: str, password: str) -> bool:
    """The database's login, restated (salted PBKDF2-SHA256, 10,000 rounds)."""
    item = ctx.client("dynamodb").get_item(TableName=ctx.namespace(EXERCISE).name("db-users"),
                                           Key={"username": {"S": username}}, ConsistentRead=True).get("Item")
    if not item:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), item["salt"]["B"], 10_000).hex()
    return hmac.compare_digest(item["hash"]["S"], digest)


def _rotated_from(ctx, old_password: str) -> None:
    sm = ctx.client("secretsmanager")
    secret = ctx.namespace(EXERCISE).name("orders-db")
    stages = sm.describe_secret(SecretId=secret).get("VersionIdsToStages", {})
    versions = {v: s for v, s in stages.items() if s}
    current = [v for v, s in versions.items() if "AWSCURRENT" in s]
    previous = [v for v, s in versions.items() if "AWSPREVIOUS" in s]
    assert len(current) == 1 and len(previous) == 1 and current != previous, (
        f"after a rotation the backend should hold one AWSCURRENT and one older AWSPREVIOUS version; "
        f"its stages are {versions}")

    def value(version: str) -> dict:
        return json.loads(sm.get_secret_value(SecretId=secret, VersionId=version)["SecretString"])

    new, old = value(current[0]), value(previous[0])
    assert new.get("username") == USERNAME, f"the rotated secret on the backend names {new.get('username')!r}"
    password = new.get("password")
    assert isinstance(password, str) and password != old_password and len(password) >= MIN_PASSWORD, (
        f"the AWSCURRENT password on the backend is not a new {MIN_PASSWORD}-character password")
    assert old.get("password") == old_password, "AWSPREVIOUS on the backend is not the version rotated from"
    assert _login(ctx, USERNAME, password), (
        "the database on the backend does not accept the AWSCURRENT password")
    assert not _login(ctx, USERNAME, old_password), (
        "the database on the backend still accepts the old password")


def rotation(ctx) -> None:
    """test-rotation: rotated from old-password-1 by rotate_secret."""
    _rotated_from(ctx, "old-password-1")


def rotation_steps(ctx) -> None:
    """test-rotation-steps: rotated from old-password-2, step by step (with retried steps)."""
    _rotated_from(ctx, "old-password-2")


TRUSTED = {
    "test-rotation": rotation,
    "test-rotation-steps": rotation_steps,
}
