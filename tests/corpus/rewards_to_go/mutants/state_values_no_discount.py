"""Backward induction without gamma."""

FAILS = ["test_state_values"]
MISCONCEPTION = "state_values.no_discount"


def state_values(theta, mdp):
    pi = softmax(theta)
    values = np.zeros((mdp.horizon, mdp.R.shape[0]))
    v_next = np.zeros(mdp.R.shape[0])
    for t in range(mdp.horizon - 1, -1, -1):
        q = mdp.R + mdp.P @ v_next
        v_next = (pi * q).sum(axis=1)
        values[t] = v_next
    return values
