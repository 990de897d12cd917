# Wrong answer: ignores the salt, so every experiment puts the same unlucky users in every canary at once.
# cell: assignment
# loses: test-same-everywhere
def bucket(user_id, salt):
    digest = hashlib.sha256(str(user_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % 10_000


def assign(user_id, percent, salt=SALT):
    return "canary" if bucket(user_id, salt) < percent * 100 else "baseline"
