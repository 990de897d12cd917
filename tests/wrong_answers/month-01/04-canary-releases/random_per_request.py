# Wrong answer: the seed's Math.random() canary: a fresh random draw per request, so a user flips between versions on every reload.
# cell: assignment
# loses: test-sticky, test-same-everywhere
import random


def bucket(user_id, salt):
    return random.randrange(10_000)


def assign(user_id, percent, salt=SALT):
    return "canary" if random.random() < percent / 100 else "baseline"
