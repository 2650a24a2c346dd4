"""Floods the grader with dicts of small keys: each display is a million one-number keys
(about 13 MB of JSON, under the byte cap, but 130 MB of Python dict once parsed). The old
cap counted keys and numbers as nothing: three million small keys took the grader to
4.4 GB. Now every comma counts as the Python object it becomes, before the message is
parsed, so none of these is parsed or kept."""

import os

from IPython.display import display

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["OutputLimitExceeded"]

for round_ in range(3):
    display({"text/plain": f"flood {round_}"}, metadata={str(i): 0 for i in range(1_000_000)},
            raw=True)  # fmt: skip
print("flooded from", os.getpid())


def log_prob(theta, actions):
    raise NotImplementedError()
