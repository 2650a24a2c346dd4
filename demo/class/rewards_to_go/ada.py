"""Ada fills in every function exactly as the instructor did."""

ANSWERS = {
    "answer_trajectory_gradient": "By the log-derivative trick grad J = E[grad log p(tau) G_0]. log p(tau) "
    "is log init(s_0) + sum_t log pi(a_t | s_t) + sum_t log P(s_t+1 | s_t, a_t); only the policy terms "
    "depend on theta, so the dynamics drop out and grad J = E[(sum_t grad log pi(a_t | s_t)) G_0]. "
    "The tabular score is zero outside row s_t.",
    "answer_causality": "The score at step t has mean zero given the past, so rewards earned before t "
    "multiply a zero-mean factor and drop out in expectation; gamma^t remains because J discounts "
    "from the episode start.",
    "answer_baseline_state": "E[score_t b(s_t)] = b(s_t) E[score_t | s_t] = 0, but a baseline that "
    "depends on a_t is correlated with the score and biases the estimate.",
    "answer_learning_curves": "Rewards-to-go minus V_t learns fastest, then rewards-to-go, then the "
    "total return: same expectation, less variance per step.",
}
