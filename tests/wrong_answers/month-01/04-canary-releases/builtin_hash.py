# Wrong answer: buckets with Python's hash(), which is salted per process (PYTHONHASHSEED), so two Lambda containers put the same user in different versions.
# cell: assignment
# loses: test-same-everywhere
def bucket(user_id, salt):
    return hash(f"{salt}:{user_id}") % 10_000


def assign(user_id, percent, salt=SALT):
    return "canary" if bucket(user_id, salt) < percent * 100 else "baseline"
