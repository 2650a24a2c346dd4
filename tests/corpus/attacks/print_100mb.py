"""Prints 100 MB, in 1 MB writes."""

import sys

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["OutputLimitExceeded"]

for _ in range(100):
    sys.stdout.write("x" * 1_000_000)


def log_prob(theta, actions):
    raise NotImplementedError()
