"""Ada fills in every function exactly as the instructor did, and answers the three questions."""

ANSWERS = {
    "written_q_form": "(a) Given (h_t, a_t) the score is fixed and E[G_t | h_t, a_t] = Q_t(s_t, a_t) by the "
    "Markov property, so the tower rule turns estimator (ii) into the Q form. (b) V_t(s_t) does not depend "
    "on a_t and the score has mean zero under pi(.|s_t): subtracting it changes nothing in expectation. "
    "(c) With the true V both G_t - V and the TD error have conditional mean A_t(s_t, a_t); with an imperfect "
    "V only the TD error is biased, through V_{t+1}(s_{t+1}), which depends on a_t.",
    "written_true_v_unbiased": "With the true V every estimator's conditional mean given (s_t, a_t) is the "
    "advantage, so all are unbiased; this holds for the exact V of this policy only, not for the noisy critics "
    "of the table, where every estimator that bootstraps is biased.",
    "written_critic_tradeoff": "The critic lowers the variance: the actor-critic curves rise as fast and spread "
    "far less across seeds. It costs bias from a critic that starts at 0 and sees 8 episodes per step; a larger "
    "lambda trades that bias back for variance.",
}
