"""Plumbing for the multi-tenant week: an identity provider that puts a tenant in its tokens,
week 5's token verifier, HTTP API requests, and the task table.

Nothing here decides what a tenant may see: that is the learner's code. This module only:

* re-uses week 5's identity provider (:class:`~mastery.weeks.w05_zero_trust.zerotrust.KeyRing`,
  its ``claims``/``tamper``/``forge_*`` attack zoo) and adds a tenant claim to its tokens;
* :func:`verify_access_token` is week 5's verifier (the checks of its exercise, in its order:
  size, header, ``crit``, ``kid`` type, RS256 allow-list, explicit ``at+jwt`` typing, the kid in
  the JWKS, the signature, ``exp``/``nbf`` with leeway, ``iss``, ``aud``, required claims), made a
  library for month 4: it returns the verified claims or raises :class:`TokenRejected(reason)`.
  Week 5's graded exercise is where a learner writes it; month 4 builds on it;
* :func:`request` makes the HTTP API (payload 2.0) event a client's request becomes;
* :func:`task_table` creates the exercise's one table (``pk``/``sk`` strings: the key *values*
  are the learner's design).
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass

import jwt

from mastery import aws, events
from mastery.weeks.w05_zero_trust.zerotrust import KeyRing, claims, forge_alg_none, tamper  # noqa: F401

TENANT_CLAIM = "tenant_id"  # the claim the identity provider writes (Cognito: custom:tenant_id)
TOKEN_TYPE = "at+jwt"  # RFC 9068 access tokens, explicitly typed (RFC 8725 §3.11)
ALLOWED_ALGORITHMS = ("RS256",)
MAX_TOKEN_BYTES = 8 * 1024
LEEWAY_S = 30
REQUIRED = ("exp", "nbf", "iat", "sub")


class TokenRejected(Exception):
    """The token is not to be trusted; ``reason`` says why (one of week 5's deny reasons)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def verify_access_token(
    token: str, jwks: dict, *, issuer: str, audience: str, now: float | None = None
) -> dict:
    """Week 5's checks, in its order: the verified claims, or :class:`TokenRejected`."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_BYTES:
        raise TokenRejected("malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise TokenRejected("malformed") from None
    if "crit" in header or not isinstance(header.get("kid", ""), str):
        raise TokenRejected("malformed")
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise TokenRejected("alg-not-allowed")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") != TOKEN_TYPE:
        raise TokenRejected("wrong-type")
    keys = {k.get("kid"): k for k in (jwks or {}).get("keys", [])}
    if header.get("kid") not in keys:
        raise TokenRejected("unknown-kid")
    key = jwt.PyJWK(keys[header["kid"]]).key
    try:
        body = jwt.decode(
            token,
            key,
            algorithms=list(ALLOWED_ALGORITHMS),
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise TokenRejected("bad-signature") from None
    except jwt.InvalidTokenError:
        raise TokenRejected("malformed") from None
    if not isinstance(body, dict) or any(not isinstance(body.get(c), int | str) for c in REQUIRED):
        raise TokenRejected("missing-claim")
    t = time.time() if now is None else now
    if not isinstance(body["exp"], int) or t > body["exp"] + LEEWAY_S:
        raise TokenRejected("expired")
    if not isinstance(body["nbf"], int) or t < body["nbf"] - LEEWAY_S:
        raise TokenRejected("not-yet-valid")
    if body.get("iss") != issuer:
        raise TokenRejected("wrong-issuer")
    aud = body.get("aud")
    if audience not in (aud if isinstance(aud, list) else [aud]):
        raise TokenRejected("wrong-audience")
    return body


class IdentityProvider:
    """Week 5's key ring, issuing access tokens that name the user's tenant."""

    def __init__(self, issuer: str, audience: str):
        self.issuer, self.audience = issuer, audience
        self.ring = KeyRing(issuer, key_size=2048)

    def jwks(self) -> dict:
        return self.ring.jwks()

    def token(
        self,
        tenant: str | None,
        *,
        sub: str = "user-1",
        now: float | None = None,
        ttl: int = 3600,
        signer: KeyRing | None = None,
        **extra,
    ) -> str:
        """An ``at+jwt`` access token for ``sub`` of ``tenant`` (``None``: no tenant claim)."""
        c = claims(self.issuer, self.audience, now=now, sub=sub, ttl=ttl, **extra)
        if tenant is not None:
            c[TENANT_CLAIM] = tenant
        ring = signer or self.ring
        return ring.sign(
            c,
            kid=ring.active if signer else None,
            headers={"typ": TOKEN_TYPE, **({"kid": self.ring.active} if signer else {})},
        )

    def verify(self, token: str) -> dict:
        """The verified claims of ``token`` against this provider's current JWKS."""
        return verify_access_token(token, self.jwks(), issuer=self.issuer, audience=self.audience)


