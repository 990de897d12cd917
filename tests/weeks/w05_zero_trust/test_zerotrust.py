"""zerotrust: the key ring, the token zoo, the request events and the rotation driver."""

from __future__ import annotations

import time

import jwt
import pytest

from mastery import aws
from mastery.weeks.w05_zero_trust import zerotrust

ISS, AUD = "https://id.example.com/", "orders-api"


@pytest.fixture(scope="module")
def ring():
    return zerotrust.KeyRing(ISS)


def _verify(token, ring):
    key = jwt.PyJWKSet.from_dict(ring.jwks())[jwt.get_unverified_header(token)["kid"]].key
    return jwt.decode(token, key, algorithms=["RS256"], audience=AUD, issuer=ISS)


def test_signed_token_verifies_with_published_jwks(ring):
    token = ring.sign(zerotrust.claims(ISS, AUD, sub="carol"))
    assert zerotrust.header_of(token) == {"alg": "RS256", "kid": ring.active, "typ": "JWT"}
    assert _verify(token, ring)["sub"] == "carol"


def test_jwks_has_public_parts_only(ring):
    (jwk,) = [k for k in ring.jwks()["keys"] if k["kid"] == ring.active]
    assert jwk["kty"] == "RSA" and {"n", "e"} <= jwk.keys()
    assert not {"d", "p", "q", "dp", "dq", "qi"} & jwk.keys(), "the JWKS must not leak the private key"


def test_claims_are_numeric_dates_in_seconds():
    c = zerotrust.claims(ISS, AUD, now=1_700_000_000.9, ttl=300, mfa_age=60, exp=None)
    assert c["iat"] == c["nbf"] == 1_700_000_000 and c["auth_time"] == 1_699_999_940
    assert "exp" not in c, "a None claim is left out"
    assert "mfa" in c["amr"]


def test_rotation_keeps_old_key_until_retired():
    r = zerotrust.KeyRing(ISS)
    old = r.active
    before = r.sign(zerotrust.claims(ISS, AUD))
    new = r.rotate()
    assert new != old and r.active == new
    assert {k["kid"] for k in r.jwks()["keys"]} == {old, new}
    assert _verify(before, r)
    with pytest.raises(ValueError):
        r.retire(new)
    r.retire(old)
    assert [k["kid"] for k in r.jwks()["keys"]] == [new]


def test_forgeries_are_rejected_by_a_strict_verifier(ring):
    c = zerotrust.claims(ISS, AUD)
    none_token = zerotrust.forge_alg_none(c, ring.active)
    assert none_token.endswith(".") and zerotrust.header_of(none_token)["alg"] == "none"
    confused = zerotrust.forge_hs256_with_public_key(c, ring.public_pem(), ring.active)
    assert zerotrust.header_of(confused)["alg"] == "HS256"
    for bad in (none_token, confused):
        with pytest.raises(jwt.InvalidAlgorithmError):
            _verify(bad, ring)
    with pytest.raises(jwt.InvalidSignatureError):
        _verify(zerotrust.tamper(ring.sign(c), sub="admin"), ring)


def test_tamper_changes_claims_and_keeps_signature(ring):
    token = ring.sign(zerotrust.claims(ISS, AUD, sub="alice"))
    forged = zerotrust.tamper(token, sub="admin")
    assert forged.rsplit(".", 1)[1] == token.rsplit(".", 1)[1]
    assert jwt.decode(forged, options={"verify_signature": False})["sub"] == "admin"


