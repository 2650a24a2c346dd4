"""Property tests for ``pglab.reference.actor_critic`` (issue 17's reference math).

Every formula is checked against an independent property: vectorised code against plain
Python loops over the definitions (``math`` only); the surrogate's gradient against central
finite differences of the loss; the dynamic-programming V against exhaustive enumeration of
trajectories; exact expectations (unbiasedness) by enumeration, no sampling; the exact mean
and variance of each estimator against Monte Carlo (tolerance 6 standard errors from the
sample, per component; the false-fail probability of one component is 2e-9 under a normal
approximation); the critics against the DP V with a tolerance built from the sample's own
standard errors.  Wherever a check could be vacuous it also asserts that a plausible wrong
answer would have been rejected.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from monte_carlo import Z, assert_mc, mean_and_se, var_and_se

from pglab.misconceptions import actor_critic as cat
from pglab.reference import actor_critic as ac
from pglab.reference import rewards_to_go as ref

H = 1e-5  # finite-difference step
N_EPISODES = 100_000  # Monte Carlo episodes per setting
GAMMAS = (0.0, 0.5, 0.9, 1.0)
LAMBDAS = (0.0, 0.5, 0.95, 1.0)


# --------------------------------------------------------------------------- helpers


def random_mdp(rng: np.random.Generator, S: int, A: int, T: int, gamma: float) -> ref.EpisodicMDP:
    """Stochastic transitions (Dirichlet rows), rewards uniform in [0, 1], random init."""
    return ref.EpisodicMDP(
        P=rng.dirichlet(np.ones(S), size=(S, A)),
        R=rng.uniform(0.0, 1.0, size=(S, A)),
        init=rng.dirichlet(np.ones(S)),
        horizon=T,
        gamma=gamma,
    )


def mdp_cases() -> list[tuple[np.ndarray, ref.EpisodicMDP]]:
    """(theta, mdp): the chain at every graded gamma, T = 1 edge cases, random MDPs."""
    rng = np.random.default_rng(1701)
    cases = [(rng.normal(0.0, 1.0, (3, 2)), ref.chain_mdp(gamma=g)) for g in GAMMAS]
    cases.append((rng.normal(0.0, 1.0, (3, 2)), ref.chain_mdp(horizon=1, gamma=0.9)))
    cases.append((rng.normal(0.0, 1.0, (3, 3)), random_mdp(rng, 3, 3, 1, 1.0)))
    cases.append((rng.normal(0.0, 1.0, (3, 2)), random_mdp(rng, 3, 2, 4, 0.8)))
    cases.append((rng.normal(0.0, 1.0, (2, 3)), random_mdp(rng, 2, 3, 3, 0.95)))
    return cases


MDP_CASES = mdp_cases()
MDP_IDS = [f"mdp{i}-T{m.horizon}-g{m.gamma}" for i, (_, m) in enumerate(MDP_CASES)]


def imperfect_values(theta, mdp, seed: int = 1702) -> np.ndarray:
    """The true V plus noise of size 0.3: a critic that is wrong in every cell."""
    v = ac.exact_values(theta, mdp)
    return v + np.random.default_rng(seed).normal(0.0, 0.3, v.shape)


def random_batch(rng: np.random.Generator, n: int, T: int, S: int, A: int):
    """Arbitrary (not sampled from a policy) states, actions, rewards, values, advantages."""
    return (
        rng.integers(0, S, (n, T)),
        rng.integers(0, A, (n, T)),
        rng.normal(0.5, 1.0, (n, T)),
        rng.normal(0.0, 1.0, (T, S)),
        rng.normal(0.0, 1.0, (n, T)),
    )


# --------------------------------------------------------------------------- plain loops


def py_log_pi(theta: np.ndarray, s: int, a: int) -> float:
    row = theta[s].tolist()
    return row[a] - math.log(math.fsum(math.exp(x) for x in row))


def py_values(values, t: int, s: int, T: int) -> float:
    return 0.0 if t >= T else float(values[t][s])


def py_td(r, s, values, gamma, t):
    T = len(r)
    nxt = py_values(values, t + 1, s[t + 1], T) if t + 1 < T else 0.0
    return r[t] + gamma * nxt - values[t][s[t]]


def py_n_step(r, s, values, gamma, t, n):
    T = len(r)
    m = min(n, T - t)
    total = math.fsum(gamma**k * r[t + k] for k in range(m))
    boot = py_values(values, t + m, s[t + m], T) if t + m < T else 0.0
    return total + gamma**m * boot - values[t][s[t]]


def py_gae(r, s, values, gamma, lam, t):
    """sum_k (gamma lambda)^k delta_{t+k}: the forward-sum definition, not the recursion."""
    T = len(r)
    return math.fsum((gamma * lam) ** k * py_td(r, s, values, gamma, t + k) for k in range(T - t))


LOOP_CASES = [
    (int(n), int(T), int(S), int(A), float(g), float(lam), int(k), seed)
    for seed, (n, T, S, A, g, lam, k) in enumerate(
        [
            (3, 1, 2, 2, 0.9, 0.5, 1),
            (4, 2, 3, 2, 0.0, 0.95, 1),
            (5, 3, 2, 3, 1.0, 0.0, 2),
            (2, 5, 4, 2, 0.5, 1.0, 3),
            (6, 6, 3, 3, 0.9, 0.95, 4),
            (3, 4, 3, 2, 0.99, 0.5, 9),
        ]
    )
]


@pytest.mark.parametrize("n, T, S, A, gamma, lam, k, seed", LOOP_CASES)
def test_vectorised_code_matches_plain_loops(n, T, S, A, gamma, lam, k, seed):
    """Surrogate loss, TD errors, MC, n-step, GAE, one TD(0) step: equal to loops on definitions."""
    rng = np.random.default_rng([1710, seed])
    states, actions, rewards, values, adv = random_batch(rng, n, T, S, A)
    theta = rng.normal(0.0, 2.0, (S, A))
    s_l, a_l, r_l, v_l, adv_l = (x.tolist() for x in (states, actions, rewards, values, adv))

    loss = (
        -math.fsum(
            math.fsum(py_log_pi(theta, s_l[i][t], a_l[i][t]) * adv_l[i][t] for t in range(T))
            for i in range(n)
        )
        / n
    )
    assert math.isclose(ac.surrogate_loss(theta, states, actions, adv), loss, rel_tol=1e-12)

    def each(f):
        return np.array([[f(i, t) for t in range(T)] for i in range(n)])

    cases = {
        "td": (
            ac.td_errors(rewards, states, values, gamma),
            each(lambda i, t: py_td(r_l[i], s_l[i], v_l, gamma, t)),
        ),
        "mc": (
            ac.monte_carlo_advantages(rewards, states, values, gamma),
            each(
                lambda i, t: (
                    math.fsum(gamma ** (j - t) * r_l[i][j] for j in range(t, T)) - v_l[t][s_l[i][t]]
                )
            ),
        ),
        "n_step": (
            ac.n_step_advantages(rewards, states, values, gamma, k),
            each(lambda i, t: py_n_step(r_l[i], s_l[i], v_l, gamma, t, k)),
        ),
        "gae": (
            ac.gae_advantages(rewards, states, values, gamma, lam),
            each(lambda i, t: py_gae(r_l[i], s_l[i], v_l, gamma, lam, t)),
        ),
    }
    for name, (got, want) in cases.items():
        assert got.shape == (n, T), name
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)

    lr = 0.7
    stepped = [row[:] for row in v_l]
    for i in range(n):
        for t in range(T):
            stepped[t][s_l[i][t]] += lr * py_td(r_l[i], s_l[i], v_l, gamma, t) / n
    np.testing.assert_allclose(
        ac.td0_critic_step(values, states, rewards, gamma, lr), stepped, rtol=1e-12, atol=1e-12
    )


# =========================================================================== surrogate loss


@pytest.mark.parametrize("seed", range(4))
def test_surrogate_gradient_is_finite_difference_of_loss(seed):
    """surrogate_loss_gradient equals the central difference of surrogate_loss; not its negative."""
    rng = np.random.default_rng([1720, seed])
    S, A, T, n = 3, 2 + seed % 2, 1 + seed, 5
    states, actions, _, _, adv = random_batch(rng, n, T, S, A)
    theta = rng.normal(0.0, 1.5, (S, A))
    numeric = np.empty_like(theta)
    for idx in np.ndindex(theta.shape):
        step = np.zeros_like(theta)
        step[idx] = H
        up = ac.surrogate_loss(theta + step, states, actions, adv)
        down = ac.surrogate_loss(theta - step, states, actions, adv)
        numeric[idx] = (up - down) / (2 * H)
    analytic = ac.surrogate_loss_gradient(theta, states, actions, adv)
    np.testing.assert_allclose(numeric, analytic, rtol=1e-6, atol=1e-9)
    assert not np.allclose(numeric, -analytic, rtol=1e-6, atol=1e-9)
    # mean over time steps instead of the sum is a different vector when T > 1
    if T > 1:
        assert not np.allclose(analytic / T, analytic)


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_surrogate_with_mc_advantages_is_the_value_baseline_estimator(theta, mdp):
    """-grad L with A = gamma^t (G_t - V_t) is the mean of rewards_to_go's value-baseline g."""
    states, actions, rewards = ref.sample_episodes(theta, mdp, 50, np.random.default_rng(1721))
    values = imperfect_values(theta, mdp)
    adv = ac.start_discounted(
        ac.monte_carlo_advantages(rewards, states, values, mdp.gamma), mdp.gamma
    )
    expected = ref.reinforce_value_baseline(theta, states, actions, rewards, mdp.gamma, values)
    np.testing.assert_allclose(
        -ac.surrogate_loss_gradient(theta, states, actions, adv), expected.mean(axis=0), atol=1e-12
    )


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_surrogate_gradient_expectation_is_exact_gradient(theta, mdp):
    """sum_tau p(tau) (-grad L on tau alone) = grad J, by enumeration (and the PG theorem)."""
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    rewards = mdp.R[states, actions]
    values = imperfect_values(theta, mdp)
    adv = ac.start_discounted(
        ac.monte_carlo_advantages(rewards, states, values, mdp.gamma), mdp.gamma
    )
    per_tau = np.stack(
        [
            -ac.surrogate_loss_gradient(
                theta, states[m : m + 1], actions[m : m + 1], adv[m : m + 1]
            )
            for m in np.flatnonzero(probs > 0)
        ]
    )
    mean = np.einsum("m,msa->sa", probs[probs > 0], per_tau)
    grad = ref.policy_gradient_theorem(theta, mdp)
    np.testing.assert_allclose(mean, grad, atol=1e-12)
    np.testing.assert_allclose(ref.exact_policy_gradient(theta, mdp), grad, atol=1e-12)
    assert np.abs(grad).max() > 1e-3  # not vacuous: the sign-flipped loss would fail


