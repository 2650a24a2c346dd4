"""Sends lone surrogates ("\\ud800") to the grader, in a kept output and in an exception
message. Python strings hold them but UTF-8 cannot encode them: nbformat.write, SQLite and
the report failed on them, which aborted `pglab grade`'s writes for every student after this
one (issue 14). They now reach the notebook escaped, as the six characters \\ud800."""

import json

KEEP_STUBS = "all"  # every API function left as released
SANDBOXED_OUTPUT = ["lone \\ud800 surrogate", "ValueError: bad \\udfff message"]

_session = get_ipython().kernel.session  # noqa: F821 - the kernel's own
# JSON with ensure_ascii: a lone surrogate travels as the escape \ud800, which the grader's
# JSON parser turns back into a lone surrogate
_session.pack = lambda message: json.dumps(message, default=str).encode("ascii")
print("lone \ud800 surrogate", flush=True)
raise ValueError("bad \udfff message")


def log_prob(theta, actions):
    raise NotImplementedError()