def request(
    token: str | None,
    method: str = "GET",
    path: str = "/tasks",
    *,
    headers: dict | None = None,
    query: str = "",
    body=None,
    scheme: str = "Bearer",
) -> dict:
    """The HTTP API (payload 2.0) event of a client's request, ``token`` sent as a bearer token."""
    h = dict(headers or {})
    if token is not None:
        h["authorization"] = f"{scheme} {token}"
    return events.http_api(method, path, headers=h, query=query, body=body)


def task_table(ns: aws.Namespace, name: str = "tasks", ddb=None) -> str:
    """The exercise's one table: string keys ``pk`` (partition) and ``sk`` (sort), on demand."""
    return aws.ensure_table(ns.name(name), "pk", "sk", ddb=ddb)


def unverified_claims(token: str) -> dict:
    """The claims without any check (for showing what an attacker wrote; never for trusting)."""
    return json.loads(jwt.api_jws.decode_complete(token, options={"verify_signature": False})["payload"])


# ------------------------------------------------------------------- the graded random workload

STATUSES = ("open", "doing", "done")
# The hidden test's workload: 24 tenants (``rnd0``..``rnd23``: ``rnd1`` is a prefix of ``rnd10``..
# ``rnd19``, so a begins_with on a tenant id leaks) sharing 12 task ids, 600 requests.
GRADED = {"seed": 1313, "tenants": 24, "requests": 600, "ids": 12, "prefix": "rnd"}


@dataclass(frozen=True)
class Op:
    """One request of the workload: ``kind`` is create, get, update, delete or list."""

    tenant: str
    kind: str
    task_id: str = ""
    title: str = ""
    status: str = ""


def workload(seed: int, tenants: int, requests: int, ids: int, prefix: str) -> list[Op]:
    """Seeded requests from ``tenants`` tenants over task ids shared by all of them (so most
    reads of an id a tenant does not hold are another tenant's id: a guessed id). About one
    request in twelve repeats the tenant's last create exactly: a client retrying a request
    whose response was lost."""
    rng = random.Random(seed)
    names = [f"{prefix}{i}" for i in range(tenants)]
    kinds = ["create"] * 4 + ["get"] * 3 + ["update"] * 2 + ["delete", "list", "retry"]
    words = ["plan", "ship", "fix", "review", "Überprüfen", "合并", "deploy", "test", "rollback"]
    ops: list[Op] = []
    last_create: dict[str, Op] = {}
    for _ in range(requests):
        kind, tenant = rng.choice(kinds), rng.choice(names)
        if kind == "retry" and tenant in last_create:
            ops.append(last_create[tenant])
            continue
        kind = "create" if kind == "retry" else kind
        writes = kind in ("create", "update")
        title = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4))) if writes else ""
        task_id = "" if kind == "list" else f"task-{rng.randrange(ids):02d}"
        ops.append(Op(tenant, kind, task_id, title, rng.choice(STATUSES) if writes else ""))
        if kind == "create":
            last_create[tenant] = ops[-1]
    return ops


def graded_ops() -> list[Op]:
    return workload(**GRADED)


def model(ops: list[Op]) -> tuple[list[tuple], dict[str, dict[str, dict]]]:
    """What each request must answer, and each tenant's tasks afterwards, for a correct
    tenant-isolated repository: ``("ok", task)``, ``("ok", [tasks sorted by id])``,
    ``("ok", None)`` (a delete), ``("not-found",)`` or ``("conflict",)``. Creating a task the
    tenant holds with the same title and status is a retry and answers the task."""
    state: dict[str, dict[str, dict]] = {}
    answers: list[tuple] = []
    for op in ops:
        mine = state.setdefault(op.tenant, {})
        if op.kind == "list":
            answers.append(("ok", [mine[k] for k in sorted(mine)]))
        elif op.kind == "create":
            task = {"task_id": op.task_id, "title": op.title, "status": op.status}
            if op.task_id in mine:  # the same create again is a retry; anything else a conflict
                answers.append(("ok", task) if mine[op.task_id] == task else ("conflict",))
            else:
                mine[op.task_id] = {"task_id": op.task_id, "title": op.title, "status": op.status}
                answers.append(("ok", mine[op.task_id]))
        elif op.task_id not in mine:
            answers.append(("not-found",))
        elif op.kind == "get":
            answers.append(("ok", mine[op.task_id]))
        elif op.kind == "update":
            mine[op.task_id] = {"task_id": op.task_id, "title": op.title, "status": op.status}
            answers.append(("ok", mine[op.task_id]))
        else:
            del mine[op.task_id]
            answers.append(("ok", None))
    return answers, state


def by_tenant(ops: list[Op]) -> dict[str, list[int]]:
    """The indices of each tenant's requests, in order: tenants are independent, so their
    requests can run in parallel (one tenant's in order) and the model still holds."""
    out: dict[str, list[int]] = {}
    for i, op in enumerate(ops):
        out.setdefault(op.tenant, []).append(i)
    return out