# =========================================================================== values and critics


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_dp_values_are_conditional_expected_rewards_to_go(theta, mdp):
    """V_t(s) from the DP equals E[G_t | s_t = s] by enumeration wherever P(s_t = s) > 0."""
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    returns = ref.rewards_to_go(mdp.R[states, actions], mdp.gamma)
    v = ac.exact_values(theta, mdp)
    assert v.shape == (mdp.horizon, mdp.n_states)
    for t in range(mdp.horizon):
        for s in range(mdp.n_states):
            mass = probs[states[:, t] == s].sum()
            if mass > 1e-12:
                cond = probs[states[:, t] == s] @ returns[states[:, t] == s, t] / mass
                assert math.isclose(v[t, s], cond, rel_tol=1e-10, abs_tol=1e-12)
    # V_{T-1}(s) = sum_a pi(a|s) R[s, a]: the horizon bootstraps from 0
    np.testing.assert_allclose(v[-1], (ref.softmax(theta) * mdp.R).sum(-1), atol=1e-14)


def _critic_tolerance(states, targets, n_states, gamma):
    """Per-cell tolerance Z se_t(s) of the cell's target mean, plus gamma times the largest
    tolerance one step later (the error a bootstrapped target inherits); V_T exact."""
    T = states.shape[-1]
    tol = np.zeros((T + 1, n_states))
    for t in range(T - 1, -1, -1):
        for s in range(n_states):
            x = targets[states[:, t] == s, t]
            if x.size > 1:
                tol[t, s] = Z * x.std(ddof=1) / math.sqrt(x.size) + gamma * tol[t + 1].max()
    return tol[:T]


