"""An honest bug seen in real course code: rewards_to_go uses a local name it never defined,
so it raises NameError on every call, and so do the estimators that call it. Only its own
cell is charged (issue 13: this lost 10 of 30 points); its callers could not be checked on any
value, so their cells have no automatic score and go to a TA, and their feedback names it.

Callee relations: reinforce_rewards_to_go <- rewards_to_go; reinforce_value_baseline <-
reinforce_rewards_to_go.
"""

FAILS = ["test_rewards_to_go"]
FLAGS = ["unverified-excuse"]
FOR_A_TA = [
    "test_reinforce_rewards_to_go",
    "test_reinforce_value_baseline",
    "test_estimators_unbiased",
    "test_variance_reduction",
]
NAMES = {
    "test_reinforce_rewards_to_go": "rewards_to_go",
    "test_estimators_unbiased": "rewards_to_go",
}


def rewards_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    togo = np.zeros_like(rewards)
    for t in reversed(range(rewards.shape[1])):
        running = rewards[:, t] + gamma * runing
        togo[:, t] = running
    return togo
