"""Probes for the ``rewards_to_go`` assignment: one per autograded cell.

Every builder takes a seeded ``numpy.random.Generator`` and returns a list of argument
tuples for one student function.  Builders and the helpers they call are copied into the
notebook, so they use numpy and the standard library only.  An ``mdp`` argument is a
``types.SimpleNamespace`` with the attributes of the notebook's ``EpisodicMDP`` (P, R, init,
horizon, gamma, n_states, n_actions), so the probe never depends on the student's copy of it.

Where a student function may call another one (an estimator its ``step_scores``, say), the
probe also records that callee on the same inputs (``stream=0``: the same draws), so that a
bug is charged once (``checks/callees.py``).
"""

from __future__ import annotations

from pglab.probes import Part, Probe

# ----------------------------------------------------------------------------- helpers


def _pglab_mdp(P, R, init, horizon, gamma):
    """An object with EpisodicMDP's attributes."""
    import types

    import numpy

    P, R, init = (numpy.asarray(x, dtype=numpy.float64) for x in (P, R, init))
    return types.SimpleNamespace(
        P=P,
        R=R,
        init=init,
        horizon=int(horizon),
        gamma=float(gamma),
        n_states=R.shape[0],
        n_actions=R.shape[1],
    )


def _pglab_chain(horizon=4, gamma=0.9, slip=0.2):
    """The notebook's default chain_mdp(): 3 states, left/right, slip, walls, R in [0, 1]."""
    import numpy

    P = numpy.zeros((3, 2, 3))
    for s in range(3):
        left, right = max(s - 1, 0), min(s + 1, 2)
        P[s, 0, left] += 1.0 - slip
        P[s, 0, right] += slip
        P[s, 1, right] += 1.0 - slip
        P[s, 1, left] += slip
    R = numpy.zeros((3, 2))
    R[2, :] = 1.0
    R[0, 0] = 0.5
    return _pglab_mdp(P, R, [0.5, 0.5, 0.0], horizon, gamma)


def _pglab_random_mdp(rng, S, A, T, gamma):
    """A random MDP with stochastic transitions, rewards in [0, 1]."""
    import numpy

    P = rng.dirichlet(numpy.ones(S), size=(S, A))
    R = rng.uniform(0.0, 1.0, size=(S, A))
    init = rng.dirichlet(numpy.ones(S))
    return _pglab_mdp(P, R, init, T, gamma)


def _pglab_gamma(rng, index):
    """gamma in {0, 0.5, 0.9, 1} on the first calls, then uniform in [0, 1]."""
    fixed = (0.0, 0.5, 0.9, 1.0)
    return fixed[index] if index < len(fixed) else float(rng.uniform(0.0, 1.0))


def _pglab_values(theta, mdp):
    """V_t(s) of the policy softmax(theta), by backward induction: (T, S)."""
    import numpy

    z = numpy.exp(theta - theta.max(axis=-1, keepdims=True))
    pi = z / z.sum(axis=-1, keepdims=True)
    values = numpy.zeros((mdp.horizon + 1, mdp.n_states))
    for t in range(mdp.horizon - 1, -1, -1):
        values[t] = (pi * (mdp.R + mdp.gamma * mdp.P @ values[t + 1])).sum(axis=-1)
    return values[: mdp.horizon]


def _pglab_all_trajectories(mdp):
    """Every trajectory (s_0, a_0, ..., s_{T-1}, a_{T-1}), in itertools.product order."""
    import itertools

    import numpy

    grid = numpy.array(
        list(itertools.product(range(mdp.n_states), range(mdp.n_actions), repeat=mdp.horizon)),
        dtype=numpy.int64,
    )
    states, actions = grid[:, 0::2], grid[:, 1::2]
    return states, actions, mdp.R[states, actions]


def _pglab_enumeration_cases(rng):
    """(theta, mdp) pairs whose every trajectory the estimators are called on: the chain at a
    seeded theta, and a random MDP with three actions and stochastic transitions."""
    return [
        (rng.normal(0.0, 1.0, size=(3, 2)), _pglab_chain()),
        (rng.normal(0.0, 1.0, size=(2, 3)), _pglab_random_mdp(rng, 2, 3, 3, 0.8)),
    ]


def _pglab_dual_path_case(rng):
    """The setting of the variance table: the default chain at theta = 0."""
    import numpy

    return [(numpy.zeros((3, 2)), _pglab_chain())]


# ----------------------------------------------------------------------------- builders


