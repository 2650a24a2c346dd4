"""Probes for the ``actor_critic`` assignment: one per autograded cell.

Every builder takes a seeded ``numpy.random.Generator`` and returns a list of argument
tuples for one student function.  Builders, helpers and adapters are copied into the
notebook, so they use numpy, torch (adapters only) and the standard library.  An ``mdp``
argument is a ``types.SimpleNamespace`` with the attributes of the notebook's ``EpisodicMDP``
(P, R, init, horizon, gamma, n_states, n_actions), so the probe never depends on the student's
copy of it.

Batches: states and actions are sampled from random MDPs with stochastic transitions (up to
4 states and 3 actions, T = 1 to 6, T = 1 included, gamma in {0, 0.5, 0.9, 1} then uniform);
the rewards are drawn independently per step, so that no two steps share a reward.

The two torch functions are called through an *adapter* (``Part.adapter``): it turns the
numpy inputs into float64 / int64 tensors, calls the student's loss, calls ``.backward()``
and returns numpy values to record, [loss, gradient w.r.t. the logits or values, and for the
detached case the gradient that reached the critic tensor (0 when none did)].

Where a student function may call another one (``gae_advantages`` and ``n_step_advantages``
their ``td_errors``), the probe also records that callee on the same inputs (``stream=0``),
so that a bug is charged once (``checks/callees.py``).
"""

from __future__ import annotations

from pglab.probes import Part, Probe
from pglab.probes.rewards_to_go import (
    _pglab_all_trajectories,
    _pglab_chain,
    _pglab_gamma,
    _pglab_mdp,
    _pglab_random_mdp,
    _pglab_values,
)

# ----------------------------------------------------------------------------- helpers


def _pglab_lam(rng, index):
    """lambda in {0, 0.5, 0.95, 1} on the first calls, then uniform in [0, 1]."""
    fixed = (0.0, 0.5, 0.95, 1.0)
    return fixed[index] if index < len(fixed) else float(rng.uniform(0.0, 1.0))


def _pglab_sample(rng, theta, mdp, n):
    """States and actions of n episodes of softmax(theta) in mdp: two (n, T) int arrays."""
    import numpy

    z = numpy.exp(theta - theta.max(axis=-1, keepdims=True))
    pi = z / z.sum(axis=-1, keepdims=True)

    def draw(p):
        u = rng.random(p.shape[0])[:, None]
        return numpy.minimum((u >= numpy.cumsum(p, axis=-1)).sum(axis=-1), p.shape[-1] - 1)

    states = numpy.zeros((n, mdp.horizon), dtype=numpy.int64)
    actions = numpy.zeros((n, mdp.horizon), dtype=numpy.int64)
    s = draw(numpy.broadcast_to(mdp.init, (n, mdp.n_states)))
    for t in range(mdp.horizon):
        states[:, t] = s
        actions[:, t] = draw(pi[s])
        s = draw(mdp.P[s, actions[:, t]])
    return states, actions


def _pglab_td(rewards, states, values, gamma):
    """delta_t = r_t + gamma V_{t+1}(s_{t+1}) - V_t(s_t), V_T = 0 (the probe's own copy)."""
    import numpy

    T = states.shape[1]
    current = values[numpy.arange(T), states]
    following = numpy.zeros(states.shape)
    following[:, :-1] = values[numpy.arange(1, T), states[:, 1:]]
    return rewards + gamma * following - current


def _pglab_backward(loss, tensor, what):
    """Check that ``loss`` is a scalar tensor with a gradient, backpropagate, return it."""
    import torch

    if not isinstance(loss, torch.Tensor):
        raise TypeError(
            f"it must return a torch tensor (so that .backward() can differentiate it), not "
            f"{type(loss).__name__}"
        )
    if loss.numel() != 1:
        raise ValueError(f"it must return one number, not a tensor of shape {tuple(loss.shape)}")
    if not loss.requires_grad:
        raise RuntimeError(
            f"its result has no gradient: compute it from the {what} tensor with torch "
            "operations (no numpy, no .item(), no .detach() of the " + what + ")"
        )
    loss.backward()
    if tensor.grad is None:
        raise RuntimeError(f"no gradient reached the {what}: the loss does not depend on them")
    return float(loss.detach().reshape(()).to(torch.float64))


# ----------------------------------------------------------------------------- adapters


