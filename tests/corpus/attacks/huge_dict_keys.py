"""Displays one output whose size is all in its dict keys: four 100 MiB keys. The old cap
counted only dict values, so this made a 420 MB autograded notebook and took the grader to
3.5 GB. Now the message is measured by the bytes that arrive: a frame this large is refused
by ZeroMQ before the grader holds it, and the cell fails alone."""

import os

from IPython.display import display

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = []  # the frame never arrives: nothing of it reaches the notebook

key = "k" * (100 * 1024**2)
display({"text/plain": "keys"}, metadata={key + str(i): 1 for i in range(4)}, raw=True)
del key
print("displayed four 100 MiB keys from", os.getpid())


def log_prob(theta, actions):
    raise NotImplementedError()
