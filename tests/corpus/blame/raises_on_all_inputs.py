"""An honest bug: grad_log_prob uses a local name it never defined, so it raises NameError on
every call, and so does reinforce_estimates, which calls it. Only grad_log_prob's cells are
charged; reinforce_estimates could not be checked on any value, so its cells have no automatic
score and go to a TA (points kept automatically would be bought by a helper that raises on
purpose), and the TA gets a flag.

Callee relations: reinforce_estimates <- grad_log_prob (test_reinforce_exact,
test_reinforce_unbiased).
"""

FAILS = ["test_grad_log_prob", "test_numerical_stability"]
FLAGS = ["unverified-excuse"]
FOR_A_TA = ["test_reinforce_exact", "test_reinforce_unbiased"]
NAMES = {"test_reinforce_exact": "grad_log_prob", "test_reinforce_unbiased": "grad_log_prob"}


def grad_log_prob(theta, actions):
    p = sigmoid(theta)  # noqa: F841 (the bug: it then uses `prob`)
    return np.asarray(actions, dtype=float) - prob
