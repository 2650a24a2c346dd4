"""V_0 repeated for every t."""

FAILS = ["test_state_values"]
MISCONCEPTION = "state_values.stationary"


def state_values(theta, mdp):
    pi = softmax(theta)
    v = np.zeros(mdp.R.shape[0])
    for _ in range(mdp.horizon):
        v = (pi * (mdp.R + mdp.gamma * mdp.P @ v)).sum(axis=1)
    return np.tile(v, (mdp.horizon, 1))
