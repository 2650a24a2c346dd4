"""Runs the discounted recursion forwards in time and then reverses the list: slot t holds
r_{T-1-t} + gamma r_{T-2-t} + ... (right exactly when the rewards read the same backwards,
r_t = r_{T-1-t} for every t, e.g. all equal).

Seen in real course code: wikistat/AI-Frameworks,
IntroductionDeepReinforcementLearning/solutions/exercise_1_4.py (discount_rewards loops over
the rewards in order, then returns out[::-1]; its docstring example uses equal rewards).
Written here from that description.
"""

FAILS = ["test_rewards_to_go", "test_estimators_unbiased"]
MISCONCEPTION = "rewards_to_go.forward_then_reversed"


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    out = np.zeros_like(rewards)
    prior = np.zeros(rewards.shape[0])
    for t in range(rewards.shape[1]):
        prior = rewards[:, t] + gamma * prior
        out[:, t] = prior
    return out[:, ::-1]
