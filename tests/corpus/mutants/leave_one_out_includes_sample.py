"""The batch mean including the sample itself: biased."""

FAILS = ["test_leave_one_out"]
MISCONCEPTION = "leave_one_out.includes_sample"


def leave_one_out_baseline(rewards):
    rewards = np.asarray(rewards, dtype=float)
    return np.full(rewards.shape, rewards.mean())
