"""Known mistakes in the ``actor_critic`` assignment, as data (see ``pglab.misconceptions``).

Every ``imitate`` takes exactly the arguments of the *student* function named in ``function``
(docs/actor_critic.md), as the grader rebuilds them from the seed: numpy arrays, floats, an
``EpisodicMDP`` and, for ``advantage_bias_variance``, the probe's own advantage function.
It uses nothing but the reference math (``pglab.reference``) and returns, in numpy:

* for the numpy functions, what a student who made the mistake returns (``(T, S)`` critics,
  ``(n, T)`` advantages, and ``(bias, variance)``, each ``(S, A)``, for
  ``advantage_bias_variance``);
* for the two torch functions, the *gradient* of the mistaken loss, which is what the probes
  record from the student's autodiff loss and what the checks compare: with respect to the
  logits, ``(S, A)``, for ``surrogate_loss``; with respect to the values, ``(T, S)``, for
  ``critic_td_loss``.  One entry is the exception: ``surrogate.not_detached``
  leaves the logits' gradient right and lets a gradient flow into the advantages, so its
  imitation returns the gradient with respect to the *advantages*, ``(n, T)``
  (``ADVANTAGE_GRADIENT``), the gradient a critic that produced them receives through the
  chain rule (``critic_gradient`` applies it for TD-error advantages); the correct loss
  sends none (zeros).

``REFERENCE`` maps each function to the correct value in the same terms, so an imitation and
the truth can be compared on the same arguments.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pglab.misconceptions import Misconception
from pglab.reference import actor_critic as ac
from pglab.reference import rewards_to_go as ref

__all__ = [
    "ADVANTAGE_GRADIENT",
    "CATALOGUE",
    "REFERENCE",
    "Misconception",
    "advantage_bias_variance",
    "critic_gradient",
    "critic_td_loss_gradient",
    "for_function",
]


# --------------------------------------------------------------------------- helpers


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _i(x) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)


def _current(values, states) -> np.ndarray:
    """V_t(s_t): (n, T)."""
    states = _i(states)
    return _f(values)[np.arange(states.shape[-1]), states]


def _scatter(shape, states, per_step) -> np.ndarray:
    """sum_i per_step[i, t] into cell (t, s_{i,t}): (T, S)."""
    states = _i(states)
    n, T = states.shape
    out = np.zeros(shape)
    np.add.at(out, (np.broadcast_to(np.arange(T), (n, T)), states), _f(per_step))
    return out


# =========================================================================== surrogate_loss


def _sign(logits, states, actions, advantages):
    """L = +(1/n) sum log pi A: the gradient of the correct loss, negated."""
    return -ac.surrogate_loss_gradient(logits, states, actions, advantages)


def _mean_over_steps(logits, states, actions, advantages):
    """L = -mean over (i, t) of log pi A: divided by T as well as n."""
    T = _f(advantages).shape[-1]
    return ac.surrogate_loss_gradient(logits, states, actions, advantages) / T


def _sum_over_episodes(logits, states, actions, advantages):
    """L = -sum over (i, t) of log pi A: not divided by n."""
    n = _f(advantages).shape[0]
    return ac.surrogate_loss_gradient(logits, states, actions, advantages) * n


def _not_gathered(logits, states, actions, advantages):
    """L = -(1/n) sum_i sum_t A_t sum_a log pi(a | s_t): every action's log-probability."""
    logits, states = _f(logits), _i(states)
    total = np.zeros(logits.shape)
    for a in range(logits.shape[-1]):
        chosen = np.full(states.shape, a)
        total += ac.surrogate_loss_gradient(logits, states, chosen, advantages)
    return total


def _log_softmax_over_states(logits, states, actions, advantages):
    """log-softmax over the states (dim 0) instead of the actions: log of theta[s, a]'s share
    of column a.  The column softmax of theta is the row softmax of theta^T, so the gradient is
    the correct one for theta^T with the roles of states and actions exchanged, transposed."""
    return ac.surrogate_loss_gradient(_f(logits).T, actions, states, advantages).T


def _raw_logits(logits, states, actions, advantages):
    """L = -(1/n) sum theta[s_t, a_t] A_t: the logit used as if it were log pi."""
    logits = _f(logits)
    n = _f(advantages).shape[0]
    grad = np.zeros_like(logits)
    np.add.at(grad, (_i(states), _i(actions)), -_f(advantages) / n)
    return grad


