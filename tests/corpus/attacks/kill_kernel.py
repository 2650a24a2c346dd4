"""Kills its parent, its process group and finally itself (SIGKILL)."""

import os
import signal

KEEP_STUBS = [
    "log_prob",
    "grad_log_prob",
    "expected_reward",
    "analytic_gradient",
    "reinforce_estimates",
    "estimator_variance",
    "optimal_baseline",
    "leave_one_out_baseline",
]
SANDBOXED_OUTPUT = ["KernelDied"]

for target in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: os.killpg(0, signal.SIGKILL)):
    try:
        target()
    except OSError as error:
        print("refused:", error.strerror, flush=True)
os.kill(os.getpid(), signal.SIGKILL)


def log_prob(theta, actions):
    raise NotImplementedError()
