"""An honest bug: grad_log_prob computes a - sigmoid(theta) as a ratio that is 0/0 = nan for
theta < -5; the callers return nan in the same places: explained by the helper, so only
grad_log_prob's cells pay.

Callee relations: reinforce_estimates <- grad_log_prob (test_reinforce_exact,
test_reinforce_unbiased).
"""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
FLAGS = []
NAMES = {"test_reinforce_exact": "grad_log_prob"}


def grad_log_prob(theta, actions):
    scale = 0.0 if theta < -5.0 else 1.0
    with np.errstate(invalid="ignore"):
        return (np.asarray(actions, dtype=float) - sigmoid(theta)) * scale / scale