def _pglab_surrogate_adapter(function, args):
    """surrogate_loss on tensors, then .backward().

    (logits, states, actions, advantages): constant advantages; records [L, dL/dlogits].
    (logits, states, actions, rewards, values, gamma): the advantages are the TD errors of a
    critic tensor (values) that requires grad; records [L, dL/dlogits, dL/dvalues], the last
    0 when no gradient reached the critic.
    """
    import numpy
    import torch

    with torch.enable_grad():
        logits = torch.tensor(args[0], dtype=torch.float64, requires_grad=True)
        states = torch.tensor(args[1], dtype=torch.int64)
        actions = torch.tensor(args[2], dtype=torch.int64)
        critic = None
        if len(args) == 4:
            advantages = torch.tensor(args[3], dtype=torch.float64)
        else:
            rewards, values, gamma = args[3], args[4], float(args[5])
            critic = torch.tensor(values, dtype=torch.float64, requires_grad=True)
            n, T = states.shape
            current = critic[torch.arange(T), states]
            following = torch.cat(
                [
                    critic[torch.arange(1, T), states[:, 1:]],
                    torch.zeros((n, 1), dtype=critic.dtype),
                ],
                dim=1,
            )
            rewards = torch.tensor(rewards, dtype=torch.float64)
            advantages = rewards + gamma * following - current
        loss = _pglab_backward(function(logits, states, actions, advantages), logits, "logits")
    out = [numpy.array([loss]), logits.grad.numpy().ravel()]
    if critic is not None:
        reached = critic.grad
        out.append(numpy.zeros(critic.numel()) if reached is None else reached.numpy().ravel())
    return numpy.concatenate(out)


def _pglab_critic_adapter(function, args):
    """critic_td_loss(values, states, rewards, gamma) on tensors, then .backward(); records
    [L, dL/dvalues]."""
    import numpy
    import torch

    with torch.enable_grad():
        values = torch.tensor(args[0], dtype=torch.float64, requires_grad=True)
        states = torch.tensor(args[1], dtype=torch.int64)
        rewards = torch.tensor(args[2], dtype=torch.float64)
        loss = function(values, states, rewards, float(args[3]))
        loss = _pglab_backward(loss, values, "values")
    return numpy.concatenate([numpy.array([loss]), values.grad.numpy().ravel()])


# ----------------------------------------------------------------------------- builders


def _pglab_batches(rng):
    """(theta, mdp, states, actions, rewards, values): 40 seeded batches of 1 to 12 episodes;
    calls 8 to 11 have T = 1 (with gamma 0, 0.5, 0.9, 1)."""
    calls = []
    for index in range(40):
        S, A = int(rng.integers(2, 5)), int(rng.integers(2, 4))
        T = 1 if 8 <= index < 12 else int(rng.integers(2, 7))
        mdp = _pglab_random_mdp(rng, S, A, T, _pglab_gamma(rng, index % 8))
        theta = rng.normal(0.0, 1.5, size=(S, A))
        states, actions = _pglab_sample(rng, theta, mdp, int(rng.integers(1, 13)))
        rewards = rng.uniform(-1.0, 2.0, size=states.shape)
        values = rng.uniform(-1.0, 3.0, size=(T, S))
        calls.append((theta, mdp, states, actions, rewards, values))
    return calls


def _pglab_surrogate_inputs(rng):
    """(logits, states, actions, advantages), the advantages constants of either sign."""
    calls = []
    for theta, _, states, actions, *_ in _pglab_batches(rng):
        calls.append((theta, states, actions, rng.normal(0.0, 2.0, size=states.shape)))
    return calls


def _pglab_detached_inputs(rng):
    """(logits, states, actions, rewards, values, gamma): advantages from a critic tensor."""
    return [
        (theta, states, actions, rewards, values, mdp.gamma)
        for theta, mdp, states, actions, rewards, values in _pglab_batches(rng)
    ]


def _pglab_detached_constant(rng):
    """The same batches with the same advantages as constants (the TD errors, in numpy)."""
    return [
        (theta, states, actions, _pglab_td(rewards, states, values, mdp.gamma))
        for theta, mdp, states, actions, rewards, values in _pglab_batches(rng)
    ]


def _pglab_critic_fit_inputs(rng):
    """(states, rewards, gamma, n_states): some cells visited often, some never."""
    return [
        (states, rewards, mdp.gamma, mdp.n_states)
        for theta, mdp, states, actions, rewards, values in _pglab_batches(rng)
    ]


def _pglab_critic_loss_inputs(rng):
    """(values, states, rewards, gamma)."""
    return [
        (values, states, rewards, mdp.gamma)
        for theta, mdp, states, actions, rewards, values in _pglab_batches(rng)
    ]


def _pglab_advantage_inputs(rng):
    """(rewards, states, values, gamma)."""
    return [
        (rewards, states, values, mdp.gamma)
        for theta, mdp, states, actions, rewards, values in _pglab_batches(rng)
    ]


