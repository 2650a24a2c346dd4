"""Known mistakes for the future ``actor_critic`` assignment (issue 17), as data.

NOT YET WIRED: no check, probe or notebook uses this module yet, and the student API is not
fixed.  Every ``imitate`` takes exactly the arguments of the *reference* function named in
``function`` (``pglab.reference.actor_critic``) and uses nothing but the reference math.

For ``surrogate_loss`` the imitation returns the gradient of the mistaken loss with respect
to the logits (shape (S, A)), since that is what the probes are meant to record from the
student's autodiff loss; compare it with ``surrogate_loss_gradient``.
"""

from __future__ import annotations

import numpy as np

from pglab.misconceptions import Misconception
from pglab.reference import actor_critic as ac

__all__ = ["CATALOGUE", "REFERENCE", "Misconception", "for_function"]


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _i(x) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)


def _current(values, states) -> np.ndarray:
    states = _i(states)
    return _f(values)[np.arange(states.shape[-1]), states]


# --------------------------------------------------------------------------- TD errors


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


def _td_no_gamma(rewards, states, values, gamma):
    return ac.td_errors(rewards, states, values, 1.0)


# --------------------------------------------------------------------------- GAE


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


# --------------------------------------------------------------------------- n-step


def _n_step_past_horizon(rewards, states, values, gamma, n_steps):
    """Where t + n reaches the horizon, bootstraps from V_{T-1}(s_{T-1}) (a clipped index)
    instead of V_T = 0."""
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
    """The rewards discounted from the episode start, gamma^(t+k) r_{t+k}."""
    rewards = _f(rewards)
    T = rewards.shape[-1]
    inner = ac.n_step_advantages(rewards, states, np.zeros(np.shape(values)), gamma, n_steps)
    extra = float(gamma) ** np.arange(T) - 1.0
    return ac.n_step_advantages(rewards, states, values, gamma, n_steps) + extra * inner


# --------------------------------------------------------------------------- critic


def _residual_gradient_step(values, states, rewards, gamma, lr):
    """Differentiates through the target: V_{t+1}(s_{t+1}) also moves, by -lr gamma delta / n."""
    values, states = _f(values).copy(), _i(states)
    delta = ac.td_errors(rewards, states, values, gamma)
    n, T = states.shape
    steps = np.broadcast_to(np.arange(T), (n, T))
    np.add.at(values, (steps, states), float(lr) * delta / n)
    if T > 1:
        np.add.at(
            values,
            (steps[:, 1:], states[:, 1:]),
            -float(lr) * float(gamma) * delta[:, :-1] / n,
        )
    return values


def _mc_critic_on_rewards(states, rewards, gamma, n_states):
    """Regresses the immediate reward r_t instead of G_t."""
    return ac.fit_critic_monte_carlo(states, rewards, 0.0, n_states)


# --------------------------------------------------------------------------- surrogate


def _normalised_in_loss(logits, states, actions, advantages):
    a = _f(advantages)
    a = (a - a.mean()) / (a.std() + 1e-8)
    return ac.surrogate_loss_gradient(logits, states, actions, a)


def _sign(logits, states, actions, advantages):
    return -ac.surrogate_loss_gradient(logits, states, actions, advantages)


def _mean_over_steps(logits, states, actions, advantages):
    T = _f(advantages).shape[-1]
    return ac.surrogate_loss_gradient(logits, states, actions, advantages) / T


def _row_sum_not_gathered(logits, states, actions, advantages):
    """sum_a log pi(a | s_t) A_t: every action's log-probability, none gathered."""
    logits, states = _f(logits), _i(states)
    total = np.zeros(logits.shape)
    for a in range(logits.shape[-1]):
        chosen = np.full(states.shape, a)
        total += ac.surrogate_loss_gradient(logits, states, chosen, advantages)
    return total


def _raw_logits(logits, states, actions, advantages):
    """-(1/n) sum theta[s_t, a_t] A_t: the logit used as if it were log pi."""
    logits, states, actions = _f(logits), _i(states), _i(actions)
    grad = np.zeros_like(logits)
    n = states.shape[0]
    np.add.at(grad, (states, actions), -_f(advantages) / n)
    return grad


# --------------------------------------------------------------------------- the catalogue

#: The reference function each entry's ``function`` names.
REFERENCE = {
    "td_errors": ac.td_errors,
    "gae_advantages": ac.gae_advantages,
    "n_step_advantages": ac.n_step_advantages,
    "td0_critic_step": ac.td0_critic_step,
    "fit_critic_monte_carlo": ac.fit_critic_monte_carlo,
    "surrogate_loss": ac.surrogate_loss_gradient,
}

