"""Ada fills in every function exactly as the instructor did."""

ANSWERS = {
    "answer_causality": "The score at step t has mean zero given the past, so rewards earned before t "
    "multiply a zero-mean factor and drop out in expectation; gamma^t remains because J discounts "
    "from the episode start.",
    "answer_baseline_state": "E[score_t b(s_t)] = b(s_t) E[score_t | s_t] = 0, but a baseline that "
    "depends on a_t is correlated with the score and biases the estimate.",
    "answer_learning_curves": "Rewards-to-go minus V_t learns fastest, then rewards-to-go, then the "
    "total return: same expectation, less variance per step.",
}