def _probability_not_log(logits, states, actions, advantages):
    """L = -(1/n) sum pi(a_t | s_t) A_t: d pi = pi * score."""
    pi = ref.softmax(logits)[_i(states), _i(actions)]
    return ac.surrogate_loss_gradient(logits, states, actions, pi * _f(advantages))


def _normalised_in_loss(logits, states, actions, advantages):
    """The advantages standardised over the whole batch inside the loss, as torch writes it:
    (A - A.mean()) / (A.std() + 1e-8), with torch's default (n - 1) standard deviation."""
    a = _f(advantages)
    a = (a - a.mean()) / (a.std(ddof=1) + 1e-8)
    return ac.surrogate_loss_gradient(logits, states, actions, a)


def _not_detached(logits, states, actions, advantages):
    """dL/dA = -(1/n) log pi(a_t | s_t): (n, T).  The correct loss holds A constant (zeros)."""
    n = _f(advantages).shape[0]
    return -ref.log_softmax(logits)[_i(states), _i(actions)] / n


#: The entry whose imitation is a gradient with respect to the advantages, (n, T).
ADVANTAGE_GRADIENT = "surrogate.not_detached"


def critic_gradient(advantage_gradient, states, gamma, n_states) -> np.ndarray:
    """The gradient a critic V (T, S) receives through TD-error advantages
    A_t = r_t + gamma V_{t+1}(s_{t+1}) - V_t(s_t) (V_T = 0), given dL/dA (n, T): the chain
    rule, -dL/dA_t into cell (t, s_t) and +gamma dL/dA_{t-1} into cell (t, s_t)."""
    g = _f(advantage_gradient)
    states = _i(states)
    through_next = np.zeros_like(g)
    through_next[:, 1:] = float(gamma) * g[:, :-1]
    return _scatter((states.shape[-1], int(n_states)), states, through_next - g)


# =========================================================================== critic_td_loss


def _td_loss_gradient_for(values, states, delta) -> np.ndarray:
    """d/dV of (1/n) sum 1/2 delta^2 with the target held constant: -(1/n) sum of delta into
    the cells (t, s_t)."""
    n = _i(states).shape[0]
    return _scatter(np.shape(values), states, -_f(delta) / n)


def critic_td_loss_gradient(values, states, rewards, gamma) -> np.ndarray:
    """The correct critic_td_loss gradient with respect to the values: (T, S).

    Equal to (values - td0_critic_step(values, states, rewards, gamma, lr)) / lr."""
    return _td_loss_gradient_for(values, states, ac.td_errors(rewards, states, values, gamma))


def _critic_target_not_constant(values, states, rewards, gamma):
    """The gradient also flows through the target: V_{t+1}(s_{t+1}) receives +gamma delta_t / n."""
    grad = critic_td_loss_gradient(values, states, rewards, gamma)
    delta = ac.td_errors(rewards, states, values, gamma)
    n = _i(states).shape[0]
    through_target = np.zeros_like(delta)
    through_target[:, 1:] = float(gamma) * delta[:, :-1] / n
    return grad + _scatter(np.shape(values), states, through_target)


def _td_bootstrap_last_value(rewards, states, values, gamma):
    """At t = T-1 the target bootstraps from V_{T-1}(s_{T-1}) instead of V_T = 0."""
    delta = ac.td_errors(rewards, states, values, gamma)
    delta[..., -1] += float(gamma) * _current(values, states)[..., -1]
    return delta


def _td_wrong_step_value(rewards, states, values, gamma):
    """delta_t = r_t + gamma V_t(s_{t+1}) - V_t(s_t): the next state read in step t's table."""
    states, values = _i(states), _f(values)
    T = states.shape[-1]
    nxt = np.zeros(states.shape)
    nxt[..., :-1] = values[np.arange(T - 1), states[..., 1:]]
    return _f(rewards) + float(gamma) * nxt - _current(values, states)


def _critic_bootstrap_last_value(values, states, rewards, gamma):
    delta = _td_bootstrap_last_value(rewards, states, values, gamma)
    return _td_loss_gradient_for(values, states, delta)


def _critic_wrong_step_value(values, states, rewards, gamma):
    delta = _td_wrong_step_value(rewards, states, values, gamma)
    return _td_loss_gradient_for(values, states, delta)


