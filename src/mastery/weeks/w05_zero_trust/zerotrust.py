"""Plumbing for the zero-trust week: an identity provider's signing keys, a token zoo, API
Gateway authorizer events, a device registry, a KMS key, and a Secrets Manager rotation driver.

None of this validates anything: validating tokens, sealing envelopes and rotating secrets is
what the learner writes. This module only *makes* what they validate:

* :class:`KeyRing` is an identity provider: RSA keys with key ids (``kid``), a JWKS document
  (RFC 7517) that lists the keys still trusted, signing, and key rotation with an overlap;
* :func:`claims` and the ``forge_*`` functions make good and bad tokens, including the attacks
  of RFC 8725 §2.1 (``alg: none``) and §2.1/§3.1 (HS256 keyed with the RSA public key);
* :func:`authorizer_event` is the event API Gateway sends a REQUEST Lambda authorizer;
* :class:`DeviceRegistry` and :class:`UserDatabase` are small DynamoDB tables (device posture,
  and the "database" whose password a rotation changes);
* :func:`rotate_secret` plays Secrets Manager's part in a rotation: the embedded emulator cannot
  run a rotation Lambda (no Docker), so this calls the handler in process with the same four
  events (createSecret, setSecret, testSecret, finishSecret) Secrets Manager would send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass, field

import jwt
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mastery import aws, events
from mastery.events import ROTATION_STEPS
from mastery.events import secret_rotation as rotation_event
from mastery.lambdas import LambdaContext as LambdaContext  # re-exported: the handlers' context
from mastery.lambdas import lambda_context

# ------------------------------------------------------------------------------ keys / JWKS


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class KeyRing:
    """An identity provider's RSA signing keys. ``active`` signs; ``jwks()`` publishes every
    key not yet retired, so tokens signed just before a rotation still verify."""

    issuer: str
    key_size: int = 2048
    keys: dict = field(default_factory=dict)  # kid -> RSAPrivateKey, oldest first
    active: str = ""

    def __post_init__(self):
        if not self.keys:
            self.rotate()

    def rotate(self) -> str:
        """Make a new key, sign with it from now on, keep the old ones published. Returns its kid."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=self.key_size)
        kid = f"k-{uuid.uuid4().hex[:10]}"
        self.keys[kid] = key
        self.active = kid
        return kid

    def retire(self, kid: str) -> None:
        """Stop publishing ``kid``: tokens it signed no longer verify."""
        if kid == self.active:
            raise ValueError("cannot retire the active signing key; rotate first")
        self.keys.pop(kid, None)

    def public_jwk(self, kid: str) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.keys[kid].public_key(), as_dict=True)
        return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}

    def jwks(self) -> dict:
        """The JWKS document the provider serves at its ``jwks_uri`` (a fresh copy)."""
        return {"keys": [self.public_jwk(kid) for kid in self.keys]}

    def public_pem(self, kid: str | None = None) -> bytes:
        return self.keys[kid or self.active].public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, payload: dict, kid: str | None = None, headers: dict | None = None) -> str:
        kid = kid or self.active
        return jwt.encode(payload, self.keys[kid], algorithm="RS256", headers={"kid": kid, **(headers or {})})

    def sign_raw(self, header: dict, payload: dict, kid: str | None = None) -> str:
        """An RS256 signature by ``kid`` (default: the active key) over exactly ``header`` and
        ``payload``, with no checks: the header may carry what a library refuses to write
        (a ``crit`` extension, a non-string ``kid``), so a verifier meets it signed."""
        signing_input = _unsigned(header, payload)
        key = self.keys[kid or self.active]
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + _b64url(signature)


# ------------------------------------------------------------------------------- the zoo


def claims(issuer: str, audience: str, *, now: float | None = None, sub: str = "alice", ttl: int = 300,
           mfa_age: int = 60, amr: tuple[str, ...] = ("pwd", "mfa"), **extra) -> dict:
    """Claims of an access token issued ``now`` (seconds), valid ``ttl`` seconds, for a user who
    passed MFA ``mfa_age`` seconds ago. Times are NumericDate: whole seconds (RFC 7519 §2)."""
    now = int(time.time() if now is None else now)
    c = {"iss": issuer, "aud": audience, "sub": sub, "iat": now, "nbf": now, "exp": now + ttl,
         "auth_time": now - mfa_age, "amr": list(amr), "jti": uuid.uuid4().hex}
    c.update(extra)
    return {k: v for k, v in c.items() if v is not None}


def _unsigned(header: dict, payload: dict) -> str:
    return (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
            + _b64url(json.dumps(payload, separators=(",", ":")).encode()))


def forge_alg_none(payload: dict, kid: str, typ: str = "JWT") -> str:
    """An unsecured JWT (``alg: none``, empty signature): RFC 7519 §6, rejected by RFC 8725 §3.1.
    The forger writes the header, so ``typ`` is whatever the verifier wants to see."""
    return _unsigned({"alg": "none", "typ": typ, "kid": kid}, payload) + "."


