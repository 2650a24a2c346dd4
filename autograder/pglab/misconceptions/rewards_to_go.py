"""Known mistakes in the ``rewards_to_go`` assignment, as data (see ``pglab.misconceptions``).

Every ``imitate`` takes exactly the arguments of the student function named in ``function``
(``baseline`` and ``values`` included) and uses nothing but the reference math, so the
grader can evaluate it on the inputs it rebuilt from the seed.

Discounting from the episode start is a mistake only in the *array* ``rewards_to_go``
returns (``rewards_to_go.from_episode_start``).  Inside an estimator,
sum_t score_t sum_{k>=t} gamma^k r_k equals sum_t gamma^t score_t G_t, the correct estimator;
the biased one drops gamma^t (``rtg_estimator.no_gamma_t``) or applies it twice
(``rtg_estimator.discounted_twice``).
"""

from __future__ import annotations

import numpy as np

from pglab.misconceptions import Misconception
from pglab.reference import rewards_to_go as ref

__all__ = ["CATALOGUE", "Misconception", "for_function"]


# --------------------------------------------------------------------------- helpers


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _one_hot(theta, actions) -> np.ndarray:
    k = np.shape(theta)[-1]
    return np.eye(k)[np.asarray(actions, dtype=np.int64)]


def _powers(gamma, T: int) -> np.ndarray:
    return float(gamma) ** np.arange(T)


def _unshifted_softmax(theta):
    with np.errstate(over="ignore", invalid="ignore"):
        z = np.exp(_f(theta))
        return z / z.sum(axis=-1, keepdims=True)


def _unshifted_log_softmax(theta):
    theta = _f(theta)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return theta - np.log(np.exp(theta).sum(axis=-1, keepdims=True))


def _log_of_softmax(theta):
    with np.errstate(divide="ignore"):
        return np.log(ref.softmax(theta))


def _whole_array_softmax(theta):
    theta = _f(theta)
    z = np.exp(theta - theta.max())
    return z / z.sum()


def _excludes_current(rewards, gamma):
    return ref.rewards_to_go(rewards, gamma) - _f(rewards)


def _shifted(rewards, gamma):
    g = ref.rewards_to_go(rewards, gamma)
    out = np.zeros_like(g)
    out[..., :-1] = g[..., 1:]
    return out


def _from_episode_start(rewards, gamma):
    rewards = _f(rewards)
    return _powers(gamma, rewards.shape[-1]) * ref.rewards_to_go(rewards, gamma)


def _past_rewards(rewards, gamma):
    rewards = _f(rewards)
    out = np.empty_like(rewards)
    running = np.zeros(rewards.shape[:-1])
    for t in range(rewards.shape[-1]):
        running = rewards[..., t] + gamma * running
        out[..., t] = running
    return out


def _discount_from_end(rewards, gamma):
    rewards = _f(rewards)
    T = rewards.shape[-1]
    weighted = rewards * _powers(gamma, T)[::-1]
    return np.cumsum(weighted[..., ::-1], axis=-1)[..., ::-1]


def _all_rows(theta, states, actions):
    pi = ref.softmax(theta)
    states = np.asarray(states, dtype=np.int64)
    rows = _one_hot(theta, actions) - pi[states]  # (n, T, A)
    return np.broadcast_to(rows[:, :, None, :], states.shape + np.shape(theta)).copy()


def _global_softmax_scores(theta, states, actions):
    theta = _f(theta)
    S, A = theta.shape
    pi = _whole_array_softmax(theta)
    states = np.asarray(states, dtype=np.int64)
    n, T = states.shape
    out = np.zeros((n, T, S, A))
    out[np.arange(n)[:, None], np.arange(T)[None, :], states] = (
        _one_hot(theta, actions) - pi[states]
    )
    return out


def _policy_rows(theta, states):
    """pi(.|s_t) in row s_t of each step, zero elsewhere: (n, T, S, A)."""
    theta = _f(theta)
    states = np.asarray(states, dtype=np.int64)
    n, T = states.shape
    out = np.zeros((n, T, *theta.shape))
    out[np.arange(n)[:, None], np.arange(T)[None, :], states] = ref.softmax(theta)[states]
    return out