def _critic_mse_loss(values, states, rewards, gamma):
    """F.mse_loss(V_t(s_t), target): mean over every (i, t) and no 1/2, so 2/T times the
    correct gradient."""
    T = _i(states).shape[-1]
    return critic_td_loss_gradient(values, states, rewards, gamma) * 2.0 / T


# =========================================================================== fit_critic_monte_carlo


def _cell_means(states, targets, n_states, t) -> np.ndarray:
    counts = np.bincount(states[:, t], minlength=n_states)
    sums = np.bincount(states[:, t], weights=targets[:, t], minlength=n_states)
    return np.divide(sums, counts, out=np.zeros(n_states), where=counts > 0)


def _mc_regressed_rewards(states, rewards, gamma, n_states):
    """Regresses the immediate reward r_t instead of G_t."""
    return ac.fit_critic_monte_carlo(states, rewards, 0.0, n_states)


def _mc_undiscounted(states, rewards, gamma, n_states):
    return ac.fit_critic_monte_carlo(states, rewards, 1.0, n_states)


def _mc_total_return(states, rewards, gamma, n_states):
    """Regresses the episode's whole return G_0 in every cell (t, s_t)."""
    states = _i(states)
    g0 = ref.discounted_returns(rewards, gamma)
    T = states.shape[-1]
    targets = np.repeat(g0[:, None], T, axis=1)
    return np.stack([_cell_means(states, targets, n_states, t) for t in range(T)])


def _mc_not_time_indexed(states, rewards, gamma, n_states):
    """One value per state, the mean of G_t over every visit at any step, in every row."""
    states = _i(states)
    returns = ref.rewards_to_go(rewards, gamma)
    counts = np.bincount(states.ravel(), minlength=n_states)
    sums = np.bincount(states.ravel(), weights=returns.ravel(), minlength=n_states)
    row = np.divide(sums, counts, out=np.zeros(n_states), where=counts > 0)
    return np.tile(row, (states.shape[-1], 1))


# =========================================================================== fit_critic_td0


def _td0_forward_in_time(states, rewards, gamma, n_states):
    """Filled forwards in t: each target bootstraps from a row not computed yet (still 0)."""
    return ac.fit_critic_monte_carlo(states, rewards, 0.0, n_states)


def _td0_next_value_same_state(states, rewards, gamma, n_states):
    """Targets r_t + gamma V_{t+1}(s_t): the next step's table read at the current state."""
    states, rewards = _i(states), _f(rewards)
    T = states.shape[-1]
    values = np.zeros((T, n_states))
    for t in range(T - 1, -1, -1):
        nxt = values[t + 1, states[:, t]] if t + 1 < T else np.zeros(states.shape[0])
        targets = np.zeros_like(rewards)
        targets[:, t] = rewards[:, t] + float(gamma) * nxt
        values[t] = _cell_means(states, targets, n_states, t)
    return values


def _td0_no_gamma(states, rewards, gamma, n_states):
    return ac.fit_critic_td0(states, rewards, 1.0, n_states)


def _td0_monte_carlo_targets(states, rewards, gamma, n_states):
    """The Monte Carlo fit: the sampled reward-to-go instead of the bootstrapped target."""
    return ac.fit_critic_monte_carlo(states, rewards, gamma, n_states)


# =========================================================================== advantages


def _monte_carlo_first_row(rewards, states, values, gamma):
    """G_t - V_0(s_t): the values of step 0 used at every step."""
    return ref.rewards_to_go(rewards, gamma) - _f(values)[0][_i(states)]


def _monte_carlo_total_return(rewards, states, values, gamma):
    """G_0 - V_t(s_t): the whole episode's return at every step."""
    g0 = ref.discounted_returns(rewards, gamma)
    return g0[:, None] - _current(values, states)


def _td_no_gamma(rewards, states, values, gamma):
    return ac.td_errors(rewards, states, values, 1.0)


def _gae_from_deltas(delta, decay, forward=False):
    out = np.empty_like(delta)
    running = np.zeros(delta.shape[:-1])
    T = delta.shape[-1]
    order = range(T) if forward else range(T - 1, -1, -1)
    for t in order:
        running = delta[..., t] + decay * running
        out[..., t] = running
    return out


