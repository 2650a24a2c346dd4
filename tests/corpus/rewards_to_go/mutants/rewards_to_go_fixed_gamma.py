"""Hard-codes the discount (0.9, the notebook's default) instead of using the gamma argument.

Seen in real course code: feicccccccc/PG_Pytorch, scratch.py (discounted_rewards takes no gamma
and multiplies the running sum by 0.9); alper111/symbol-emergence, utils.py, does the same with
0.99. Written here from that description.
"""

FAILS = ["test_rewards_to_go"]
MISCONCEPTION = "rewards_to_go.fixed_gamma"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[0])
    for t in reversed(range(rewards.shape[1])):
        running = rewards[:, t] + 0.9 * running
        out[:, t] = running
    return out