def _rtg_weighted(theta, states, actions, weights):
    """sum_t weights[n, t] score_t: (n, S, A)."""
    return np.einsum("nt,ntsa->nsa", weights, ref.step_scores(theta, states, actions))


def _no_gamma_t(theta, states, actions, rewards, gamma, baseline=0.0):
    weights = ref.rewards_to_go(rewards, gamma) - _f(baseline)
    return _rtg_weighted(theta, states, actions, weights)


def _total_return_every_step(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = _f(rewards)
    T = rewards.shape[-1]
    g0 = ref.discounted_returns(rewards, gamma)[:, None]
    weights = _powers(gamma, T) * (g0 - _f(baseline))
    return _rtg_weighted(theta, states, actions, weights)


def _discounted_twice(theta, states, actions, rewards, gamma, baseline=0.0):
    rewards = _f(rewards)
    T = rewards.shape[-1]
    weights = _powers(gamma, T) * (_from_episode_start(rewards, gamma) - _f(baseline))
    return _rtg_weighted(theta, states, actions, weights)


def _values_at(values, states):
    return ref.state_value_baseline(values, states)


def _value_no_gamma_t(theta, states, actions, rewards, gamma, values):
    return _no_gamma_t(theta, states, actions, rewards, gamma, _values_at(values, states))


def _td_target_baseline(theta, states, actions, rewards, gamma, values):
    """b_t = r_t + gamma V_{t+1}(s_{t+1}) (V_T = 0): a one-sample Q_t(s_t, a_t)."""
    rewards, values = _f(rewards), _f(values)
    states = np.asarray(states, dtype=np.int64)
    T = rewards.shape[-1]
    nxt = np.zeros_like(rewards)
    nxt[:, :-1] = values[np.arange(1, T), states[:, 1:]]
    baseline = rewards + gamma * nxt
    return ref.reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)


def _stationary_baseline(theta, states, actions, rewards, gamma, values):
    baseline = _f(values)[0][np.asarray(states, dtype=np.int64)]
    return ref.reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)


def _standardised(x, axis):
    mean = x.mean(axis=axis, keepdims=True)
    std = x.std(axis=axis, keepdims=True)
    return (x - mean) / np.where(std > 0, std, 1.0)


def _normalised_advantages(axis):
    def imitate(theta, states, actions, rewards, gamma, values):
        advantages = ref.rewards_to_go(rewards, gamma) - _values_at(values, states)
        weights = _powers(gamma, advantages.shape[-1]) * _standardised(advantages, axis)
        return _rtg_weighted(theta, states, actions, weights)

    return imitate


def _mdp_with_gamma(mdp, gamma):
    return ref.EpisodicMDP(P=mdp.P, R=mdp.R, init=mdp.init, horizon=mdp.horizon, gamma=gamma)


def _optimal_values(theta, mdp):
    P, R = _f(mdp.P), _f(mdp.R)
    T = int(mdp.horizon)
    v = np.empty((T, R.shape[0]))
    v_next = np.zeros(R.shape[0])
    for t in range(T - 1, -1, -1):
        v_next = (R + float(mdp.gamma) * P @ v_next).max(axis=-1)
        v[t] = v_next
    return v


# --------------------------------------------------------------------------- seen in real code
# Imitations of mistakes found in public course and homework code (provenance in each mutant's
# header and in docs/misconceptions.md).


def _axis_zero_softmax(theta):
    theta = _f(theta)
    with np.errstate(invalid="ignore"):
        z = np.exp(theta - theta.max())
        return z / z.sum(axis=0, keepdims=True)


def _log_softmax_epsilon(theta):
    return np.log(ref.softmax(theta) + 1e-6)


def _dpi_scores(theta, actions):
    pi_a = ref.softmax(theta)[np.asarray(actions, dtype=np.int64)]
    return pi_a[..., None] * ref.grad_log_softmax(theta, actions)


def _every_action_chosen(theta, actions):
    shape = (len(np.asarray(actions)), np.shape(theta)[-1])
    return np.broadcast_to(1.0 - ref.softmax(theta), shape).copy()