def _gae_forward(rewards, states, values, gamma, lam):
    delta = ac.td_errors(rewards, states, values, gamma)
    return _gae_from_deltas(delta, float(gamma) * float(lam), forward=True)


def _gae_bootstrap_last_value(rewards, states, values, gamma, lam):
    delta = _td_bootstrap_last_value(rewards, states, values, gamma)
    return _gae_from_deltas(delta, float(gamma) * float(lam))


def _gae_swapped(rewards, states, values, gamma, lam):
    return ac.gae_advantages(rewards, states, values, lam, gamma)


def _gae_gamma_power_lambda(rewards, states, values, gamma, lam):
    delta = ac.td_errors(rewards, states, values, gamma)
    return _gae_from_deltas(delta, float(gamma) ** float(lam))


def _gae_lambda_only(rewards, states, values, gamma, lam):
    delta = ac.td_errors(rewards, states, values, gamma)
    return _gae_from_deltas(delta, float(lam))


def _n_step_past_horizon(rewards, states, values, gamma, n_steps):
    """Where the n steps reach the horizon, bootstraps gamma^m V_{T-1}(s_{T-1}) (an index
    clipped to the last step) instead of V_T = 0."""
    rewards, states, values = _f(rewards), _i(states), _f(values)
    out = ac.n_step_advantages(rewards, states, values, gamma, n_steps)
    T = rewards.shape[-1]
    last = _current(values, states)[..., -1]
    for t in range(T):
        m = min(int(n_steps), T - t)
        if t + m >= T:
            out[..., t] += float(gamma) ** m * last
    return out


def _n_step_discounted_from_start(rewards, states, values, gamma, n_steps):
    """The rewards discounted from the episode start, gamma^(t+k) r_{t+k}; the bootstrap term
    as in the correct return."""
    rewards = _f(rewards)
    T = rewards.shape[-1]
    inner = ac.n_step_advantages(rewards, states, np.zeros(np.shape(values)), gamma, n_steps)
    extra = float(gamma) ** np.arange(T) - 1.0
    return ac.n_step_advantages(rewards, states, values, gamma, n_steps) + extra * inner


def _n_step_bootstrap_undiscounted(rewards, states, values, gamma, n_steps):
    """The bootstrapped value V_{t+m}(s_{t+m}) added without its discount gamma^m."""
    rewards, states, values = _f(rewards), _i(states), _f(values)
    out = ac.n_step_advantages(rewards, states, values, gamma, n_steps)
    T = rewards.shape[-1]
    current = _current(values, states)
    for t in range(T):
        m = min(int(n_steps), T - t)
        if t + m < T:
            out[..., t] += (1.0 - float(gamma) ** m) * current[..., t + m]
    return out


# =========================================================================== bias and variance


def _enumerated(theta, mdp, values, advantage_fn, discount_steps=True):
    """Every trajectory's estimate g(tau) = sum_t gamma^t score_t A_t (n, S, A), the per-step
    terms (n, T, S, A) and the probabilities p(tau)."""
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    rewards = _f(mdp.R)[states, actions]
    advantages = _f(advantage_fn(rewards, states, values, mdp.gamma))
    weights = ac.start_discounted(advantages, mdp.gamma) if discount_steps else advantages
    terms = np.einsum("nt,ntsa->ntsa", weights, ref.step_scores(theta, states, actions))
    return terms.sum(axis=1), terms, probs


def _moments(g, probs):
    mean = np.einsum("m,msa->sa", probs, g)
    return mean, np.einsum("m,msa->sa", probs, (g - mean) ** 2)


def advantage_bias_variance(theta, mdp, values, advantage_fn):
    """The correct (bias, variance): E[g] - grad J and the per-component Var[g], exact."""
    g, _, probs = _enumerated(theta, mdp, values, advantage_fn)
    mean, var = _moments(g, probs)
    return mean - ref.exact_policy_gradient(theta, mdp), var


def _bv_no_gamma_t(theta, mdp, values, advantage_fn):
    g, _, probs = _enumerated(theta, mdp, values, advantage_fn, discount_steps=False)
    mean, var = _moments(g, probs)
    return mean - ref.exact_policy_gradient(theta, mdp), var


def _bv_bias_is_mean(theta, mdp, values, advantage_fn):
    g, _, probs = _enumerated(theta, mdp, values, advantage_fn)
    return _moments(g, probs)


