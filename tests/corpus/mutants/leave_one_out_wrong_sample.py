"""Leaves out the neighbouring reward instead of the sample's own."""

FAILS = ["test_leave_one_out"]
MISCONCEPTION = "leave_one_out.wrong_sample_left_out"


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return (rewards.sum() - np.roll(rewards, 1)) / (rewards.size - 1)