@pytest.mark.parametrize("case", [0, 2, 6, 7], ids=lambda i: MDP_IDS[i])
def test_critics_converge_to_dp_values(case):
    """MC and TD(0) critics fitted on 100,000 episodes are within their tolerance of the DP V.

    MC: Z standard errors of the mean of G_t per cell.  TD(0): Z standard errors of the mean
    of its target per cell plus gamma times the next step's tolerance (error propagation).
    Cells with P(s_t = s) = 0 stay 0.  The tolerance rejects the values of one more step past
    the horizon (V_T taken as non-zero) and, on the chain, the undiscounted values.
    """
    theta, mdp = MDP_CASES[case]
    S, g = mdp.n_states, mdp.gamma
    states, _, rewards = ref.sample_episodes(theta, mdp, N_EPISODES, np.random.default_rng(1730))
    v = ac.exact_values(theta, mdp)
    reach = ref.state_distributions(theta, mdp) > 0
    mc = ac.fit_critic_monte_carlo(states, rewards, g, S)
    td = ac.fit_critic_td0(states, rewards, g, S)
    assert np.all(mc[~reach] == 0) and np.all(td[~reach] == 0)
    mc_tol = _critic_tolerance(states, ref.rewards_to_go(rewards, g), S, 0.0)
    td_tol = _critic_tolerance(states, rewards + g * ac.next_values(td, states), S, g)
    for fit, tol in ((mc, mc_tol), (td, td_tol)):
        assert np.all(np.abs(fit - v)[reach] <= tol[reach])
        assert tol[reach].max() < 0.1  # resolves errors of 0.1 (the wrong critics below)
    wrong = [ac.exact_values(theta, ref.chain_mdp(gamma=1.0))] if case == 2 else []
    longer = ref.EpisodicMDP(mdp.P, mdp.R, mdp.init, mdp.horizon + 1, g)
    wrong.append(ac.exact_values(theta, longer)[:-1])  # one more step past the horizon
    for w in wrong:
        if g > 0:  # with gamma = 0 the horizon and the discount change nothing
            assert np.any(np.abs(w - v)[reach] > td_tol[reach])