def _pglab_n_step_inputs(rng):
    """(rewards, states, values, gamma, n_steps): n_steps 1, 2, T, T + 2 in blocks of 8 calls,
    so that each meets gamma 0, 0.5, 0.9, 1 (and n_steps = 2 meets T = 1)."""
    calls = []
    for index, args in enumerate(_pglab_advantage_inputs(rng)):
        T = args[1].shape[1]
        calls.append(args + ((1, 2, T, T + 2)[(index // 8) % 4],))
    return calls


def _pglab_gae_inputs(rng):
    """(rewards, states, values, gamma, lam): lam 0, 0.5, 0.95, 1 in blocks of 8 calls, so
    that each meets gamma 0, 0.5, 0.9, 1 (and lam = 0.5 meets T = 1); then uniform."""
    calls = []
    for index, args in enumerate(_pglab_advantage_inputs(rng)):
        calls.append(args + (_pglab_lam(rng, index // 8),))
    return calls


# --------------------------------------------------------------- advantage functions (probe's)


def _pglab_adv_td(rewards, states, values, gamma):
    """The TD error (an advantage function the probe hands to advantage_bias_variance)."""
    return _pglab_td(rewards, states, values, gamma)


def _pglab_adv_monte_carlo(rewards, states, values, gamma):
    """G_t - V_t(s_t)."""
    import numpy

    T = rewards.shape[1]
    returns = numpy.zeros(rewards.shape)
    running = numpy.zeros(rewards.shape[0])
    for t in range(T - 1, -1, -1):
        running = rewards[:, t] + gamma * running
        returns[:, t] = running
    return returns - values[numpy.arange(T), states]


def _pglab_adv_gae_half(rewards, states, values, gamma):
    """GAE with lambda = 0.5."""
    import numpy

    delta = _pglab_td(rewards, states, values, gamma)
    out = numpy.zeros(delta.shape)
    running = numpy.zeros(delta.shape[0])
    for t in range(delta.shape[1] - 1, -1, -1):
        running = delta[:, t] + 0.5 * gamma * running
        out[:, t] = running
    return out


def _pglab_adv_rewards(rewards, states, values, gamma):
    """The immediate reward alone (not an advantage, hence biased: a probe of generality)."""
    return rewards * 1.0


_ADVANTAGE_FUNCTIONS = (
    _pglab_adv_td,
    _pglab_adv_monte_carlo,
    _pglab_adv_gae_half,
    _pglab_adv_rewards,
)


def _pglab_bias_variance_inputs(rng):
    """(theta, mdp, values, advantage_fn): the chain (T = 3) and random MDPs with T = 1 to 3,
    critics that are random, exact, or exact plus noise; each advantage function in turn."""
    import numpy

    functions = (_pglab_adv_td, _pglab_adv_monte_carlo, _pglab_adv_gae_half, _pglab_adv_rewards)
    cases = [(rng.normal(0.0, 1.0, size=(3, 2)), _pglab_chain(horizon=3))]
    for index in range(11):
        S, A = int(rng.integers(2, 4)), int(rng.integers(2, 4))
        T = 1 if index < 2 else int(rng.integers(2, 4))
        mdp = _pglab_random_mdp(rng, S, A, T, _pglab_gamma(rng, index % 4))
        cases.append((rng.normal(0.0, 1.0, size=(S, A)), mdp))
    calls = []
    for index, (theta, mdp) in enumerate(cases):
        true = _pglab_values(theta, mdp)
        noise = rng.normal(0.0, 0.5, size=true.shape)
        critics = (true + noise, rng.uniform(-1.0, 2.0, size=true.shape), true)
        for k in range(2 if index else 4):
            values = critics[(index + k) % 3]
            calls.append((theta, mdp, numpy.array(values), functions[(index + k) % 4]))
    return calls


# ----------------------------------------------------------------------------- the dual path


def _pglab_dual_case():
    """The chain with T = 3, gamma = 0.9 at fixed logits; every trajectory of positive
    probability, and the true values: (theta, mdp, states, actions, rewards, values)."""
    import numpy

    theta = numpy.array([[0.5, -0.5], [-0.3, 0.8], [0.2, 0.0]])
    mdp = _pglab_chain(horizon=3, gamma=0.9)
    states, actions, rewards = _pglab_all_trajectories(mdp)
    z = numpy.exp(theta - theta.max(axis=-1, keepdims=True))
    pi = z / z.sum(axis=-1, keepdims=True)
    probs = mdp.init[states[:, 0]] * numpy.prod(pi[states, actions], axis=1)
    probs = probs * numpy.prod(mdp.P[states[:, :-1], actions[:, :-1], states[:, 1:]], axis=1)
    keep = probs > 0
    return theta, mdp, states[keep], actions[keep], rewards[keep], _pglab_values(theta, mdp)


def _pglab_dual_gae(rng):
    """gae_advantages on every trajectory with the true values, lam = 0, 0.5, 0.95, 1."""
    theta, mdp, states, actions, rewards, values = _pglab_dual_case()
    return [(rewards, states, values, mdp.gamma, lam) for lam in (0.0, 0.5, 0.95, 1.0)]


def _pglab_dual_td(rng):
    theta, mdp, states, actions, rewards, values = _pglab_dual_case()
    return [(rewards, states, values, mdp.gamma)]


def _pglab_dual_steps(rng):
    """surrogate_loss on each trajectory, twice in a batch of two, with advantage 1 at one step
    and 0 elsewhere: minus the gradient is that step's score as the student's loss computes
    it (a batch of two so that a loss that sums over episodes shows)."""
    import numpy

    theta, mdp, states, actions, rewards, values = _pglab_dual_case()
    T = mdp.horizon
    calls = []
    for i in range(states.shape[0]):
        for t in range(T):
            unit = numpy.zeros((2, T))
            unit[:, t] = 1.0
            calls.append((theta, states[[i, i]], actions[[i, i]], unit))
    return calls


_BATCH_HELPERS = (_pglab_gamma, _pglab_mdp, _pglab_random_mdp, _pglab_sample, _pglab_batches)
_TORCH_HELPERS = (_pglab_backward,)
_DUAL_HELPERS = (_pglab_mdp, _pglab_chain, _pglab_values, _pglab_all_trajectories, _pglab_dual_case)

PROBES = (
    Probe(
        "test_surrogate_loss",
        20261301,
        (Part("surrogate_loss", _pglab_surrogate_inputs, adapter=_pglab_surrogate_adapter),),
        helpers=(*_BATCH_HELPERS, *_TORCH_HELPERS),
    ),
    Probe(
        "test_surrogate_loss_detached",
        20261302,
        (
            Part("surrogate_loss", _pglab_detached_inputs, adapter=_pglab_surrogate_adapter),
            Part(
                "surrogate_loss",
                _pglab_detached_constant,
                stream=0,
                adapter=_pglab_surrogate_adapter,
            ),
        ),
        helpers=(*_BATCH_HELPERS, _pglab_td, *_TORCH_HELPERS),
    ),
    Probe(
        "test_fit_critic_monte_carlo",
        20261303,
        (Part("fit_critic_monte_carlo", _pglab_critic_fit_inputs),),
        helpers=_BATCH_HELPERS,
    ),
    Probe(
        "test_critic_td_loss",
        20261304,
        (Part("critic_td_loss", _pglab_critic_loss_inputs, adapter=_pglab_critic_adapter),),
        helpers=(*_BATCH_HELPERS, *_TORCH_HELPERS),
    ),
    Probe(
        "test_fit_critic_td0",
        20261305,
        (Part("fit_critic_td0", _pglab_critic_fit_inputs),),
        helpers=_BATCH_HELPERS,
    ),
    Probe(
        "test_monte_carlo_advantages",
        20261306,
        (Part("monte_carlo_advantages", _pglab_advantage_inputs),),
        helpers=_BATCH_HELPERS,
    ),
    Probe(
        "test_td_errors",
        20261307,
        (Part("td_errors", _pglab_advantage_inputs),),
        helpers=_BATCH_HELPERS,
    ),
    Probe(
        "test_n_step_advantages",
        20261308,
        (
            Part("n_step_advantages", _pglab_n_step_inputs),
            Part("td_errors", _pglab_advantage_inputs, stream=0),
        ),
        helpers=(*_BATCH_HELPERS, _pglab_advantage_inputs),
    ),
    Probe(
        "test_gae_advantages",
        20261309,
        (
            Part("gae_advantages", _pglab_gae_inputs),
            Part("td_errors", _pglab_advantage_inputs, stream=0),
        ),
        helpers=(*_BATCH_HELPERS, _pglab_lam, _pglab_advantage_inputs),
    ),
    Probe(
        "test_advantage_bias_variance",
        20261310,
        (Part("advantage_bias_variance", _pglab_bias_variance_inputs),),
        helpers=(
            _pglab_gamma,
            _pglab_mdp,
            _pglab_chain,
            _pglab_random_mdp,
            _pglab_values,
            _pglab_td,
            *_ADVANTAGE_FUNCTIONS,
        ),
    ),
    Probe(
        "test_actor_critic_unbiased",
        20261311,
        (
            Part("gae_advantages", _pglab_dual_gae),
            Part("surrogate_loss", _pglab_dual_steps, adapter=_pglab_surrogate_adapter),
            Part("td_errors", _pglab_dual_td, stream=0),
        ),
        helpers=(*_DUAL_HELPERS, *_TORCH_HELPERS),
    ),
)
