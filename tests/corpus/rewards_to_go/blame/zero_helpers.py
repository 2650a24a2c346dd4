"""Gaming: zero scores and zero estimators. Zero times anything is zero, so every estimator is
"right for the helper you wrote"; an excuse must carry information, so none is excused, and
the dual-path cells judge the zero estimators as they are (issue 13: this earned 14 of 30).

Callee relations: reinforce_estimates <- grad_log_softmax (test_reinforce_estimates,
test_reinforce_unbiased); reinforce_total_return <- step_scores, discounted_returns;
reinforce_rewards_to_go <- step_scores, rewards_to_go; reinforce_value_baseline <-
reinforce_rewards_to_go.
"""

FAILS = [
    "test_grad_log_softmax",
    "test_reinforce_estimates",
    "test_reinforce_unbiased",
    "test_step_scores",
    "test_reinforce_total_return",
    "test_reinforce_rewards_to_go",
    "test_reinforce_value_baseline",
    "test_estimators_unbiased",
    "test_variance_reduction",
]
FLAGS = []


def grad_log_softmax(theta, actions):
    return np.zeros((np.size(actions), np.size(theta)))


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    return np.zeros((np.size(actions), np.size(theta)))


def step_scores(theta, states, actions):
    return np.zeros(np.shape(states) + np.shape(theta))


def reinforce_total_return(theta, states, actions, rewards, gamma):
    return np.zeros((np.shape(states)[0],) + np.shape(theta))


def reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline=0.0):
    return np.zeros((np.shape(states)[0],) + np.shape(theta))


def reinforce_value_baseline(theta, states, actions, rewards, gamma, values):
    return np.zeros((np.shape(states)[0],) + np.shape(theta))
