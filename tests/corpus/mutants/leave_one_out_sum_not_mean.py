"""The sum of the other rewards, not their mean."""

FAILS = ["test_leave_one_out"]
MISCONCEPTION = "leave_one_out.sum_not_mean"


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return rewards.sum() - rewards
