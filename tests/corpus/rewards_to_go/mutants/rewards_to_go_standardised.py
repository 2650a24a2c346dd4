"""Standardises each episode's rewards-to-go over time (numpy std, ddof = 0; a constant row is
left centred).

Seen in real course code: amrgasser/Autonomous_Vehicle, utils/rewards_utils.py
(discount_rewards returns normalize(discounted_rewards)), and mattfeng/openai-agents,
cartpole/main.py (discounted_returns standardises by default). Written here from that
description.
"""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased", "test_variance_reduction"]
MISCONCEPTION = "rewards_to_go.standardised"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[0])
    for t in reversed(range(rewards.shape[1])):
        running = rewards[:, t] + gamma * running
        out[:, t] = running
    out = out - out.mean(axis=1, keepdims=True)
    std = out.std(axis=1, keepdims=True)
    return out / np.where(std > 0, std, 1.0)