def test_td0_batch_solution_is_the_fixed_point_of_the_semi_gradient_step():
    """One TD(0) step from fit_critic_td0 changes nothing; iterating from 0 converges to it."""
    theta, mdp = MDP_CASES[2]
    states, _, rewards = ref.sample_episodes(theta, mdp, 2_000, np.random.default_rng(1731))
    fixed = ac.fit_critic_td0(states, rewards, mdp.gamma, mdp.n_states)
    np.testing.assert_allclose(
        ac.td0_critic_step(fixed, states, rewards, mdp.gamma, 1.0), fixed, atol=1e-12
    )
    v = np.zeros_like(fixed)
    for _ in range(400):
        v = ac.td0_critic_step(v, states, rewards, mdp.gamma, 1.0)
    np.testing.assert_allclose(v, fixed, atol=1e-8)
    assert not np.allclose(fixed, ac.fit_critic_monte_carlo(states, rewards, mdp.gamma, 3))


# =========================================================================== advantage estimators


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("T", [1, 2, 5])
def test_gae_and_n_step_limits(gamma, T):
    """GAE(0) = TD error, GAE(1) = G_t - V; n-step with n = 1 is TD, with n >= T is MC."""
    rng = np.random.default_rng([1740, T, int(gamma * 100)])
    states, _, rewards, values, _ = random_batch(rng, 7, T, 3, 2)
    td = ac.td_errors(rewards, states, values, gamma)
    mc = ac.monte_carlo_advantages(rewards, states, values, gamma)
    np.testing.assert_allclose(
        ac.gae_advantages(rewards, states, values, gamma, 0.0), td, atol=1e-12
    )
    np.testing.assert_allclose(
        ac.gae_advantages(rewards, states, values, gamma, 1.0), mc, atol=1e-12
    )
    np.testing.assert_allclose(
        ac.n_step_advantages(rewards, states, values, gamma, 1), td, atol=1e-12
    )
    for n in (T, T + 1, 10 * T):
        np.testing.assert_allclose(
            ac.n_step_advantages(rewards, states, values, gamma, n), mc, atol=1e-12
        )
    if T > 1 and gamma > 0:  # the limits are not vacuous: TD and MC differ
        assert not np.allclose(td, mc)
    if T == 1:  # one step: every estimator is r_0 - V_0(s_0)
        np.testing.assert_allclose(td, rewards - values[0, states], atol=1e-12)
    with pytest.raises(ValueError):
        ac.n_step_advantages(rewards, states, values, gamma, 0)


