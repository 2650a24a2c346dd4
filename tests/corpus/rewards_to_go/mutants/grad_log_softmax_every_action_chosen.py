"""1 - pi in every component, whatever the action: the one-hot vector replaced by ones.

Seen in real course code: afiorg9000/holbertonschool-machine_learning and
diego0096/holbertonschool-machine_learning, reinforcement_learning/0x03-policy_gradients/
policy_gradient.py (the gradient is state.T - state.T * pi, which does not depend on the sampled
action). Written here from that description.
"""

FAILS = ["test_grad_log_softmax"]
MISCONCEPTION = "grad_log_softmax.every_action_chosen"


def grad_log_softmax(theta, actions):
    pi = softmax(theta)
    return np.ones((len(actions), len(pi))) - pi
