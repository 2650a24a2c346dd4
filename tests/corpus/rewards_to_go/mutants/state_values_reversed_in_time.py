"""Stores V_t in row T-1-t (rows in the order they are computed)."""

FAILS = ["test_state_values"]
MISCONCEPTION = "state_values.reversed_in_time"


def state_values(theta, mdp):
    pi = softmax(theta)
    rows = []
    v = np.zeros(mdp.R.shape[0])
    for _ in range(mdp.horizon):
        v = (pi * (mdp.R + mdp.gamma * mdp.P @ v)).sum(axis=1)
        rows.append(v)
    return np.array(rows)
