"""Accumulates forwards in time: slot t holds sum_{k<=t} gamma^k r_k, the discounted return so
far, instead of the discounted rewards still to come.

Seen in real course code: tamtran22/pytorch_rl_lib, utils/utils.py (DiscountCulmulativeReward
loops forwards, adds gamma**count * reward[i] to a running sum and stores it at i; it also
standardises the result, a separate catalogued mistake). Written here from that description.
"""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rewards_to_go.forward_cumsum"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[0])
    for t in range(rewards.shape[1]):
        running = running + gamma**t * rewards[:, t]
        out[:, t] = running
    return out
