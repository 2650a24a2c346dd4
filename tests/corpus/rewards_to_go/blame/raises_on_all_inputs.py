"""An honest bug seen in real course code: rewards_to_go uses a local name it never defined,
so it raises NameError on every call, and so do the estimators that call it. Only its own
cell pays; its callers' feedback names it, and the TA is told they could not be checked (issue
13: this lost 10 of 30 points).

Callee relations: reinforce_rewards_to_go <- rewards_to_go; reinforce_value_baseline <-
reinforce_rewards_to_go.
"""

FAILS = ["test_rewards_to_go"]
FLAGS = ["unverified-excuse"]
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