def forge_hs256_with_public_key(payload: dict, public_pem: bytes, kid: str, typ: str = "JWT") -> str:
    """HS256 keyed with the RSA *public* key (anyone has it): the algorithm-confusion attack of
    RFC 8725 §2.1. A verifier that picks the algorithm from the token's header accepts it."""
    signing_input = _unsigned({"alg": "HS256", "typ": typ, "kid": kid}, payload)
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64url(mac)


def tamper(token: str, **changes) -> str:
    """The same signature over changed claims (e.g. ``sub="admin"``): a forged token."""
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(changes)
    return header + "." + _b64url(json.dumps(body, separators=(",", ":")).encode()) + "." + signature


def header_of(token: str) -> dict:
    """The token's JOSE header, unverified (for showing, never for trusting)."""
    return jwt.get_unverified_header(token)


# ---------------------------------------------------------------------------- requests


def authorizer_event(token: str | None, *, device_id: str | None = "laptop-alice",
                     source_ip: str = "203.0.113.7", path: str = "/orders", method: str = "GET") -> dict:
    """The event API Gateway (REST, REQUEST authorizer) passes to a Lambda authorizer, from a
    client that sends ``token`` as a bearer token and ``device_id`` in ``X-Device-Id``."""
    headers = {"Host": "api.example.com", "User-Agent": "course-client/1.0"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if device_id is not None:
        headers["X-Device-Id"] = device_id
    return events.rest_authorizer(headers, path=path, method=method, source_ip=source_ip)


# -------------------------------------------------------------------- DynamoDB-backed state


class DeviceRegistry:
    """Device posture, as an MDM would report it: one item per device id."""

    def __init__(self, ns: aws.Namespace, ddb=None):
        self.ddb = ddb or aws.client("dynamodb")
        self.table = aws.ensure_table(ns.name("devices"), "deviceId", ddb=self.ddb)

    def register(self, device_id: str, owner: str, *, compliant: bool = True, managed: bool = True) -> None:
        self.ddb.put_item(TableName=self.table, Item={
            "deviceId": {"S": device_id}, "owner": {"S": owner},
            "compliant": {"BOOL": compliant}, "managed": {"BOOL": managed}})

    def forget(self, device_id: str) -> None:
        self.ddb.delete_item(TableName=self.table, Key={"deviceId": {"S": device_id}})


class UserDatabase:
    """A stand-in for a database's user table: the password a rotation must change.
    Stores a salted PBKDF2 hash (not the password), like any database worth the name."""

    def __init__(self, ns: aws.Namespace, ddb=None):
        self.ddb = ddb or aws.client("dynamodb")
        self.table = aws.ensure_table(ns.name("db-users"), "username", ddb=self.ddb)

    @staticmethod
    def _hash(password: str, salt: bytes) -> str:
        return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000).hex()

    def set_password(self, username: str, password: str) -> None:
        salt = uuid.uuid4().bytes
        self.ddb.put_item(TableName=self.table, Item={
            "username": {"S": username}, "salt": {"B": salt}, "hash": {"S": self._hash(password, salt)}})

    def login(self, username: str, password: str) -> bool:
        item = self.ddb.get_item(TableName=self.table, Key={"username": {"S": username}},
                                 ConsistentRead=True).get("Item")
        return bool(item) and hmac.compare_digest(item["hash"]["S"], self._hash(password, item["salt"]["B"]))


# ------------------------------------------------------------------------------------ KMS


def ensure_key(ns: aws.Namespace, name: str = "data", kms=None) -> str:
    """A symmetric KMS key behind the alias ``alias/<namespace>-<name>`` (created once)."""
    return aws.ensure_kms_key(f"alias/{ns.name(name)}", description=f"course key {ns.name(name)}",
                              tags=ns.tags, kms=kms)


# ------------------------------------------------------------------------ Secrets Manager


def fresh_secret(name: str, value: dict, sm=None) -> str:
    """(Re)create secret ``name`` holding ``value`` as JSON, with no history. Returns its ARN."""
    sm = sm or aws.client("secretsmanager")
    try:
        sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    return sm.create_secret(Name=name, SecretString=json.dumps(value))["ARN"]


def rotate_secret(secret_id: str, handler, *, steps=ROTATION_STEPS, token: str | None = None, sm=None) -> str:
    """Run one rotation of ``secret_id`` through ``handler(event, context)``, as Secrets Manager
    does: a new ClientRequestToken (the new version's id), then the four steps in order.
    Returns the token. An exception from a step stops the rotation, as it would on AWS."""
    sm = sm or aws.client("secretsmanager")
    arn = sm.describe_secret(SecretId=secret_id)["ARN"]
    token = token or str(uuid.uuid4())
    for step in steps:
        handler(rotation_event(arn, token, step), lambda_context("secret-rotation"))
    return token


def stages(secret_id: str, sm=None) -> dict[str, list[str]]:
    """version id -> staging labels of a secret (only versions that still have a label)."""
    sm = sm or aws.client("secretsmanager")
    v = sm.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})
    return {k: sorted(s) for k, s in v.items() if s}


def secret_json(secret_id: str, stage: str = "AWSCURRENT", sm=None) -> dict:
    sm = sm or aws.client("secretsmanager")
    return json.loads(sm.get_secret_value(SecretId=secret_id, VersionStage=stage)["SecretString"])
