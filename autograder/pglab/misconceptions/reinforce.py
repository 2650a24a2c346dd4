"""Known mistakes in the ``reinforce`` assignment, as data (see ``pglab.misconceptions``)."""

from __future__ import annotations

import numpy as np

from pglab.misconceptions import Misconception
from pglab.reference import reinforce as ref

__all__ = ["CATALOGUE", "Misconception", "for_function"]


def _s(theta: float) -> float:
    return float(ref.sigmoid(theta))


def _acts(actions) -> np.ndarray:
    return np.asarray(actions, dtype=np.float64)


def _naive_log_prob(theta, actions):
    with np.errstate(divide="ignore", over="ignore"):
        s = 1.0 / (1.0 + np.exp(-theta))
        return np.where(_acts(actions) == 1, np.log(s), np.log(1.0 - s))


def _overflowing_grad_log_prob(theta, actions):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(actions, dtype=float) - np.exp(theta) / (1.0 + np.exp(theta))


def _normalised(theta, actions, rewards, baseline=0.0):
    rewards = np.asarray(rewards, dtype=np.float64)
    scale = rewards.std() if rewards.size > 1 and rewards.std() > 0 else 1.0
    return ref.grad_log_prob(theta, actions) * (rewards - np.asarray(baseline)) / scale


def _per_action_plug_in(theta, actions, rewards, baseline=0.0):
    actions, rewards = np.asarray(actions), np.asarray(rewards, dtype=np.float64)
    means = [rewards[actions == a].mean() if np.any(actions == a) else 0.0 for a in (0, 1)]
    return np.full(rewards.shape, ref.analytic_gradient(theta, means))


def _log_prob_epsilon(theta, actions):
    return np.log(np.exp(ref.log_prob(theta, actions)) + 1e-6)


