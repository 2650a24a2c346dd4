"""Prints 100 MB, in 1 MB writes."""

import sys

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
SANDBOXED_OUTPUT = ["OutputLimitExceeded"]

for _ in range(100):
    sys.stdout.write("x" * 1_000_000)


def log_prob(theta, actions):
    raise NotImplementedError()
