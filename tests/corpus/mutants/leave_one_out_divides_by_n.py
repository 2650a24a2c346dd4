"""Divides the sum of the other rewards by n instead of n - 1."""

FAILS = ["test_leave_one_out"]
MISCONCEPTION = "leave_one_out.divides_by_n"


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - rewards) / rewards.size
