# Wrong answer: Accepts HS256 next to RS256 and keys the HMAC with the RSA public key everyone has, so anyone can mint a token (algorithm confusion, RFC 8725 §2.1).
# cell: authenticate
# loses: test-hs256-public-key
def authenticate(event, jwks):
    """Allow or deny one API Gateway authorizer event. Return Decision(allow, reason)."""
    headers = event.get("headers") or {}
    auth = headers.get("Authorization") or ""
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return Decision(False, "missing-token")
    token = auth[7:].strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        return Decision(False, "malformed")
    if header.get("alg") not in ("RS256", "HS256"):
        return Decision(False, "alg-not-allowed")
    keys = {k.get("kid"): k for k in jwks.get("keys", [])}
    if header.get("kid") not in keys:
        return Decision(False, "unknown-kid")
    key = jwt.PyJWK(keys[header["kid"]]).key
    if header["alg"] == "HS256":  # "support symmetric tokens too", keyed with what we have: the PEM
        import hashlib
        import hmac
        from cryptography.hazmat.primitives import serialization
        pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        signing_input, _, sig = token.rpartition(".")
        mac = base64.urlsafe_b64encode(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(mac.rstrip(b"=").decode(), sig):
            return Decision(False, "bad-signature")
        key, token = None, None
        claims = jwt.decode(signing_input + ".", options={"verify_signature": False})
        return Decision(True, "ok") if claims.get("iss") == ISSUER else Decision(False, "wrong-issuer")
    try:
        claims = jwt.decode(token, key, algorithms=ALLOWED_ALGORITHMS, audience=AUDIENCE, issuer=ISSUER,
                            leeway=LEEWAY_S,
                            options={"require": ["exp", "nbf", "iat", "sub", "auth_time"]})
    except jwt.InvalidSignatureError:
        return Decision(False, "bad-signature")
    except jwt.ExpiredSignatureError:
        return Decision(False, "expired")
    except jwt.ImmatureSignatureError:
        return Decision(False, "not-yet-valid")
    except jwt.InvalidIssuerError:
        return Decision(False, "wrong-issuer")
    except jwt.InvalidAudienceError:
        return Decision(False, "wrong-audience")
    except jwt.MissingRequiredClaimError:
        return Decision(False, "missing-claim")
    except jwt.InvalidTokenError:
        return Decision(False, "malformed")
    # auth_time is a NumericDate: seconds since the epoch, like time.time()
    if "mfa" not in claims.get("amr", []) or time.time() - claims["auth_time"] > MFA_MAX_AGE_S:
        return Decision(False, "stale-mfa")
    ip = ipaddress.ip_address(event["requestContext"]["identity"]["sourceIp"])
    if any(ip in net for net in BLOCKED_NETWORKS):
        return Decision(False, "untrusted-network")
    device_id = headers.get("X-Device-Id")
    item = None
    if device_id:
        item = ddb.get_item(TableName=devices.table, Key={"deviceId": {"S": device_id}},
                            ConsistentRead=True).get("Item")
    if (not item or not item.get("managed", {}).get("BOOL") or not item.get("compliant", {}).get("BOOL")
            or item.get("owner", {}).get("S") != claims["sub"]):
        return Decision(False, "untrusted-device")
    return Decision(True, "ok")