def _pglab_logits(rng):
    """Vectors of 2 to 6 logits and (S, A) tables, moderate and huge (stability)."""
    import numpy

    calls = [
        (numpy.zeros(3),),
        (numpy.array([1000.0, -1000.0, 0.0]),),
        (numpy.array([800.0, 799.0]),),
        (numpy.array([-1000.0, -1000.0, -999.0, -1001.0]),),
        (numpy.array([[1000.0, 0.0], [-1000.0, 1000.0], [3.0, 3.0]]),),
        (numpy.array([[710.0, 700.0, 705.0], [-750.0, -760.0, -755.0]]),),
    ]
    for index in range(34):
        shape = (int(rng.integers(2, 7)),) if index % 2 == 0 else tuple(rng.integers(2, 5, 2))
        calls.append((rng.normal(0.0, 3.0, size=shape),))
    return calls


def _pglab_bandit_actions(rng):
    calls = []
    for _ in range(40):
        k = int(rng.integers(2, 7))
        calls.append(
            (rng.normal(0.0, 2.0, size=k), rng.integers(0, k, size=int(rng.integers(1, 13))))
        )
    return calls


def _pglab_bandit_means(rng):
    import numpy

    calls = [(numpy.zeros(3), numpy.ones(3)), (numpy.array([2.0, -1.0]), numpy.array([0.5, 0.5]))]
    for _ in range(38):
        k = int(rng.integers(2, 7))
        calls.append((rng.normal(0.0, 2.0, size=k), rng.uniform(-5.0, 5.0, size=k)))
    return calls


def _pglab_bandit_batches(rng):
    calls = []
    for index in range(45):
        k = int(rng.integers(2, 7))
        n = int(rng.integers(1, 21))
        args = (rng.normal(0.0, 2.0, size=k), rng.integers(0, k, size=n), rng.normal(1.0, 3.0, n))
        if index % 3 == 1:
            args += (float(rng.uniform(-5.0, 5.0)),)
        elif index % 3 == 2:
            args += (rng.normal(0.0, 2.0, size=n),)
        calls.append(args)
    return calls


def _pglab_bandit_actions_softmax(rng):
    return [(args[0],) for args in _pglab_bandit_actions(rng)]


def _pglab_bandit_means_softmax(rng):
    return [(args[0],) for args in _pglab_bandit_means(rng)]


def _pglab_bandit_batches_scores(rng):
    """The student's score of every action at each theta of ``_pglab_bandit_batches``."""
    import numpy

    return [(args[0], numpy.arange(args[0].size)) for args in _pglab_bandit_batches(rng)]


def _pglab_bandit_samples(
    rng, theta=(0.5, -0.5, 0.0), means=(1.0, 2.5, -1.0), stds=(1.0, 0.5, 2.0), n=300_000
):
    import numpy

    theta = numpy.asarray(theta)
    pi = numpy.exp(theta - theta.max())
    pi = pi / pi.sum()
    actions = numpy.minimum((rng.random(n)[:, None] >= numpy.cumsum(pi)).sum(axis=1), 2)
    rewards = numpy.asarray(means)[actions] + numpy.asarray(stds)[actions] * rng.standard_normal(n)
    return [(theta, actions, rewards)]


def _pglab_bandit_samples_scores(rng, theta=(0.5, -0.5, 0.0)):
    import numpy

    return [(numpy.asarray(theta), numpy.arange(3))]


def _pglab_returns_inputs(rng):
    calls = []
    for index in range(50):
        T = 1 if index in (4, 5) else int(rng.integers(1, 9))
        rewards = rng.uniform(-2.0, 3.0, size=(int(rng.integers(1, 7)), T))
        calls.append((rewards, _pglab_gamma(rng, index % 8)))
    return calls


def _pglab_episodes(rng):
    """(theta, states, actions, rewards, gamma) of random sizes, A up to 3, T = 1 included."""
    calls = []
    for index in range(45):
        S, A = int(rng.integers(2, 5)), int(rng.integers(2, 4))
        n = int(rng.integers(1, 7))
        T = 1 if index in (4, 5) else int(rng.integers(1, 7))
        theta = rng.normal(0.0, 2.0, size=(S, A))
        states = rng.integers(0, S, size=(n, T))
        actions = rng.integers(0, A, size=(n, T))
        rewards = rng.uniform(0.0, 1.0, size=(n, T))
        calls.append((theta, states, actions, rewards, _pglab_gamma(rng, index % 8)))
    return calls


def _pglab_score_inputs(rng):
    return [args[:3] for args in _pglab_episodes(rng)]


def _pglab_episodes_softmax(rng):
    return [(args[0],) for args in _pglab_episodes(rng)]


def _pglab_episodes_returns(rng):
    return [(args[3], args[4]) for args in _pglab_episodes(rng)]


def _pglab_rtg_inputs(rng):
    """The episodes with no baseline, a constant one, and one per episode and step."""
    calls = []
    for index, args in enumerate(_pglab_episodes(rng)):
        if index % 3 == 1:
            args += (float(rng.uniform(-1.0, 2.0)),)
        elif index % 3 == 2:
            args += (rng.uniform(-1.0, 2.0, size=args[1].shape),)
        calls.append(args)
    return calls


