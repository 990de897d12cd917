# Wrong answer: hashes the percent together with the user, so every ramp step draws a new set of users and early canary users flip back to the baseline.
# cell: assignment
# loses: test-ramp-monotonic
def bucket(user_id, salt):
    digest = hashlib.sha256(f"{salt}:{user_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 10_000


def assign(user_id, percent, salt=SALT):
    digest = hashlib.sha256(f"{salt}:{user_id}:{percent}".encode("utf-8")).digest()
    return "canary" if int.from_bytes(digest[:8], "big") % 10_000 < percent * 100 else "baseline"