ESTIMATOR_PARAMS = [
    ("monte_carlo", {}),
    ("td", {}),
    *[("n_step", {"n_steps": k}) for k in (1, 2, 3, 5)],
    *[("gae", {"lam": lam}) for lam in LAMBDAS],
]
EST_IDS = [f"{name}{list(p.values())}" for name, p in ESTIMATOR_PARAMS]


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_true_values_make_every_estimator_unbiased(theta, mdp):
    """With V = V^pi, E[sum_t gamma^t score_t A_t] = grad J for every estimator, exactly.

    With an imperfect V, Monte Carlo and GAE(1) stay unbiased (V is only a baseline) and
    the TD error is biased (the bootstrapped V enters the target), unless T = 1 or gamma = 0,
    where no V is bootstrapped.
    """
    v = ac.exact_values(theta, mdp)
    wrong_v = imperfect_values(theta, mdp)
    for name, params in ESTIMATOR_PARAMS:
        bias = ac.exact_advantage_estimator_bias(theta, mdp, v, name, **params)
        np.testing.assert_allclose(bias, 0.0, atol=1e-12, err_msg=name)
    for name, params in (("monte_carlo", {}), ("gae", {"lam": 1.0})):
        bias = ac.exact_advantage_estimator_bias(theta, mdp, wrong_v, name, **params)
        np.testing.assert_allclose(bias, 0.0, atol=1e-12, err_msg=name)
    td_bias = ac.exact_advantage_estimator_bias(theta, mdp, wrong_v, "td")
    if mdp.horizon == 1 or mdp.gamma == 0.0:
        np.testing.assert_allclose(td_bias, 0.0, atol=1e-12)
    else:
        assert np.abs(td_bias).max() > 1e-3


MC_PARAMS = [ESTIMATOR_PARAMS[i] for i in (0, 1, 3, 7, 8)]


@pytest.mark.parametrize(
    "name, params", MC_PARAMS, ids=[f"{n}{list(p.values())}" for n, p in MC_PARAMS]
)
def test_exact_mean_and_variance_match_monte_carlo(name, params):
    """Exact mean and per-component variance agree with 100,000 sampled episodes (6 SE).

    Random MDP (stochastic transitions, T = 4, gamma = 0.8) and an imperfect critic: the
    sampled mean also rejects grad J wherever the exact bias exceeds the tolerance.
    """
    theta, mdp = MDP_CASES[6]
    values = imperfect_values(theta, mdp)
    states, actions, rewards = ref.sample_episodes(
        theta, mdp, N_EPISODES, np.random.default_rng(1750)
    )
    adv = ac.ADVANTAGE_ESTIMATORS[name](rewards, states, values, mdp.gamma, **params)
    g = ac.policy_gradient_estimates(theta, states, actions, ac.start_discounted(adv, mdp.gamma))
    mean = ac.exact_advantage_estimator_mean(theta, mdp, values, name, **params)
    var = ac.exact_advantage_estimator_variance(theta, mdp, values, name, **params)
    est, se = mean_and_se(g)
    bias = mean - ref.exact_policy_gradient(theta, mdp)
    wrong = [ref.exact_policy_gradient(theta, mdp)] if np.any(np.abs(bias) > 2 * Z * se) else []
    assert_mc(est, se, mean, wrong=wrong + [-mean])
    assert_mc(*var_and_se(g), var, wrong=[0.5 * var])


@pytest.mark.parametrize("case", [2, 3, 6, 7], ids=lambda i: MDP_IDS[i])
def test_bias_variance_trade_off_against_lambda(case):
    """Exact (enumeration), seeded critics: with a nearly right V (noise 0.05) |bias| falls and
    the variance rises strictly with lambda in {0, 0.5, 0.95, 1}, bias 0 at lambda = 1.

    The trade-off needs a good critic: with noise 0.3, on the gamma = 0.9 chain, the TD
    estimator (lambda = 0) has MORE variance than Monte Carlo (lambda = 1) -- a fact the
    notebook's bias/variance table must not contradict.
    """
    theta, mdp = MDP_CASES[case]
    v = ac.exact_values(theta, mdp)
    noise = np.random.default_rng(1702).normal(0.0, 1.0, v.shape)

    def profile(values):
        bias = [
            np.abs(ac.exact_advantage_estimator_bias(theta, mdp, values, "gae", lam=lam)).sum()
            for lam in LAMBDAS
        ]
        var = [
            ac.exact_advantage_estimator_variance(theta, mdp, values, "gae", lam=lam).sum()
            for lam in LAMBDAS
        ]
        return np.array(bias), np.array(var)

    bias, var = profile(v + 0.05 * noise)
    assert bias[-1] < 1e-12 and np.all(np.diff(bias) < 0)
    assert np.all(np.diff(var) > 0)
    if case == 2:
        _, var = profile(v + 0.3 * noise)
        assert var[0] > var[-1]


