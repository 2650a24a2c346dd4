"""Grace Hopper's file came out of Canvas renamed: the grader maps it back to her user id."""

FILENAME = "hopperg_4242_9001_reinforce (1).ipynb"

ANSWERS = {
    "answer_constant_baseline": "E[score] = sum_a grad pi(a) = grad 1 = 0, so b E[score] = 0.",
    "answer_leave_one_out": "Otherwise b_i depends on a_i through r_i and the estimate is biased.",
}
