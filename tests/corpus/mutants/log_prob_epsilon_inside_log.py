"""log(pi + 1e-6): an epsilon inside the log to avoid log(0).

Seen in real course code: Yangyangii/Curiosity-Driven-A2C, losses.py (the policy-gradient loss
takes torch.log(action_prob + 1e-6)). Written here from that description.
"""

FAILS = ["test_log_prob", "test_numerical_stability"]
MISCONCEPTION = "log_prob.epsilon_inside_log"


def log_prob(theta, actions):
    s = 1.0 / (1.0 + np.exp(-theta))
    pi = np.where(np.asarray(actions) == 1, s, 1.0 - s)
    return np.log(pi + 1e-6)
