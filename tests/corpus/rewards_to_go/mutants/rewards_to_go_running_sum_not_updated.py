"""The backward loop adds gamma times a running sum that is never updated (it stays 0), so each
slot holds its own reward.

Seen in real course code: ottersome/SamplingReconstruction, samprecon/utils/rl_utils.py (an
earlier version of calculate_returns writes rewards[:, i] + gamma * R without ever assigning R;
a later commit fixes it). Written here from that description.
"""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rewards_to_go.running_sum_not_updated"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    running = np.zeros(rewards.shape[0])
    out = np.zeros_like(rewards)
    for t in range(rewards.shape[1] - 1, -1, -1):
        out[:, t] = rewards[:, t] + gamma * running
    return out
