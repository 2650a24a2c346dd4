"""log(softmax + 1e-6): an epsilon inside the log to avoid log(0).

Seen in real course code: Yangyangii/Curiosity-Driven-A2C, losses.py (the policy-gradient loss
takes torch.log(action_prob + 1e-6)). Written here from that description.
"""

FAILS = ["test_log_softmax"]
MISCONCEPTION = "log_softmax.epsilon_inside_log"


def log_softmax(theta):
    return np.log(softmax(theta) + 1e-6)