def _bv_second_moment(theta, mdp, values, advantage_fn):
    g, _, probs = _enumerated(theta, mdp, values, advantage_fn)
    mean, _ = _moments(g, probs)
    return mean - ref.exact_policy_gradient(theta, mdp), np.einsum("m,msa->sa", probs, g**2)


def _bv_unweighted(theta, mdp, values, advantage_fn):
    """Plain averages over the enumerated trajectories, as if each were equally likely."""
    g, _, probs = _enumerated(theta, mdp, values, advantage_fn)
    mean, var = _moments(g, np.full(probs.shape, 1.0 / probs.size))
    return mean - ref.exact_policy_gradient(theta, mdp), var


def _bv_covariances_ignored(theta, mdp, values, advantage_fn):
    """The variances of the per-step terms gamma^t score_t A_t added up: the covariances
    between steps left out."""
    g, terms, probs = _enumerated(theta, mdp, values, advantage_fn)
    mean, _ = _moments(g, probs)
    step_var = sum(_moments(terms[:, t], probs)[1] for t in range(terms.shape[1]))
    return mean - ref.exact_policy_gradient(theta, mdp), step_var


# --------------------------------------------------------------------------- the catalogue

#: The correct value for each function, in the terms its imitations use.
REFERENCE: dict[str, Callable[..., object]] = {
    "surrogate_loss": ac.surrogate_loss_gradient,
    "fit_critic_monte_carlo": ac.fit_critic_monte_carlo,
    "critic_td_loss": critic_td_loss_gradient,
    "fit_critic_td0": ac.fit_critic_td0,
    "monte_carlo_advantages": ac.monte_carlo_advantages,
    "td_errors": ac.td_errors,
    "n_step_advantages": ac.n_step_advantages,
    "gae_advantages": ac.gae_advantages,
    "advantage_bias_variance": advantage_bias_variance,
}

