"""Standardises the rewards over the batch, (r - b - mean) / (std + 1e-8), with torch's
unbiased std (ddof = 1), before multiplying by the score.

Seen in real course code: LeeJunho-AI/Reinforcement_Learning_Study,
REINFORCE_LunarLander/src/utils.py (returns standardised with returns.std() + 1e-8 before the
policy loss). Written here from that description.
"""

FAILS = ["test_reinforce_estimates", "test_reinforce_unbiased"]
MISCONCEPTION = "reinforce.standardised_rewards"


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    x = np.asarray(rewards, dtype=float) - baseline
    weights = (x - x.mean()) / (x.std(ddof=1) + 1e-8)
    return grad_log_softmax(theta, actions) * weights[:, None]
