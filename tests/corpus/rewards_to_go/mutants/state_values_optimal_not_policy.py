"""max over actions: the optimal values, not the policy's."""

FAILS = ["test_state_values"]
MISCONCEPTION = "state_values.optimal_not_policy"


def state_values(theta, mdp):
    values = np.zeros((mdp.horizon, mdp.R.shape[0]))
    v_next = np.zeros(mdp.R.shape[0])
    for t in range(mdp.horizon - 1, -1, -1):
        v_next = (mdp.R + mdp.gamma * mdp.P @ v_next).max(axis=1)
        values[t] = v_next
    return values
