# Wrong answer: Does not check aud, so a token issued for another API (billing-api) is accepted here: a token stolen from one service opens all of them.
# cell: authenticate
# loses: test-audience-issuer
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
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        return Decision(False, "alg-not-allowed")
    keys = {k.get("kid"): k for k in jwks.get("keys", [])}
    if header.get("kid") not in keys:
        return Decision(False, "unknown-kid")
    key = jwt.PyJWK(keys[header["kid"]]).key
    try:
        claims = jwt.decode(token, key, algorithms=ALLOWED_ALGORITHMS, issuer=ISSUER,
                            leeway=LEEWAY_S,
                            options={"verify_aud": False, "require": ["exp", "nbf", "iat", "sub", "auth_time"]})
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