CATALOGUE: tuple[Misconception, ...] = (
    # ---------------------------------------------------------------- surrogate_loss
    Misconception(
        "surrogate.sign",
        "surrogate_loss",
        "Your loss has the wrong sign: minimising it would lower the expected return. A "
        "gradient-descent optimiser minimises the loss, so the loss needs the minus sign: its "
        "gradient must be minus the policy-gradient estimate.",
        _sign,
    ),
    Misconception(
        "surrogate.mean_over_steps",
        "surrogate_loss",
        "You averaged over the time steps as well as the episodes, which divides the gradient "
        "by the horizon. The policy gradient sums over the steps of an episode and averages "
        "over episodes.",
        _mean_over_steps,
    ),
    Misconception(
        "surrogate.sum_over_episodes",
        "surrogate_loss",
        "You summed over the episodes instead of averaging, so the gradient grows with the "
        "batch size. Average the per-episode sums over the batch.",
        _sum_over_episodes,
    ),
    Misconception(
        "surrogate.not_gathered",
        "surrogate_loss",
        "You used the log-probabilities of every action in the visited state, not only of the "
        "action that was taken. Pick out (gather) the taken action's log-probability.",
        _not_gathered,
    ),
    Misconception(
        "surrogate.log_softmax_over_states",
        "surrogate_loss",
        "Your log-probabilities normalise over the wrong axis: over the states (dimension 0) "
        "instead of over the actions of each state. The policy in state s is a softmax of row s.",
        _log_softmax_over_states,
    ),
    Misconception(
        "surrogate.raw_logits",
        "surrogate_loss",
        "You used the raw logit of the taken action where the loss needs its log-probability: "
        "the logits must go through a log-softmax over the state's actions first.",
        _raw_logits,
    ),
    Misconception(
        "surrogate.probability_not_log",
        "surrogate_loss",
        "You weighted the probability of the taken action, not its log-probability. The "
        "score-function estimator differentiates log pi.",
        _probability_not_log,
    ),
    Misconception(
        "surrogate.normalised_in_loss",
        "surrogate_loss",
        "You normalised the advantages inside the loss. That couples the episodes and rescales "
        "the gradient, so it is no longer the estimate for the advantages you were given; "
        "normalising is a choice made outside the loss, if at all.",
        _normalised_in_loss,
    ),
    Misconception(
        ADVANTAGE_GRADIENT,
        "surrogate_loss",
        "Your loss lets gradient flow into the advantages: when they come from a learned "
        "critic, minimising it also changes the critic. Hold the advantages constant inside "
        "the loss (detach them).",
        _not_detached,
    ),
    # ---------------------------------------------------------------- fit_critic_monte_carlo
    Misconception(
        "critic_mc.regressed_rewards",
        "fit_critic_monte_carlo",
        "Your Monte Carlo critic regresses the immediate reward. A value is the expected "
        "discounted reward-to-go from that step on.",
        _mc_regressed_rewards,
    ),
    Misconception(
        "critic_mc.undiscounted",
        "fit_critic_monte_carlo",
        "Your Monte Carlo targets ignore gamma: discount the rewards after step t.",
        _mc_undiscounted,
    ),
    Misconception(
        "critic_mc.total_return",
        "fit_critic_monte_carlo",
        "Your critic regresses the whole episode's return at every step. The value at step t "
        "only counts the rewards from step t on, discounted from step t.",
        _mc_total_return,
    ),
    Misconception(
        "critic_mc.not_time_indexed",
        "fit_critic_monte_carlo",
        "Your critic pools the visits of a state over all time steps. With a finite horizon "
        "the value of a state depends on how many steps are left: keep one value per "
        "(step, state).",
        _mc_not_time_indexed,
    ),
    # ---------------------------------------------------------------- critic_td_loss
    Misconception(
        "critic_td.target_not_constant",
        "critic_td_loss",
        "The gradient of your TD loss also flows through the bootstrapped target, so the next "
        "step's value moves too. Hold the target constant (detach / stop-gradient).",
        _critic_target_not_constant,
    ),
    Misconception(
        "critic_td.bootstrap_last_value",
        "critic_td_loss",
        "At the last step your TD target bootstraps from a value of the last state. The episode "
        "ends after T steps: nothing follows it, so there is no value to add there.",
        _critic_bootstrap_last_value,
    ),
    Misconception(
        "critic_td.wrong_step_value",
        "critic_td_loss",
        "Your TD target reads the next state's value in the table of the current step. Values "
        "depend on the time step: the next state's value belongs to the next step.",
        _critic_wrong_step_value,
    ),
    Misconception(
        "critic_td.mse_loss",
        "critic_td_loss",
        "Your loss is a mean squared error over every (episode, step) pair without the one-half: "
        "its gradient is scaled by 2/T. Sum the halved squares over the steps and average over "
        "episodes.",
        _critic_mse_loss,
    ),
    # ---------------------------------------------------------------- fit_critic_td0
    Misconception(
        "critic_td0.forward_in_time",
        "fit_critic_td0",
        "You solved for the values forwards in time, so each target bootstraps from a later "
        "step that had not been computed yet. Later values are needed first: go backwards.",
        _td0_forward_in_time,
    ),
    Misconception(
        "critic_td0.next_value_same_state",
        "fit_critic_td0",
        "Your target bootstraps from the next step's value of the current state. It should use "
        "the state the episode actually moved to.",
        _td0_next_value_same_state,
    ),
    Misconception(
        "critic_td0.no_gamma",
        "fit_critic_td0",
        "Your TD(0) targets do not discount the bootstrapped value with gamma.",
        _td0_no_gamma,
    ),
    Misconception(
        "critic_td0.monte_carlo_targets",
        "fit_critic_td0",
        "Your TD(0) critic regresses the sampled reward-to-go: that is the Monte Carlo critic. "
        "TD(0) regresses the reward plus the discounted value of the next state, from the "
        "values it has fitted.",
        _td0_monte_carlo_targets,
    ),
    # ---------------------------------------------------------------- monte_carlo_advantages
    Misconception(
        "monte_carlo.first_row_values",
        "monte_carlo_advantages",
        "You subtracted the values of step 0 at every step. The critic is time-indexed: use "
        "the value of step t for the state at step t.",
        _monte_carlo_first_row,
    ),
    Misconception(
        "monte_carlo.total_return",
        "monte_carlo_advantages",
        "You used the whole episode's return at every step. An advantage at step t only counts the "
        "rewards from step t on, discounted from step t.",
        _monte_carlo_total_return,
    ),
    # ---------------------------------------------------------------- td_errors
    Misconception(
        "td.bootstrap_last_value",
        "td_errors",
        "At the last step you bootstrapped from the value of the last state. The episode ends "
        "after T steps, so nothing follows the last reward: there is no value to add.",
        _td_bootstrap_last_value,
    ),
    Misconception(
        "td.wrong_step_value",
        "td_errors",
        "Your TD error reads the next state's value in the table of the current step. Values "
        "depend on the time step: the next state's value belongs to the next step.",
        _td_wrong_step_value,
    ),
    Misconception(
        "td.no_gamma",
        "td_errors",
        "Your TD target does not discount the next state's value with gamma.",
        _td_no_gamma,
    ),
    # ---------------------------------------------------------------- n_step_advantages
    Misconception(
        "n_step.past_horizon",
        "n_step_advantages",
        "Where the n steps reach the end of the episode you still bootstrap, from the last "
        "state's value. The return stops at the horizon, and nothing follows it.",
        _n_step_past_horizon,
    ),
    Misconception(
        "n_step.discounted_from_start",
        "n_step_advantages",
        "Your n-step return discounts each reward from the start of the episode. An advantage "
        "at step t discounts from step t.",
        _n_step_discounted_from_start,
    ),
    Misconception(
        "n_step.bootstrap_undiscounted",
        "n_step_advantages",
        "The value you bootstrap from after the n steps is not discounted: it lies as many "
        "steps ahead as the rewards you summed.",
        _n_step_bootstrap_undiscounted,
    ),
    # ---------------------------------------------------------------- gae_advantages
    Misconception(
        "gae.forward",
        "gae_advantages",
        "You ran the GAE recursion forwards in time, so the advantage at step t collects the "
        "earlier TD errors. It should collect the TD errors from step t to the end.",
        _gae_forward,
    ),
    Misconception(
        "gae.bootstrap_last_value",
        "gae_advantages",
        "Your last TD error bootstraps from the value of the last state. The episode ends "
        "after T steps, so nothing follows the last reward: there is no value to add.",
        _gae_bootstrap_last_value,
    ),
    Misconception(
        "gae.lambda_gamma_swapped",
        "gae_advantages",
        "You swapped gamma and lambda: the TD errors use lambda as the discount. gamma "
        "discounts inside each TD error; lambda only weighs how far the sum of TD errors looks.",
        _gae_swapped,
    ),
    Misconception(
        "gae.gamma_power_lambda",
        "gae_advantages",
        "Each later TD error is weighed by powers of gamma raised to lambda. Both the "
        "discount and lambda shrink the weight once per step, so the decay is their product.",
        _gae_gamma_power_lambda,
    ),
    Misconception(
        "gae.lambda_only",
        "gae_advantages",
        "Each later TD error is weighed by powers of lambda alone: a TD error k steps ahead is "
        "also k steps of discount away.",
        _gae_lambda_only,
    ),
    # ---------------------------------------------------------------- advantage_bias_variance
    Misconception(
        "bias_variance.no_gamma_t",
        "advantage_bias_variance",
        "Your estimator leaves out the discount from the episode start: with gamma < 1 the "
        "policy gradient weighs step t's term by gamma to the power t.",
        _bv_no_gamma_t,
    ),
    Misconception(
        "bias_variance.bias_is_mean",
        "advantage_bias_variance",
        "Your bias is the estimator's mean. The bias is how far that mean is from the true "
        "gradient.",
        _bv_bias_is_mean,
    ),
    Misconception(
        "bias_variance.second_moment",
        "advantage_bias_variance",
        "Your variance is the mean of the squared estimates: subtract the square of the mean "
        "(or centre the estimates first).",
        _bv_second_moment,
    ),
    Misconception(
        "bias_variance.unweighted",
        "advantage_bias_variance",
        "You averaged over the enumerated trajectories as if each were equally likely. An "
        "expectation weighs each trajectory by its probability.",
        _bv_unweighted,
    ),
    Misconception(
        "bias_variance.covariances_ignored",
        "advantage_bias_variance",
        "You added up the variances of the per-step terms, which leaves out how the steps of "
        "one trajectory vary together. Take the variance of each trajectory's whole estimate.",
        _bv_covariances_ignored,
    ),
)


def for_function(function: str) -> tuple[Misconception, ...]:
    return tuple(m for m in CATALOGUE if m.function == function)