CATALOGUE: tuple[Misconception, ...] = (
    Misconception(
        "td.bootstrap_last_value",
        "td_errors",
        "At the last step you bootstrapped from V(s_{T-1}), the last state of the episode. "
        "The episode ends after T steps, so there is no value to add: V_T = 0 and "
        "delta_{T-1} = r_{T-1} - V_{T-1}(s_{T-1}).",
        _td_bootstrap_last_value,
    ),
    Misconception(
        "td.wrong_step_value",
        "td_errors",
        "Your TD error reads the next state's value in the table of the current step, "
        "V_t(s_{t+1}). Values depend on the time step: the target uses V_{t+1}(s_{t+1}).",
        _td_wrong_step_value,
    ),
    Misconception(
        "td.no_gamma",
        "td_errors",
        "Your TD target does not discount the next value: use r_t + gamma V_{t+1}(s_{t+1}).",
        _td_no_gamma,
    ),
    Misconception(
        "gae.forward",
        "gae_advantages",
        "You ran the GAE recursion forwards in time, so A_t collects earlier TD errors. "
        "A_t sums the TD errors from step t to the end: run it backwards from the last step.",
        _gae_forward,
    ),
    Misconception(
        "gae.bootstrap_last_value",
        "gae_advantages",
        "Your last TD error bootstraps from V(s_{T-1}). The episode ends after T steps: "
        "V_T = 0, so delta_{T-1} = r_{T-1} - V_{T-1}(s_{T-1}).",
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
        "Each later TD error is weighed by powers of gamma^lambda. The decay per step is the "
        "product gamma * lambda.",
        _gae_gamma_power_lambda,
    ),
    Misconception(
        "gae.lambda_only",
        "gae_advantages",
        "Each later TD error is weighed by powers of lambda alone; the decay per step is "
        "gamma * lambda (a TD error k steps ahead is also k steps of discount away).",
        _gae_lambda_only,
    ),
    Misconception(
        "n_step.past_horizon",
        "n_step_advantages",
        "Where the n steps reach the end of the episode you still bootstrap, from the last "
        "state's value. The return stops at the horizon, where V_T = 0.",
        _n_step_past_horizon,
    ),
    Misconception(
        "n_step.discounted_from_start",
        "n_step_advantages",
        "Your n-step return discounts each reward from the episode start, gamma^(t+k) r_{t+k}. "
        "An advantage at step t discounts from step t: gamma^k r_{t+k}.",
        _n_step_discounted_from_start,
    ),
    Misconception(
        "critic.target_not_constant",
        "td0_critic_step",
        "Your TD(0) step also moves the value in the target, V_{t+1}(s_{t+1}): the gradient went "
        "through the bootstrapped target. Hold the target constant (detach / stop-gradient).",
        _residual_gradient_step,
    ),
    Misconception(
        "critic.regressed_rewards",
        "fit_critic_monte_carlo",
        "Your Monte Carlo critic regresses the immediate reward r_t. V_t(s) is the expected "
        "reward-to-go G_t.",
        _mc_critic_on_rewards,
    ),
    Misconception(
        "surrogate.normalised_in_loss",
        "surrogate_loss",
        "You normalised the advantages inside the loss. That couples the episodes and rescales "
        "the gradient, so it is no longer the REINFORCE estimate of the advantages you were given.",
        _normalised_in_loss,
    ),
    Misconception(
        "surrogate.sign",
        "surrogate_loss",
        "Your loss has the wrong sign: minimising it lowers J. The loss is minus the sum of "
        "log pi(a_t | s_t) A_t.",
        _sign,
    ),
    Misconception(
        "surrogate.mean_over_steps",
        "surrogate_loss",
        "You averaged over the time steps: the gradient is divided by T. Sum over the steps of "
        "an episode and average over the episodes.",
        _mean_over_steps,
    ),
    Misconception(
        "surrogate.not_gathered",
        "surrogate_loss",
        "You summed the log-probabilities of every action instead of taking the one of the "
        "action taken, log pi(a_t | s_t).",
        _row_sum_not_gathered,
    ),
    Misconception(
        "surrogate.raw_logits",
        "surrogate_loss",
        "You used the logit theta[s_t, a_t] where the loss needs log pi(a_t | s_t), the "
        "log-softmax of the state's logits.",
        _raw_logits,
    ),
)


def for_function(function: str) -> tuple[Misconception, ...]:
    return tuple(m for m in CATALOGUE if m.function == function)