# =========================================================================== misconceptions


def catalogue_arguments(seed: int, T: int = 4, gamma: float = 0.9):
    """Seeded arguments, as the grader rebuilds them (numpy), for every student function the
    catalogue names."""
    rng = np.random.default_rng([1760, seed])
    S, A, n = 3, 3, 6
    states, actions, rewards, values, adv = random_batch(rng, n, T, S, A)
    logits = rng.normal(0.0, 1.0, (S, A))
    mdp = random_mdp(rng, 2, 2, 3, gamma)
    theta = rng.normal(0.0, 1.0, (2, 2))
    imperfect = ac.exact_values(theta, mdp) + rng.normal(0.0, 0.3, (3, 2))
    return {
        "surrogate_loss": (logits, states, actions, adv),
        "fit_critic_monte_carlo": (states, rewards, gamma, S),
        "critic_td_loss": (values, states, rewards, gamma),
        "fit_critic_td0": (states, rewards, gamma, S),
        "monte_carlo_advantages": (rewards, states, values, gamma),
        "td_errors": (rewards, states, values, gamma),
        "n_step_advantages": (rewards, states, values, gamma, 2),
        "gae_advantages": (rewards, states, values, gamma, 0.5),
        "advantage_bias_variance": (
            theta,
            mdp,
            imperfect,
            lambda r, s, v, g: ac.gae_advantages(r, s, v, g, 0.5),
        ),
    }


#: The student API of actor_critic (docs/actor_critic.md), in notebook order.
ACTOR_CRITIC_FUNCTIONS = (
    "surrogate_loss",
    "fit_critic_monte_carlo",
    "critic_td_loss",
    "fit_critic_td0",
    "monte_carlo_advantages",
    "td_errors",
    "n_step_advantages",
    "gae_advantages",
    "advantage_bias_variance",
)


def test_catalogue_entries_are_well_formed():
    ids = [m.id for m in cat.CATALOGUE]
    assert len(ids) == len(set(ids)) >= 20
    assert set(cat.REFERENCE) == {m.function for m in cat.CATALOGUE} == set(ACTOR_CRITIC_FUNCTIONS)
    for m in cat.CATALOGUE:
        assert len(m.feedback) >= 40 and m.feedback.endswith("."), m.id
    assert cat.for_function("gae_advantages") == tuple(
        m for m in cat.CATALOGUE if m.function == "gae_advantages"
    )


def _truth(entry, args) -> np.ndarray:
    """The reference in the entry's terms: zeros for the gradient into the advantages."""
    if entry.id == cat.ADVANTAGE_GRADIENT:
        return np.zeros(np.shape(args[3]))
    return np.asarray(cat.REFERENCE[entry.function](*args), dtype=np.float64)


@pytest.mark.parametrize("entry", cat.CATALOGUE, ids=lambda m: m.id)
@pytest.mark.parametrize("seed", range(3))
def test_each_misconception_differs_from_the_reference(entry, seed):
    """On seeded inputs the imitation has the reference's shape and differs from it, and from
    every other entry for the same function of the same shape (so a diagnosis can tell them
    apart)."""
    args = catalogue_arguments(seed)[entry.function]
    want = _truth(entry, args)
    got = np.asarray(entry.imitate(*args), dtype=np.float64)
    assert got.shape == want.shape
    assert np.all(np.isfinite(got))
    assert not np.allclose(got, want, rtol=1e-9, atol=1e-9)
    for other in cat.for_function(entry.function):
        theirs = np.asarray(other.imitate(*args), dtype=np.float64)
        if other.id != entry.id and theirs.shape == got.shape:
            assert not np.allclose(got, theirs, rtol=1e-9, atol=1e-9), other.id