def _pglab_value_inputs(rng):
    """The episodes with an arbitrary (T, S) table of values."""
    calls = []
    for args in _pglab_episodes(rng):
        T, S = args[1].shape[1], args[0].shape[0]
        calls.append(args + (rng.uniform(0.0, 3.0, size=(T, S)),))
    return calls


def _pglab_value_inputs_rtg(rng):
    """reinforce_rewards_to_go with the baseline V_t(s_t) of each call of _pglab_value_inputs."""
    import numpy

    calls = []
    for theta, states, actions, rewards, gamma, values in _pglab_value_inputs(rng):
        baseline = values[numpy.arange(states.shape[1]), states]
        calls.append((theta, states, actions, rewards, gamma, baseline))
    return calls


def _pglab_mdps(rng):
    """(theta, mdp): the default chain at theta = 0, then random MDPs, T = 1 and gamma = 0, 1."""
    import numpy

    calls = [(numpy.zeros((3, 2)), _pglab_chain())]
    for index in range(39):
        S, A = int(rng.integers(2, 5)), int(rng.integers(2, 4))
        T = 1 if index in (0, 1) else int(rng.integers(1, 7))
        mdp = _pglab_random_mdp(rng, S, A, T, _pglab_gamma(rng, index % 6))
        calls.append((rng.normal(0.0, 2.0, size=(S, A)), mdp))
    return calls


def _pglab_mdps_softmax(rng):
    return [(args[0],) for args in _pglab_mdps(rng)]


def _pglab_enumerated(cases):
    """(theta, states, actions, rewards, gamma) with every trajectory of each case."""
    calls = []
    for theta, mdp in cases:
        states, actions, rewards = _pglab_all_trajectories(mdp)
        calls.append((theta, states, actions, rewards, mdp.gamma))
    return calls


def _pglab_enumerated_values(cases):
    calls = []
    for args, (theta, mdp) in zip(_pglab_enumerated(cases), cases, strict=True):
        calls.append(args + (_pglab_values(theta, mdp),))
    return calls


def _pglab_enum_total(rng):
    return _pglab_enumerated(_pglab_enumeration_cases(rng))


def _pglab_enum_rtg(rng):
    return _pglab_enumerated(_pglab_enumeration_cases(rng))


def _pglab_enum_value(rng):
    return _pglab_enumerated_values(_pglab_enumeration_cases(rng))


def _pglab_enum_scores(rng):
    return [args[:3] for args in _pglab_enumerated(_pglab_enumeration_cases(rng))]


def _pglab_enum_returns(rng):
    return [(args[3], args[4]) for args in _pglab_enumerated(_pglab_enumeration_cases(rng))]


def _pglab_enum_value_rtg(rng):
    import numpy

    calls = []
    for theta, states, actions, rewards, gamma, values in _pglab_enum_value(rng):
        baseline = values[numpy.arange(states.shape[1]), states]
        calls.append((theta, states, actions, rewards, gamma, baseline))
    return calls


def _pglab_dual_total(rng):
    return _pglab_enumerated(_pglab_dual_path_case(rng))


def _pglab_dual_value(rng):
    return _pglab_enumerated_values(_pglab_dual_path_case(rng))


def _pglab_dual_scores(rng):
    return [args[:3] for args in _pglab_enumerated(_pglab_dual_path_case(rng))]


def _pglab_dual_returns(rng):
    return [(args[3], args[4]) for args in _pglab_enumerated(_pglab_dual_path_case(rng))]


def _pglab_dual_value_rtg(rng):
    import numpy

    calls = []
    for theta, states, actions, rewards, gamma, values in _pglab_dual_value(rng):
        baseline = values[numpy.arange(states.shape[1]), states]
        calls.append((theta, states, actions, rewards, gamma, baseline))
    return calls


_MDP_HELPERS = (_pglab_mdp, _pglab_chain, _pglab_random_mdp)
_ENUMERATION_HELPERS = (
    *_MDP_HELPERS,
    _pglab_values,
    _pglab_all_trajectories,
    _pglab_enumeration_cases,
    _pglab_enumerated,
    _pglab_enumerated_values,
)
_DUAL_HELPERS = (
    *_MDP_HELPERS,
    _pglab_values,
    _pglab_all_trajectories,
    _pglab_dual_path_case,
    _pglab_enumerated,
    _pglab_enumerated_values,
)


def _estimator_parts(function, build, build_enum, callees, enum_callees):
    return (
        Part(function, build),
        *(Part(name, builder, stream=0) for name, builder in callees),
        Part(function, build_enum, stream=100),
        *(Part(name, builder, stream=100) for name, builder in enum_callees),
    )


