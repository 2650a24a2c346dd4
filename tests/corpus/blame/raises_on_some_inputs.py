"""An honest bug: grad_log_prob raises for theta < -5 (a guard gone wrong). The callers that
use it raise the same error on the same calls: explained by the helper, so only
grad_log_prob's cells pay, and the callers' feedback names it.

Callee relations: reinforce_estimates <- grad_log_prob (test_reinforce_exact,
test_reinforce_unbiased).
"""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
FLAGS = []
NAMES = {"test_reinforce_exact": "grad_log_prob"}


def grad_log_prob(theta, actions):
    if theta < -5.0:
        raise ValueError(f"theta = {theta} is out of range")
    return np.asarray(actions, dtype=float) - sigmoid(theta)