def _batch_standardised(x, ddof, eps, axis=None):
    """(x - mean) / (std + eps) as torch's ``x.std()`` (ddof = 1) or numpy's (ddof = 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x.mean(axis=axis, keepdims=axis is not None)
        std = x.std(axis=axis, ddof=ddof, keepdims=axis is not None)
        return (x - mean) / (std + eps)


def _standardised_bandit(theta, actions, rewards, baseline=0.0):
    weights = _batch_standardised(_f(rewards) - _f(baseline), ddof=1, eps=1e-8)
    return ref.grad_log_softmax(theta, actions) * weights[:, None]


def _no_exp_softmax(theta):
    theta = _f(theta)
    with np.errstate(invalid="ignore", divide="ignore"):
        shifted = theta - theta.max()
        return shifted / shifted.sum()


def _forward_cumsum(rewards, gamma):
    rewards = _f(rewards)
    return np.cumsum(rewards * _powers(gamma, rewards.shape[-1]), axis=-1)


def _forward_then_reversed(rewards, gamma):
    return _past_rewards(rewards, gamma)[..., ::-1].copy()


def _standardised_rewards_to_go(rewards, gamma):
    return _standardised(ref.rewards_to_go(rewards, gamma), axis=-1)


def _rtg_standardised(axis, eps):
    def imitate(theta, states, actions, rewards, gamma, baseline=0.0):
        advantages = ref.rewards_to_go(rewards, gamma) - _f(baseline)
        weights = _batch_standardised(advantages, ddof=1, eps=eps, axis=axis)
        return _rtg_weighted(theta, states, actions, _powers(gamma, weights.shape[-1]) * weights)

    return imitate


def _value_normalised_all_steps(theta, states, actions, rewards, gamma, values):
    advantages = ref.rewards_to_go(rewards, gamma) - _values_at(values, states)
    weights = _batch_standardised(advantages, ddof=1, eps=1e-8)
    return _rtg_weighted(theta, states, actions, _powers(gamma, weights.shape[-1]) * weights)


# --------------------------------------------------------------------------- the catalogue

CATALOGUE: tuple[Misconception, ...] = (
    # ------------------------------------------------------------------- softmax policies
    Misconception(
        "softmax.no_max_shift",
        "softmax",
        "softmax overflows for large logits: exp(1000) is inf in float64, and inf / inf is nan. "
        "Change the logits first, in a way that leaves the probabilities the same but keeps every "
        "exponential in a safe range (the hints under softmax).",
        _unshifted_softmax,
    ),
    Misconception(
        "softmax.whole_array",
        "softmax",
        "For a table theta of shape (S, A) you normalised over the whole table, so the "
        "probabilities of all states together sum to 1. The policy is a softmax per state: "
        "normalise along the last axis (axis=-1, keepdims=True) so each row sums to 1.",
        _whole_array_softmax,
    ),
    Misconception(
        "log_softmax.log_of_softmax",
        "log_softmax",
        "log(softmax(theta)) is -inf when a probability underflows to 0 (logits far apart), "
        "although log pi is an ordinary number. Take the logarithm of the definition of pi first "
        "and evaluate that, never the log of a probability (the hints under log_softmax).",
        _log_of_softmax,
    ),
    Misconception(
        "log_softmax.no_max_shift",
        "log_softmax",
        "theta - log(sum exp(theta)) overflows for large logits (exp(1000) is inf). Keep the "
        "log-sum-exp finite with the identity of Hint 2 under log_softmax, choosing the constant "
        "as for softmax.",
        _unshifted_log_softmax,
    ),
    Misconception(
        "grad_log_softmax.one_hot_only",
        "grad_log_softmax",
        "You returned the one-hot vector of the action only: you differentiated theta_a and "
        "dropped the normaliser. The term log sum_b exp(theta_b) of log pi(a) depends on every "
        "logit; Hint 2 asks what its derivative is.",
        lambda theta, actions: _one_hot(theta, actions),
    ),
    Misconception(
        "grad_log_softmax.sign",
        "grad_log_softmax",
        "Your score has the wrong sign: each component is minus d log pi(a) / d theta_b.",
        lambda theta, actions: -ref.grad_log_softmax(theta, actions),
    ),
    Misconception(
        "grad_log_softmax.chosen_component_only",
        "grad_log_softmax",
        "You kept only the chosen action's component and set the others to 0, as if pi(a) depended "
        "on theta_a alone. With a softmax every logit moves log pi(a): differentiate it with "
        "respect to every theta_b, b != a too (Hint 2).",
        lambda theta, actions: (
            _one_hot(theta, actions)
            * (1.0 - ref.softmax(theta)[np.asarray(actions, dtype=int)])[..., None]
        ),
    ),
    # ------------------------------------------------------------------- K-armed bandit
    Misconception(
        "expected_reward.plain_average",
        "expected_reward",
        "expected_reward averages the means equally; J weights each arm's mean by its "
        "probability: J = sum_a pi(a) means[a].",
        lambda theta, means: float(np.mean(_f(means))),
    ),
    Misconception(
        "expected_reward.unnormalised",
        "expected_reward",
        "You weighted the means by exp(theta_a) without dividing by their sum. The weights must "
        "be probabilities: pi(a) = exp(theta_a) / sum_b exp(theta_b).",
        lambda theta, means: float(np.exp(_f(theta)) @ _f(means)),
    ),
    Misconception(
        "exact_gradient.no_probability_weight",
        "exact_gradient",
        "You summed score(a) * means[a] over the arms without weighting by pi(a). The enumeration "
        "is an expectation: grad J = sum_a pi(a) score(a) means[a].",
        lambda theta, means: _f(means) - ref.softmax(theta) * _f(means).sum(),
    ),
    Misconception(
        "exact_gradient.missing_baseline_J",
        "exact_gradient",
        "You returned pi * means: you differentiated the numerators exp(theta_a) and treated the "
        "softmax's normaliser as a constant. The normaliser depends on every logit too, and its "
        "derivative is where J enters (Hint 2 of Section 2).",
        lambda theta, means: ref.softmax(theta) * _f(means),
    ),
    Misconception(
        "reinforce.baseline_added",
        "reinforce_estimates",
        "The baseline is added to the reward; REINFORCE subtracts it: score(a) (r - b).",
        lambda theta, actions, rewards, baseline=0.0: ref.reinforce_estimates(
            theta, actions, rewards, -_f(baseline)
        ),
    ),
    Misconception(
        "reinforce.batch_mean",
        "reinforce_estimates",
        "reinforce_estimates returns the batch average (shape (K,)); it must return one "
        "estimate per sample, shape (n, K), and the caller averages them.",
        lambda theta, actions, rewards, baseline=0.0: ref.reinforce_estimates(
            theta, actions, rewards, baseline
        ).mean(axis=0),
    ),
    # ------------------------------------------------------------------- returns
    Misconception(
        "reinforce.sign",
        "reinforce_estimates",
        "Your estimates have the wrong sign: their mean is -grad J. The estimate is score(a) "
        "(r - b).",
        lambda theta, actions, rewards, baseline=0.0: (
            -ref.reinforce_estimates(theta, actions, rewards, baseline)
        ),
    ),
    Misconception(
        "reinforce.baseline_ignored",
        "reinforce_estimates",
        "reinforce_estimates ignores its baseline argument: each estimate is score(a) (r - b), "
        "with b a number or one value per sample.",
        lambda theta, actions, rewards, baseline=0.0: ref.reinforce_estimates(
            theta, actions, rewards
        ),
    ),
    Misconception(
        "discounted_returns.mean_over_time",
        "discounted_returns",
        "You averaged the discounted rewards over the T steps. The return is their sum, "
        "sum_t gamma^t r_t: dividing by T rescales the objective.",
        lambda rewards, gamma: ref.discounted_returns(rewards, gamma) / _f(rewards).shape[-1],
    ),
    Misconception(
        "discounted_returns.sum_over_batch",
        "discounted_returns",
        "You summed over the episodes (axis 0) instead of over time: rewards has shape (n, T) "
        "and the result is one return per episode, shape (n,), summing along axis 1.",
        lambda rewards, gamma: (_f(rewards) * _powers(gamma, _f(rewards).shape[-1])).sum(axis=0),
    ),
    Misconception(
        "discounted_returns.discount_starts_at_one",
        "discounted_returns",
        "Your discount starts at gamma^1, so it discounts the first reward too. It should not: in "
        "sum_t gamma^t r_t the exponent of r_t is t, starting at 0, so r_0 counts fully.",
        lambda rewards, gamma: float(gamma) * ref.discounted_returns(rewards, gamma),
    ),
    Misconception(
        "rewards_to_go.excludes_current",
        "rewards_to_go",
        "Off by one: your G_t leaves out the current reward r_t. The reward-to-go includes it: "
        "G_t = sum_{k>=t} gamma^(k-t) r_k starts at k = t, with r_t undiscounted.",
        _excludes_current,
    ),
    Misconception(
        "rewards_to_go.shifted",
        "rewards_to_go",
        "Off by one: slot t holds the reward-to-go of step t + 1 (and the last slot 0). "
        "G_t = sum_{k>=t} gamma^(k-t) r_k starts with r_t itself, so the last slot holds the last "
        "reward.",
        _shifted,
    ),
    Misconception(
        "rewards_to_go.from_episode_start",
        "rewards_to_go",
        "You discounted from the episode start, sum_{k>=t} gamma^k r_k. The reward-to-go discounts "
        "from the current step: G_t = sum_{k>=t} gamma^(k-t) r_k.",
        _from_episode_start,
    ),
    Misconception(
        "rewards_to_go.past_rewards",
        "rewards_to_go",
        "You summed in the wrong direction: slot t holds the rewards up to t, sum_{k<=t} "
        "gamma^(t-k) r_k. An action only influences later rewards, so G_t sums from t to the end: "
        "work from the end of the episode (Hint 1 under rewards_to_go).",
        _past_rewards,
    ),
    Misconception(
        "rewards_to_go.undiscounted",
        "rewards_to_go",
        "Your rewards-to-go ignore gamma: G_t = sum_{k>=t} gamma^(k-t) r_k.",
        lambda rewards, gamma: ref.rewards_to_go(rewards, 1.0),
    ),
    Misconception(
        "rewards_to_go.discount_from_end",
        "rewards_to_go",
        "You discounted from the end of the episode, sum_{k>=t} gamma^(T-1-k) r_k, so the last "
        "reward counts fully. Discount from step t: r_t counts fully, r_{t+1} by gamma, and so on.",
        _discount_from_end,
    ),
    # ------------------------------------------------------------------- scores
    Misconception(
        "step_scores.all_rows",
        "step_scores",
        "You wrote the score of step t into every state's row. theta[s] only enters pi(.|s), so "
        "grad log pi(a_t|s_t) is zero outside row s_t.",
        _all_rows,
    ),
    Misconception(
        "step_scores.global_softmax",
        "step_scores",
        "Your policy normalises over the whole (S, A) table. pi(.|s) = softmax(theta[s]) is "
        "normalised per state, along the action axis.",
        _global_softmax_scores,
    ),
    # ------------------------------------------------------------------- estimators
    Misconception(
        "step_scores.one_hot_only",
        "step_scores",
        "Row s_t of your score is one_hot(a_t) only: you dropped the derivative of the softmax's "
        "normaliser, which depends on every logit of row s_t. Compare with the score you derived "
        "in Section 1.",
        lambda theta, states, actions: (
            ref.step_scores(theta, states, actions) + _policy_rows(theta, states)
        ),
    ),
    Misconception(
        "total_return.batch_mean",
        "reinforce_total_return",
        "reinforce_total_return returns the batch average (shape (S, A)); it must return one "
        "estimate per episode, shape (n, S, A), and the caller averages them.",
        lambda theta, states, actions, rewards, gamma: ref.reinforce_total_return(
            theta, states, actions, rewards, gamma
        ).mean(axis=0),
    ),
    Misconception(
        "total_return.mean_over_time",
        "reinforce_total_return",
        "You averaged the step scores over time (divided by T). grad log p(tau) is their sum, not "
        "their mean.",
        lambda theta, states, actions, rewards, gamma: (
            ref.reinforce_total_return(theta, states, actions, rewards, gamma)
            / np.shape(rewards)[-1]
        ),
    ),
    Misconception(
        "total_return.undiscounted_return",
        "reinforce_total_return",
        "You multiplied by the undiscounted sum of rewards. The objective discounts from the "
        "start, so the weight is G_0 = sum_t gamma^t r_t.",
        lambda theta, states, actions, rewards, gamma: ref.reinforce_total_return(
            theta, states, actions, rewards, 1.0
        ),
    ),
    Misconception(
        "rtg_estimator.no_gamma_t",
        "reinforce_rewards_to_go",
        "You dropped the gamma^t in front of each step. Without it, your estimator is the form "
        "CS285 (lectures and homework) and Spinning Up use in practice, but for gamma < 1 it is "
        "biased for J discounted from the episode start (in general it is not the gradient of any "
        "objective); this assignment grades the gradient of the discounted objective "
        "J_gamma = E[sum_t gamma^t r_t], which needs the gamma^t (Q2 asks why).",
        _no_gamma_t,
    ),
    Misconception(
        "rtg_estimator.total_return_every_step",
        "reinforce_rewards_to_go",
        "Each step is weighted by the whole return G_0 instead of its reward-to-go G_t. G_0 also "
        "counts the rewards before step t, which a_t cannot influence, and discounts the later "
        "ones from the episode start instead of from step t: use G_t.",
        _total_return_every_step,
    ),
    Misconception(
        "rtg_estimator.discounted_twice",
        "reinforce_rewards_to_go",
        "You discounted twice: your rewards-to-go already carry gamma^t (sum_{k>=t} gamma^k r_k) "
        "and you multiplied by gamma^t again. The reward-to-go G_t is discounted from step t.",
        _discounted_twice,
    ),
    Misconception(
        "rtg_estimator.batch_mean",
        "reinforce_rewards_to_go",
        "reinforce_rewards_to_go returns the batch average (shape (S, A)); it must return one "
        "estimate per episode, shape (n, S, A), and the caller averages them.",
        lambda theta, states, actions, rewards, gamma, baseline=0.0: ref.reinforce_rewards_to_go(
            theta, states, actions, rewards, gamma, baseline
        ).mean(axis=0),
    ),
    Misconception(
        "rtg_estimator.mean_over_time",
        "reinforce_rewards_to_go",
        "You averaged the per-step terms over the T steps. The estimator is their sum: dividing by "
        "T shrinks the gradient T-fold.",
        lambda theta, states, actions, rewards, gamma, baseline=0.0: (
            ref.reinforce_rewards_to_go(theta, states, actions, rewards, gamma, baseline)
            / np.shape(rewards)[-1]
        ),
    ),
    Misconception(
        "rtg_estimator.baseline_ignored",
        "reinforce_rewards_to_go",
        "reinforce_rewards_to_go ignores its baseline argument: subtract b_t from the reward-to-go "
        "of step t, G_t - b_t.",
        lambda theta, states, actions, rewards, gamma, baseline=0.0: ref.reinforce_rewards_to_go(
            theta, states, actions, rewards, gamma
        ),
    ),
    Misconception(
        "value_baseline.no_gamma_t",
        "reinforce_value_baseline",
        "You dropped the gamma^t in front of each step. Without it, your estimator is the form "
        "CS285 and Spinning Up use in practice, but for gamma < 1 it is biased for J discounted "
        "from the episode start (in general it is not the gradient of any objective); this "
        "assignment grades the gradient of J_gamma = E[sum_t gamma^t r_t], which needs the gamma^t "
        "(Q2 asks why).",
        _value_no_gamma_t,
    ),
    Misconception(
        "baseline.action_dependent",
        "reinforce_value_baseline",
        "Your baseline, the reward r_t plus the discounted value gamma V_{t+1}(s_{t+1}) of the "
        "next state, depends on the action a_t (it estimates Q_t(s_t, a_t)), so subtracting it "
        "biases the estimator. A baseline may depend on the state s_t but not on a_t: use "
        "V_t(s_t) = values[t, s_t].",
        _td_target_baseline,
    ),
    Misconception(
        "baseline.stationary_values",
        "reinforce_value_baseline",
        "You used V_0(s_t) at every step. With a finite horizon the value depends on the time "
        "left: the baseline at step t is V_t(s_t) = values[t, s_t].",
        _stationary_baseline,
    ),
    Misconception(
        "baseline.normalised_over_time",
        "reinforce_value_baseline",
        "You standardised the advantages along the time axis of each episode. That mixes the "
        "rewards of all steps into every step's weight and rescales the estimate; use "
        "G_t - V_t(s_t) as it is.",
        _normalised_advantages(axis=1),
    ),
    Misconception(
        "baseline.normalised_over_batch",
        "reinforce_value_baseline",
        "You standardised the advantages over the batch. That couples the episodes and "
        "rescales the estimate, so it no longer estimates grad J; use G_t - V_t(s_t) as it is.",
        _normalised_advantages(axis=0),
    ),
    # ------------------------------------------------------------------- values
    Misconception(
        "state_values.no_discount",
        "state_values",
        "Your backward induction drops gamma: what the episode pays after step t is discounted "
        "relative to step t, so the next step's values need the factor gamma (Hint 2 under "
        "state_values).",
        lambda theta, mdp: ref.state_values(theta, _mdp_with_gamma(mdp, 1.0)),
    ),
    Misconception(
        "state_values.stationary",
        "state_values",
        "You repeated one value function for every t. With a finite horizon, V_t depends on the "
        "steps left (V_{T-1} has one reward left, V_0 has all T): compute one row per step, from "
        "the last step back to the first (Hint 1 under state_values).",
        lambda theta, mdp: np.repeat(ref.state_values(theta, mdp)[:1], int(mdp.horizon), axis=0),
    ),
    Misconception(
        "state_values.reversed_in_time",
        "state_values",
        "Your rows are in reverse time order: row t must be V_t, with V_{T-1} (one step left) "
        "in the last row and V_0 in the first.",
        lambda theta, mdp: ref.state_values(theta, mdp)[::-1].copy(),
    ),
    Misconception(
        "state_values.optimal_not_policy",
        "state_values",
        "You took the max over actions (the optimal values). V_t is the value of the policy pi: it "
        "averages over the actions pi takes.",
        _optimal_values,
    ),
    # ------------------------------------------------------------------- seen in real code
    Misconception(
        "softmax.axis_zero",
        "softmax",
        "For a table theta of shape (S, A) you normalised along axis 0, so each action's "
        "probabilities sum to 1 over the states. The policy is a softmax per state: normalise "
        "along the last axis (axis=-1, keepdims=True) so each row sums to 1.",
        _axis_zero_softmax,
    ),
    Misconception(
        "log_softmax.epsilon_inside_log",
        "log_softmax",
        "You computed log(softmax(theta) + 1e-6): the 1e-6 that keeps the log finite changes every "
        "value (and keeps log pi above log 1e-6 = -13.8). Compute log pi without taking the log of "
        "a probability (the hints under log_softmax); it needs no epsilon.",
        _log_softmax_epsilon,
    ),
    Misconception(
        "grad_log_softmax.dpi_not_dlogpi",
        "grad_log_softmax",
        "You returned the row of the softmax Jacobian, d pi(a)/d theta: the derivative of the "
        "probability. The score is the derivative of its logarithm, (d pi(a)/d theta) / pi(a).",
        _dpi_scores,
    ),
    Misconception(
        "grad_log_softmax.every_action_chosen",
        "grad_log_softmax",
        "Your score is 1 - pi in every component, whatever action was taken, as if every action "
        "had been chosen. Only one term of log pi(a) depends on which action was taken (Hint 1): "
        "differentiate it with respect to each theta_b again.",
        _every_action_chosen,
    ),
    Misconception(
        "reinforce.standardised_rewards",
        "reinforce_estimates",
        "You standardised the rewards over the batch, (r - mean) / (std + eps). That couples the "
        "samples and rescales the estimate, so it no longer estimates grad J: each estimate is "
        "score(a) (r - b) with the rewards as they are.",
        _standardised_bandit,
    ),
    Misconception(
        "rewards_to_go.forward_then_reversed",
        "rewards_to_go",
        "You ran the recursion forwards (slot t holds the rewards up to t, sum_{k<=t} "
        "gamma^(t-k) r_k) and then reversed the list. That is right exactly when the rewards read "
        "the same backwards (r_t = r_{T-1-t} for every t, e.g. all equal). Work from the end of "
        "the episode instead (Hint 1 under rewards_to_go).",
        _forward_then_reversed,
    ),
    Misconception(
        "rewards_to_go.standardised",
        "rewards_to_go",
        "You standardised the rewards-to-go of each episode (subtracted their mean over time and "
        "divided by their standard deviation). rewards_to_go must return G_t itself; "
        "standardising is a training trick that changes what the estimators compute.",
        _standardised_rewards_to_go,
    ),
    Misconception(
        "rewards_to_go.running_sum_not_updated",
        "rewards_to_go",
        "Each slot holds its own reward only: the running sum you add to it (times gamma) is never "
        "updated inside the loop, so it stays 0. Assign the new running sum at every step, then "
        "store it in slot t.",
        lambda rewards, gamma: _f(rewards).copy(),
    ),
    Misconception(
        "rewards_to_go.fixed_gamma",
        "rewards_to_go",
        "Your rewards-to-go discount by 0.9 whatever gamma is passed: the discount is hard-coded. "
        "Use the gamma argument.",
        lambda rewards, gamma: ref.rewards_to_go(rewards, 0.9),
    ),
    Misconception(
        "rtg_estimator.standardised_returns",
        "reinforce_rewards_to_go",
        "You standardised each episode's rewards-to-go over time, (G_t - mean) / (std + eps), "
        "before weighting the scores. That mixes later and earlier steps into every weight and "
        "rescales the estimate, so it no longer estimates grad J: use G_t - b_t as it is.",
        _rtg_standardised(axis=1, eps=1e-8),
    ),
    Misconception(
        "rtg_estimator.normalised_over_all_steps",
        "reinforce_rewards_to_go",
        "You standardised G_t - b_t over every step of every episode, (x - mean) / (std + eps). "
        "That couples the episodes and rescales the estimate, so it no longer estimates grad J: "
        "use G_t - b_t as it is.",
        _rtg_standardised(axis=None, eps=1e-10),
    ),
    Misconception(
        "baseline.normalised_over_all_steps",
        "reinforce_value_baseline",
        "You standardised the advantages G_t - V_t(s_t) over every step of every episode, "
        "(A - mean) / (std + eps). That couples the episodes and rescales the estimate, so it "
        "no longer estimates grad J; use G_t - V_t(s_t) as it is.",
        _value_normalised_all_steps,
    ),
    Misconception(
        "softmax.no_exp",
        "softmax",
        "You divided the shifted logits by their sum without exponentiating them. That is not the "
        "softmax: the largest logit gets probability 0, and every entry is nan when all logits are "
        "equal. Exponentiate the shifted logits before you normalise.",
        _no_exp_softmax,
    ),
    Misconception(
        "exact_gradient.diagonal_jacobian",
        "exact_gradient",
        "You used only the diagonal of the softmax Jacobian, d pi(a)/d theta_a, and dropped the "
        "cross terms d pi(b)/d theta_a for b != a, which are not zero: raising one logit lowers "
        "every other probability. Sum every arm's term, as form (b) of Section 2 does with your "
        "score.",
        lambda theta, means: ref.softmax(theta) * (1.0 - ref.softmax(theta)) * _f(means),
    ),
    Misconception(
        "rewards_to_go.forward_cumsum",
        "rewards_to_go",
        "You accumulated forwards, sum_{k<=t} gamma^k r_k (the discounted return so far). The "
        "reward-to-go sums the rewards from t to the end, discounted from step t: "
        "G_t = sum_{k>=t} gamma^(k-t) r_k.",
        _forward_cumsum,
    ),
)


def for_function(function: str) -> tuple[Misconception, ...]:
    return tuple(m for m in CATALOGUE if m.function == function)
