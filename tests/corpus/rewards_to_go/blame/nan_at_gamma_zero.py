"""An honest bug seen in real course code: discounted_returns divides by gamma^t, so it is
0/0 = nan at gamma = 0 only; reinforce_total_return, which calls it, is nan in the same
places: explained by the helper, so only discounted_returns' cell pays (issue 13: this lost 6).

Callee relations: reinforce_total_return <- discounted_returns.
"""

FAILS = ["test_discounted_returns"]
FLAGS = []
NAMES = {}


def discounted_returns(rewards, gamma):
    rewards = np.asarray(rewards, dtype=float)
    powers = gamma ** np.arange(rewards.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rewards * powers**2 / powers).sum(axis=1)