def test_the_reference_gradients_are_the_reference_losses_gradients():
    """REFERENCE's two gradients against finite differences of the reference losses."""
    logits, states, actions, adv = catalogue_arguments(0)["surrogate_loss"]
    np.testing.assert_allclose(
        cat.REFERENCE["surrogate_loss"](logits, states, actions, adv),
        _fd(lambda th: ac.surrogate_loss(th, states, actions, adv), logits),
        rtol=1e-6,
        atol=1e-9,
    )
    values, states, rewards, gamma = catalogue_arguments(1)["critic_td_loss"]
    n = states.shape[0]
    targets = rewards + gamma * ac.next_values(values, states)  # held constant

    def loss(v):
        return 0.5 * float(((targets - v[np.arange(v.shape[0]), states]) ** 2).sum()) / n

    grad = cat.critic_td_loss_gradient(values, states, rewards, gamma)
    np.testing.assert_allclose(grad, _fd(loss, values), rtol=1e-6, atol=1e-9)
    lr = 0.3
    np.testing.assert_allclose(
        grad, (values - ac.td0_critic_step(values, states, rewards, gamma, lr)) / lr, atol=1e-12
    )


def test_the_reference_bias_and_variance():
    """advantage_bias_variance with a named estimator's function equals the reference's exact
    bias and variance for it (the catalogue's enumeration is the reference's)."""
    theta, mdp, values, _ = catalogue_arguments(2)["advantage_bias_variance"]
    for lam in (0.0, 0.5, 1.0):
        bias, var = cat.advantage_bias_variance(
            theta, mdp, values, lambda r, s, v, g, lam=lam: ac.gae_advantages(r, s, v, g, lam)
        )
        np.testing.assert_allclose(
            bias, ac.exact_advantage_estimator_bias(theta, mdp, values, "gae", lam=lam), atol=1e-12
        )
        np.testing.assert_allclose(
            var,
            ac.exact_advantage_estimator_variance(theta, mdp, values, "gae", lam=lam),
            atol=1e-12,
        )


def _fd(loss, x):
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = H
        grad[idx] = (loss(x + step) - loss(x - step)) / (2 * H)
    return grad


def surrogate_losses(states, actions, adv):
    """Each surrogate mistake's loss as a student writes it, a function of the logits."""
    n, T = states.shape

    def log_pi(th):
        return ref.log_softmax(th)[states, actions]

    def column_log_softmax(th):
        return ref.log_softmax(th.T).T[states, actions]

    normalised = (adv - adv.mean()) / (adv.std(ddof=1) + 1e-8)
    return {
        "surrogate.sign": lambda th: float((log_pi(th) * adv).sum()) / n,
        "surrogate.mean_over_steps": lambda th: -float((log_pi(th) * adv).mean()),
        "surrogate.sum_over_episodes": lambda th: -float((log_pi(th) * adv).sum()),
        "surrogate.not_gathered": lambda th: (
            -float((ref.log_softmax(th)[states].sum(-1) * adv).sum()) / n
        ),
        "surrogate.log_softmax_over_states": lambda th: (
            -float((column_log_softmax(th) * adv).sum()) / n
        ),
        "surrogate.raw_logits": lambda th: -float((th[states, actions] * adv).sum()) / n,
        "surrogate.probability_not_log": lambda th: -float((np.exp(log_pi(th)) * adv).sum()) / n,
        "surrogate.normalised_in_loss": lambda th: ac.surrogate_loss(
            th, states, actions, normalised
        ),
    }


def test_surrogate_misconceptions_are_gradients_of_their_losses():
    """Every surrogate imitation but one equals central finite differences of the mistaken loss
    with respect to the logits; the one that lets gradient into the advantages equals finite
    differences of the correct loss with respect to the advantages."""
    logits, states, actions, adv = catalogue_arguments(0)["surrogate_loss"]
    by_id = {m.id: m.imitate for m in cat.for_function("surrogate_loss")}
    losses = surrogate_losses(states, actions, adv)
    assert set(losses) | {cat.ADVANTAGE_GRADIENT} == set(by_id)
    for key, loss in losses.items():
        np.testing.assert_allclose(
            by_id[key](logits, states, actions, adv), _fd(loss, logits), rtol=1e-6, atol=1e-9
        )
    np.testing.assert_allclose(
        by_id[cat.ADVANTAGE_GRADIENT](logits, states, actions, adv),
        _fd(lambda a: ac.surrogate_loss(logits, states, actions, a), adv),
        rtol=1e-6,
        atol=1e-9,
    )