#: The three estimators on every trajectory of the dual-path setting, with their callees.
_DUAL_PARTS = (
    Part("reinforce_total_return", _pglab_dual_total, stream=0),
    Part("reinforce_rewards_to_go", _pglab_dual_total, stream=0),
    Part("reinforce_value_baseline", _pglab_dual_value, stream=0),
    Part("step_scores", _pglab_dual_scores, stream=0),
    Part("discounted_returns", _pglab_dual_returns, stream=0),
    Part("rewards_to_go", _pglab_dual_returns, stream=0),
    Part("reinforce_rewards_to_go", _pglab_dual_value_rtg, stream=0),
)

PROBES = (
    Probe("test_softmax", 20261201, (Part("softmax", _pglab_logits),)),
    Probe("test_log_softmax", 20261202, (Part("log_softmax", _pglab_logits),)),
    Probe(
        "test_grad_log_softmax",
        20261203,
        (
            Part("grad_log_softmax", _pglab_bandit_actions),
            Part("softmax", _pglab_bandit_actions_softmax, stream=0),
        ),
    ),
    Probe(
        "test_expected_reward",
        20261204,
        (
            Part("expected_reward", _pglab_bandit_means),
            Part("softmax", _pglab_bandit_means_softmax, stream=0),
        ),
    ),
    Probe(
        "test_exact_gradient",
        20261205,
        (
            Part("exact_gradient", _pglab_bandit_means),
            Part("softmax", _pglab_bandit_means_softmax, stream=0),
        ),
    ),
    Probe(
        "test_reinforce_estimates",
        20261206,
        (
            Part("reinforce_estimates", _pglab_bandit_batches),
            Part("grad_log_softmax", _pglab_bandit_batches_scores, stream=0),
        ),
    ),
    Probe(
        "test_reinforce_unbiased",
        20261207,
        (
            Part("reinforce_estimates", _pglab_bandit_samples),
            Part("grad_log_softmax", _pglab_bandit_samples_scores),
        ),
    ),
    Probe(
        "test_discounted_returns",
        20261208,
        (Part("discounted_returns", _pglab_returns_inputs),),
        helpers=(_pglab_gamma,),
    ),
    Probe(
        "test_rewards_to_go",
        20261209,
        (Part("rewards_to_go", _pglab_returns_inputs),),
        helpers=(_pglab_gamma,),
    ),
    Probe(
        "test_step_scores",
        20261210,
        (
            Part("step_scores", _pglab_score_inputs),
            Part("softmax", _pglab_episodes_softmax, stream=0),
        ),
        helpers=(_pglab_gamma, _pglab_episodes),
    ),
    Probe(
        "test_reinforce_total_return",
        20261211,
        _estimator_parts(
            "reinforce_total_return",
            _pglab_episodes,
            _pglab_enum_total,
            (("step_scores", _pglab_score_inputs), ("discounted_returns", _pglab_episodes_returns)),
            (("step_scores", _pglab_enum_scores), ("discounted_returns", _pglab_enum_returns)),
        ),
        helpers=(_pglab_gamma, *_ENUMERATION_HELPERS),
    ),
    Probe(
        "test_reinforce_rewards_to_go",
        20261212,
        _estimator_parts(
            "reinforce_rewards_to_go",
            _pglab_rtg_inputs,
            _pglab_enum_rtg,
            (("step_scores", _pglab_score_inputs), ("rewards_to_go", _pglab_episodes_returns)),
            (("step_scores", _pglab_enum_scores), ("rewards_to_go", _pglab_enum_returns)),
        ),
        helpers=(_pglab_gamma, _pglab_episodes, *_ENUMERATION_HELPERS),
    ),
    Probe(
        "test_state_values",
        20261213,
        (Part("state_values", _pglab_mdps), Part("softmax", _pglab_mdps_softmax, stream=0)),
        helpers=(_pglab_gamma, *_MDP_HELPERS),
    ),
    Probe(
        "test_reinforce_value_baseline",
        20261214,
        _estimator_parts(
            "reinforce_value_baseline",
            _pglab_value_inputs,
            _pglab_enum_value,
            (("reinforce_rewards_to_go", _pglab_value_inputs_rtg),),
            (("reinforce_rewards_to_go", _pglab_enum_value_rtg),),
        ),
        helpers=(_pglab_gamma, _pglab_episodes, *_ENUMERATION_HELPERS),
    ),
    Probe("test_estimators_unbiased", 20261215, _DUAL_PARTS, helpers=_DUAL_HELPERS),
    Probe("test_variance_reduction", 20261216, _DUAL_PARTS, helpers=_DUAL_HELPERS),
)