def _standardised(theta, actions, rewards, baseline=0.0):
    """torch's (x - x.mean()) / (x.std() + 1e-8): std with ddof = 1."""
    x = np.asarray(rewards, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = (x - x.mean()) / (x.std(ddof=1) + 1e-8)
    return ref.grad_log_prob(theta, actions) * weights


CATALOGUE: tuple[Misconception, ...] = (
    Misconception(
        "log_prob.probability",
        "log_prob",
        "log_prob returns the probability pi_theta(a) itself; it should return its logarithm.",
        lambda theta, actions: np.exp(ref.log_prob(theta, actions)),
    ),
    Misconception(
        "log_prob.swapped_actions",
        "log_prob",
        "log_prob gives action 1 the probability of action 0: pi_theta(a=1) = sigmoid(theta), "
        "not sigmoid(-theta).",
        lambda theta, actions: ref.log_prob(theta, 1 - np.asarray(actions)),
    ),
    Misconception(
        "log_prob.unstable",
        "log_prob",
        "log(1 - sigmoid(theta)) loses all precision for large theta (1 - sigmoid(500) is 0 in "
        "float64). Write log pi_theta(a) directly as a function of theta, without computing "
        "sigmoid first; Hint 2 names the numpy function that does it without overflow.",
        _naive_log_prob,
    ),
    Misconception(
        "grad_log_prob.sign",
        "grad_log_prob",
        "Your score function has the wrong sign: each value is minus d/dtheta log pi_theta(a).",
        lambda theta, actions: -ref.grad_log_prob(theta, actions),
    ),
    Misconception(
        "grad_log_prob.dpi_not_dlogpi",
        "grad_log_prob",
        "You returned d pi_theta(a)/dtheta, the derivative of the probability. The score is the "
        "derivative of its logarithm: (d pi / dtheta) / pi.",
        lambda theta, actions: (
            np.exp(ref.log_prob(theta, actions)) * ref.grad_log_prob(theta, actions)
        ),
    ),
    Misconception(
        "grad_log_prob.action_one_only",
        "grad_log_prob",
        "You used the score of action 1 for both actions. Action 0 has its own log-probability, "
        "log(1 - sigmoid(theta)), and so its own derivative: D1 asks for both.",
        lambda theta, actions: np.full(np.shape(actions), 1.0 - _s(theta)),
    ),
    Misconception(
        "grad_log_prob.swapped_actions",
        "grad_log_prob",
        "Your score treats action 1 as if it had probability sigmoid(-theta).",
        lambda theta, actions: -ref.grad_log_prob(-theta, actions),
    ),
    Misconception(
        "grad_log_prob.unstable",
        "grad_log_prob",
        "exp(theta) / (1 + exp(theta)) is inf / inf = nan for theta above about 709.8 in "
        "float64. Compute it so that exp only ever sees a number <= 0 (one form for each sign "
        "of theta), or with the given sigmoid, which never overflows.",
        _overflowing_grad_log_prob,
    ),
    Misconception(
        "expected_reward.swapped_means",
        "expected_reward",
        "expected_reward swaps the weights: it weights means[1] by pi_theta(a=0) and means[0] by "
        "pi_theta(a=1). Weight each arm's mean by the probability of that arm.",
        lambda theta, means: ref.expected_reward(theta, means[::-1]),
    ),
    Misconception(
        "analytic_gradient.missing_sigmoid_derivative",
        "analytic_gradient",
        "You differentiated J as if sigmoid(theta) were theta: dJ/dtheta needs the chain rule "
        "through sigmoid. Hint 2 of Section 2 shows how to write the derivative of sigmoid with "
        "sigmoid itself.",
        lambda theta, means: means[1] - means[0],
    ),
    Misconception(
        "analytic_gradient.sign",
        "analytic_gradient",
        "Your gradient has the wrong sign: J increases with theta when means[1] > means[0].",
        lambda theta, means: -ref.analytic_gradient(theta, means),
    ),
    Misconception(
        "reinforce.baseline_added",
        "reinforce_estimates",
        "The baseline is added to the reward; REINFORCE subtracts it: score * (r - b).",
        lambda theta, actions, rewards, baseline=0.0: (
            ref.grad_log_prob(theta, actions) * (np.asarray(rewards) + np.asarray(baseline))
        ),
    ),
    Misconception(
        "reinforce.baseline_ignored",
        "reinforce_estimates",
        "reinforce_estimates ignores its baseline argument.",
        lambda theta, actions, rewards, baseline=0.0: ref.reinforce_estimates(
            theta, actions, rewards
        ),
    ),
    Misconception(
        "reinforce.log_prob_times_reward",
        "reinforce_estimates",
        "You multiplied log pi by the reward; the estimator multiplies the *score*, "
        "d/dtheta log pi, by the reward.",
        lambda theta, actions, rewards, baseline=0.0: (
            ref.log_prob(theta, actions) * (np.asarray(rewards) - np.asarray(baseline))
        ),
    ),
    Misconception(
        "reinforce.reward_left_out",
        "reinforce_estimates",
        "The reward is missing: each estimate is score * (r - b), not the score alone.",
        lambda theta, actions, rewards, baseline=0.0: (
            ref.grad_log_prob(theta, actions) * np.ones_like(np.asarray(rewards, dtype=np.float64))
        ),
    ),
    Misconception(
        "reinforce.batch_mean",
        "reinforce_estimates",
        "reinforce_estimates returns the batch average; it must return one estimate per sample "
        "(shape (n,)), and the caller averages them.",
        lambda theta, actions, rewards, baseline=0.0: float(
            np.mean(ref.reinforce_estimates(theta, actions, rewards, baseline))
        ),
    ),
    Misconception(
        "reinforce.sign",
        "reinforce_estimates",
        "Your estimates have the wrong sign: E[estimate] = -dJ/dtheta. Check the score function "
        "and the order of (r - b).",
        lambda theta, actions, rewards, baseline=0.0: (
            -ref.reinforce_estimates(theta, actions, rewards, baseline)
        ),
    ),
    Misconception(
        "estimator_variance.no_reward_noise",
        "estimator_variance",
        "Your variance leaves out the reward noise: E[(r - b)^2 | a] = (m_a - b)^2 + sd_a^2.",
        lambda theta, means, stds, baseline=0.0: ref.estimator_variance(
            theta, means, [0.0, 0.0], baseline
        ),
    ),
    Misconception(
        "estimator_variance.no_squared_mean",
        "estimator_variance",
        "You returned the second moment E[g^2]; the variance subtracts (E[g])^2 = (dJ/dtheta)^2.",
        lambda theta, means, stds, baseline=0.0: (
            ref.estimator_variance(theta, means, stds, baseline)
            + ref.analytic_gradient(theta, means) ** 2
        ),
    ),
    Misconception(
        "estimator_variance.baseline_ignored",
        "estimator_variance",
        "estimator_variance ignores the baseline: with a constant b the estimate is score*(r - b).",
        lambda theta, means, stds, baseline=0.0: ref.estimator_variance(theta, means, stds),
    ),
    Misconception(
        "optimal_baseline.average_reward",
        "optimal_baseline",
        "You used the average reward J(theta) as the baseline. The constant that minimises the "
        "variance of D2 weights the two actions differently in general: minimise that variance "
        "over b (the hints under D3).",
        lambda theta, means: ref.expected_reward(theta, means),
    ),
    Misconception(
        "optimal_baseline.plain_mean",
        "optimal_baseline",
        "You used the plain average of the two means. The variance-minimising constant is a "
        "weighted average of the means, and its weights are not equal in general: minimise the "
        "variance of D2 over b (the hints under D3).",
        lambda theta, means: 0.5 * (means[0] + means[1]),
    ),
    Misconception(
        "leave_one_out.includes_sample",
        "leave_one_out_baseline",
        "Your baseline is the batch mean including the sample itself. Then b_i depends on r_i, and "
        "the estimator is biased (Q2 asks by how much). Leave r_i out: b_i is the mean of the "
        "other rewards.",
        lambda rewards: np.full(np.shape(rewards), float(np.mean(rewards))),
    ),
    Misconception(
        "leave_one_out.divides_by_n",
        "leave_one_out_baseline",
        "You divided the sum of the other n - 1 rewards by n; their mean divides by n - 1.",
        lambda rewards: (np.sum(rewards) - np.asarray(rewards)) / len(rewards),
    ),
    Misconception(
        "log_prob.base10",
        "log_prob",
        "log_prob uses log10; probabilities in policy gradients use the natural log (np.log).",
        lambda theta, actions: ref.log_prob(theta, actions) / np.log(10.0),
    ),
    Misconception(
        "log_prob.ignores_action",
        "log_prob",
        "log_prob returns log sigmoid(theta) whatever the action; for a = 0 it is "
        "log(1 - sigmoid(theta)) = log sigmoid(-theta).",
        lambda theta, actions: np.full(np.shape(actions), float(ref.log_prob(theta, [1])[0])),
    ),
    Misconception(
        "grad_log_prob.lost_minus_for_action0",
        "grad_log_prob",
        "Your score for a = 0 has the wrong sign: log(1 - sigmoid(theta)) decreases as theta "
        "grows, so its derivative is negative, and you returned a positive value.",
        lambda theta, actions: np.where(np.asarray(actions) == 1, 1.0 - _s(theta), _s(theta)),
    ),
    Misconception(
        "expected_reward.plain_average",
        "expected_reward",
        "expected_reward averages the two means equally; J weights each by its probability "
        "pi_theta(a).",
        lambda theta, means: 0.5 * (means[0] + means[1]),
    ),
    Misconception(
        "expected_reward.action_one_only",
        "expected_reward",
        "expected_reward only counts action 1. J is the expected reward over both actions, so "
        "means[0] enters too, weighted by the probability of action 0.",
        lambda theta, means: _s(theta) * means[1],
    ),
    Misconception(
        "analytic_gradient.sigmoid_not_derivative",
        "analytic_gradient",
        "You multiplied by sigmoid(theta) where the chain rule needs its derivative, "
        "d sigmoid/dtheta. Hint 2 of Section 2 shows how to write that derivative with sigmoid "
        "itself.",
        lambda theta, means: _s(theta) * (means[1] - means[0]),
    ),
    Misconception(
        "analytic_gradient.no_probability_weight",
        "analytic_gradient",
        "You summed score(a) * means[a] over the actions without weighting by pi_theta(a): "
        "dJ/dtheta = sum_a pi(a) score(a) means[a].",
        lambda theta, means: (1.0 - _s(theta)) * means[1] - _s(theta) * means[0],
    ),
    Misconception(
        "reinforce.normalised_rewards",
        "reinforce_estimates",
        "You divided the rewards by their standard deviation. That rescales (and, over a batch, "
        "biases) the estimate of dJ/dtheta; REINFORCE uses the rewards as they are.",
        _normalised,
    ),
    Misconception(
        "reinforce.importance_weight",
        "reinforce_estimates",
        "You divided by pi_theta(a): the samples are already drawn from pi_theta, so no "
        "importance weight is needed. The estimate is score(a) * (r - b).",
        lambda theta, actions, rewards, baseline=0.0: (
            ref.reinforce_estimates(theta, actions, rewards, baseline)
            / np.exp(ref.log_prob(theta, actions))
        ),
    ),
    Misconception(
        "reinforce.plug_in",
        "reinforce_estimates",
        "Your estimates average to about the right gradient, but they are not score-function "
        "estimates: you plugged each action's average reward into the exact formula. "
        "REINFORCE gives every sample its own estimate, score(a_i) * (r_i - b_i).",
        _per_action_plug_in,
    ),
    Misconception(
        "estimator_variance.std_not_squared",
        "estimator_variance",
        "The reward noise enters the variance as stds[a]**2, not stds[a].",
        lambda theta, means, stds, baseline=0.0: ref.estimator_variance(
            theta, means, np.sqrt(np.abs(np.asarray(stds, dtype=np.float64))), baseline
        ),
    ),
    Misconception(
        "estimator_variance.baseline_added",
        "estimator_variance",
        "Your variance uses (means[a] + b)^2; the estimate is score * (r - b), so it is "
        "(means[a] - b)^2.",
        lambda theta, means, stds, baseline=0.0: (
            ref.estimator_variance(theta, means, stds, -baseline)
            if baseline
            else ref.estimator_variance(theta, means, stds)
        ),
    ),
    Misconception(
        "optimal_baseline.unnormalised",
        "optimal_baseline",
        "You returned only the numerator: the B of the quadratic A b^2 - 2 B b + C (Hint 1 "
        "under D3), without dividing by A. Hint 2 says where that quadratic is smallest.",
        lambda theta, means: _s(theta) * (1.0 - _s(theta)) * ref.optimal_baseline(theta, means),
    ),
    Misconception(
        "leave_one_out.sum_not_mean",
        "leave_one_out_baseline",
        "Your baseline is the sum of the other rewards; it should be their mean (divide by n - 1).",
        lambda rewards: np.sum(rewards) - np.asarray(rewards, dtype=np.float64),
    ),
    Misconception(
        "leave_one_out.wrong_sample_left_out",
        "leave_one_out_baseline",
        "Each b_i leaves out a neighbouring reward instead of r_i itself.",
        lambda rewards: (
            (np.sum(rewards) - np.roll(np.asarray(rewards, dtype=np.float64), 1))
            / (len(rewards) - 1)
        ),
    ),
    # Seen in real course code (provenance in the mutants and docs/misconceptions.md).
    Misconception(
        "log_prob.epsilon_inside_log",
        "log_prob",
        "You computed log(pi_theta(a) + 1e-6): the 1e-6 that keeps the log finite changes every "
        "value (and keeps log pi above log 1e-6 = -13.8). Compute log pi directly from theta, as "
        "Hint 2 suggests; it needs no epsilon.",
        _log_prob_epsilon,
    ),
    Misconception(
        "reinforce.standardised_rewards",
        "reinforce_estimates",
        "You standardised the rewards over the batch, (r - mean) / (std + eps). That couples the "
        "samples and rescales the estimate, so it no longer estimates dJ/dtheta: each estimate "
        "is score(a) * (r - b) with the rewards as they are.",
        _standardised,
    ),
)


def for_function(function: str) -> tuple[Misconception, ...]:
    return tuple(m for m in CATALOGUE if m.function == function)