def critic_losses(values, states, rewards, gamma):
    """Each critic_td_loss mistake's loss as a student writes it, a function of the values;
    a target computed from ``values`` itself is held constant (evaluated once)."""
    n, T = states.shape
    steps = np.arange(T)

    def current(v):
        return v[steps, states]

    wrong_step = np.zeros((n, T))
    wrong_step[:, :-1] = values[steps[:-1], states[:, 1:]]
    last = ac.next_values(values, states)
    last[:, -1] = values[T - 1, states[:, -1]]
    held = rewards + gamma * ac.next_values(values, states)
    return {
        "critic_td.target_not_constant": lambda v: (
            0.5 * float((ac.td_errors(rewards, states, v, gamma) ** 2).sum()) / n
        ),
        "critic_td.bootstrap_last_value": lambda v: (
            0.5 * float(((rewards + gamma * last - current(v)) ** 2).sum()) / n
        ),
        "critic_td.wrong_step_value": lambda v: (
            0.5 * float(((rewards + gamma * wrong_step - current(v)) ** 2).sum()) / n
        ),
        "critic_td.mse_loss": lambda v: float(((held - current(v)) ** 2).mean()),
    }


def test_critic_misconceptions_are_gradients_of_their_losses():
    """Every critic_td_loss imitation equals central finite differences of the mistaken loss
    with respect to the values; the reference gradient differs from the one through the
    target."""
    values, states, rewards, gamma = catalogue_arguments(1)["critic_td_loss"]
    by_id = {m.id: m.imitate for m in cat.for_function("critic_td_loss")}
    losses = critic_losses(values, states, rewards, gamma)
    assert set(losses) == set(by_id)
    for key, loss in losses.items():
        np.testing.assert_allclose(
            by_id[key](values, states, rewards, gamma), _fd(loss, values), rtol=1e-6, atol=1e-9
        )


def test_bias_variance_misconceptions_follow_their_definitions():
    """Each bias/variance mistake against a direct loop over the enumerated trajectories."""
    theta, mdp, values, fn = catalogue_arguments(0)["advantage_bias_variance"]
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    rewards = mdp.R[states, actions]
    adv = fn(rewards, states, values, mdp.gamma)
    scores = ref.step_scores(theta, states, actions)
    T = states.shape[1]
    terms = np.stack([mdp.gamma**t * adv[:, t, None, None] * scores[:, t] for t in range(T)], 1)
    g, g_plain = terms.sum(1), (adv[:, :, None, None] * scores).sum(1)
    grad_j = ref.exact_policy_gradient(theta, mdp)

    def mean(x, p=probs):
        return sum(pi * xi for pi, xi in zip(p, x, strict=True))

    def var(x, p=probs):
        m = mean(x, p)
        return mean([(xi - m) ** 2 for xi in x], p)

    uniform = np.full(probs.shape, 1.0 / probs.size)
    expected = {
        "bias_variance.no_gamma_t": (mean(g_plain) - grad_j, var(g_plain)),
        "bias_variance.bias_is_mean": (mean(g), var(g)),
        "bias_variance.second_moment": (mean(g) - grad_j, mean(g**2)),
        "bias_variance.unweighted": (mean(g, uniform) - grad_j, var(g, uniform)),
        "bias_variance.covariances_ignored": (
            mean(g) - grad_j,
            sum(var(terms[:, t]) for t in range(T)),
        ),
    }
    by_id = {m.id: m.imitate for m in cat.for_function("advantage_bias_variance")}
    assert set(expected) == set(by_id)
    for key, (bias, variance) in expected.items():
        got = by_id[key](theta, mdp, values, fn)
        np.testing.assert_allclose(got[0], bias, atol=1e-12, err_msg=key)
        np.testing.assert_allclose(got[1], variance, atol=1e-12, err_msg=key)


def test_critic_gradient_is_the_chain_rule_through_td_errors():
    """critic_gradient(dL/dA) equals finite differences, with respect to the values, of the
    loss that does not detach TD-error advantages computed from those values."""
    logits, states, actions, _ = catalogue_arguments(0)["surrogate_loss"]
    values, _, rewards, gamma = catalogue_arguments(0)["critic_td_loss"]

    def loss(v):
        return ac.surrogate_loss(logits, states, actions, ac.td_errors(rewards, states, v, gamma))

    td = ac.td_errors(rewards, states, values, gamma)
    entry = next(m for m in cat.CATALOGUE if m.id == cat.ADVANTAGE_GRADIENT)
    got = cat.critic_gradient(entry.imitate(logits, states, actions, td), states, gamma, 3)
    np.testing.assert_allclose(got, _fd(loss, values), rtol=1e-6, atol=1e-9)
    assert np.any(got)