def test_hs256_forgery_is_the_real_attack(ring):
    """The forged token does verify as HS256 keyed with the PEM: the attack works on a naive verifier."""
    import base64
    import hashlib
    import hmac

    token = zerotrust.forge_hs256_with_public_key(zerotrust.claims(ISS, AUD), ring.public_pem(), ring.active)
    signing_input, _, sig = token.rpartition(".")
    mac = hmac.new(ring.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64encode(mac).rstrip(b"=").decode() == sig


def test_authorizer_event_shape():
    e = zerotrust.authorizer_event("abc", device_id=None, source_ip="10.0.0.1")
    assert e["type"] == "REQUEST" and e["methodArn"].startswith("arn:aws:execute-api:")
    assert e["headers"]["Authorization"] == "Bearer abc" and "X-Device-Id" not in e["headers"]
    assert e["requestContext"]["identity"]["sourceIp"] == "10.0.0.1"
    assert "Authorization" not in zerotrust.authorizer_event(None)["headers"]


def test_lambda_context_counts_down():
    ctx = zerotrust.LambdaContext(function_name="f")
    assert ctx.invoked_function_arn.endswith(":function:f")
    assert 0 < ctx.get_remaining_time_in_millis() <= 30_000


def test_rotation_event_rejects_unknown_step():
    with pytest.raises(ValueError):
        zerotrust.rotation_event("arn", "tok", "deleteSecret")


# --------------------------------------------------------------------- against the backend

backend = pytest.mark.usefixtures("local_aws")


@pytest.fixture
def ns():
    return aws.namespace(f"t-zt-{time.time_ns() % 10**8}")


@backend
def test_device_registry_and_user_database(ns):
    reg = zerotrust.DeviceRegistry(ns)
    reg.register("d1", "ann", compliant=False)
    item = aws.client("dynamodb").get_item(TableName=reg.table, Key={"deviceId": {"S": "d1"}})["Item"]
    assert item["compliant"] == {"BOOL": False} and item["owner"] == {"S": "ann"}
    db = zerotrust.UserDatabase(ns)
    db.set_password("app", "pw1")
    assert db.login("app", "pw1") and not db.login("app", "pw2") and not db.login("nobody", "pw1")
    items = aws.scan_all(db.table)
    assert items and "pw1" not in repr(items), "the database must store a hash, not the password"
    for t in (reg.table, db.table):
        aws.delete_table(t)


@backend
def test_ensure_key_is_idempotent(ns):
    kms = aws.client("kms")
    alias = zerotrust.ensure_key(ns, kms=kms)
    assert zerotrust.ensure_key(ns, kms=kms) == alias
    assert len([a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == alias]) == 1


@backend
def test_rotate_secret_sends_four_steps_in_order(ns):
    name = ns.name("secret")
    arn = zerotrust.fresh_secret(name, {"password": "a"})
    assert zerotrust.fresh_secret(name, {"password": "b"}).startswith(arn.rsplit("-", 1)[0])  # re-created
    assert zerotrust.secret_json(name) == {"password": "b"}
    seen = []
    token = zerotrust.rotate_secret(name, lambda event, ctx: seen.append(event))
    assert [e["Step"] for e in seen] == list(zerotrust.ROTATION_STEPS)
    assert {e["ClientRequestToken"] for e in seen} == {token}
    assert all(e["SecretId"].startswith("arn:aws:secretsmanager:") for e in seen)
    assert list(zerotrust.stages(name).values()) == [["AWSCURRENT"]]


@backend
def test_rotate_secret_stops_at_a_failing_step(ns):
    name = ns.name("secret2")
    zerotrust.fresh_secret(name, {"password": "a"})
    seen = []

    def handler(event, ctx):
        seen.append(event["Step"])
        if event["Step"] == "testSecret":
            raise RuntimeError("cannot log in")

    with pytest.raises(RuntimeError):
        zerotrust.rotate_secret(name, handler)
    assert seen == ["createSecret", "setSecret", "testSecret"]


def test_sign_raw_signs_exactly_the_header_given(ring):
    header = {"alg": "RS256", "typ": "at+jwt", "kid": ["not", "a", "string"],
              "crit": ["x-policy"], "x-policy": 1}
    token = ring.sign_raw(header, zerotrust.claims(ISS, AUD))
    head, body, sig = token.split(".")
    import base64
    import json

    assert json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))) == header
    # the signature is our active key's RS256 over the signing input: verify it without PyJWT's header checks
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    ring.keys[ring.active].public_key().verify(
        base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)), f"{head}.{body}".encode(),
        padding.PKCS1v15(), hashes.SHA256())


def test_forged_tokens_carry_the_type_the_forger_chooses(ring):
    none = zerotrust.forge_alg_none(zerotrust.claims(ISS, AUD), ring.active, typ="at+jwt")
    assert jwt.get_unverified_header(none)["typ"] == "at+jwt"
    hs = zerotrust.forge_hs256_with_public_key(zerotrust.claims(ISS, AUD), ring.public_pem(), ring.active)
    assert jwt.get_unverified_header(hs)["typ"] == "JWT"
