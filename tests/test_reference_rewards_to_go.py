"""Property tests for ``pglab.reference.rewards_to_go`` (softmax bandit and episodic MDP).

As in ``test_reference.py``, every formula is checked against an independent property:
derivatives against central finite differences, expectations and variances against Monte
Carlo (tolerance: 6 standard errors from the sample) and, for the MDP, against exhaustive
enumeration of trajectories; vectorised code against plain Python loops using ``math``; the
enumerated gradient against the policy gradient theorem with exact Q values.  Wherever a
check could be vacuous it also asserts that a plausible *wrong* answer (sign flip, missing
gamma^t, missing reward noise, action-dependent baseline) would have been rejected.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from monte_carlo import Z, assert_mc, mean_and_se, var_and_se

from pglab.reference import reinforce as sigmoid_ref
from pglab.reference import rewards_to_go as ref

# --------------------------------------------------------------------------- helpers

H = 1e-5  # finite-difference step
FD_RTOL = 1e-6
FD_ATOL = 1e-9
N_BANDIT = 10**6  # bandit samples
N_EPISODES = 150_000  # MDP episodes per setting


def central_gradient(f, x: np.ndarray, h: float = H) -> np.ndarray:
    """Central finite-difference gradient of a scalar function of an array."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = h
        grad[idx] = (f(x + step) - f(x - step)) / (2.0 * h)
    return grad


def assert_fd_close(numeric: np.ndarray, analytic: np.ndarray) -> None:
    np.testing.assert_allclose(numeric, analytic, rtol=FD_RTOL, atol=FD_ATOL)


def py_softmax(theta: list[float]) -> list[float]:
    m = max(theta)
    z = [math.exp(t - m) for t in theta]
    total = math.fsum(z)
    return [v / total for v in z]


def py_rewards_to_go(rewards: list[float], gamma: float) -> list[float]:
    """G_t = sum_{k >= t} gamma^(k - t) r_k, directly from the definition."""
    T = len(rewards)
    return [math.fsum(gamma ** (k - t) * rewards[k] for k in range(t, T)) for t in range(T)]


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
    """(theta, mdp) pairs: the default chain at several thetas, gammas 0, 0.5, 1, random MDPs."""
    rng = np.random.default_rng(1101)
    cases = [(np.zeros((3, 2)), ref.chain_mdp())]
    for gamma in (0.0, 0.5, 0.9, 1.0):
        cases.append((rng.normal(0.0, 1.0, (3, 2)), ref.chain_mdp(gamma=gamma)))
    cases.append((rng.normal(0.0, 1.0, (4, 2)), ref.chain_mdp(n_states=4, horizon=3, slip=0.0)))
    cases.append((rng.normal(0.0, 1.0, (3, 2)), random_mdp(rng, 3, 2, 4, 0.8)))
    cases.append((rng.normal(0.0, 1.0, (2, 3)), random_mdp(rng, 2, 3, 3, 0.95)))
    cases.append((rng.normal(0.0, 2.0, (3, 3)), random_mdp(rng, 3, 3, 2, 1.0)))
    return cases


MDP_CASES = mdp_cases()
MDP_IDS = [f"mdp{i}" for i in range(len(MDP_CASES))]


def no_discount_factor_mean(theta, mdp) -> np.ndarray:
    """Exact E[sum_t score_t G_t] (the estimator that forgets gamma^t), by enumeration."""
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    scores = ref.step_scores(theta, states, actions)
    rtg = ref.rewards_to_go(mdp.R[states, actions], mdp.gamma)
    return np.einsum("m,mt,mtsa->sa", probs, rtg, scores)


# =========================================================================== bandit: derivatives

BANDIT_THETAS = [
    np.array([0.0, 0.0]),
    np.array([0.3, -1.2, 2.0]),
    np.array([4.0, -4.0, 0.5, 1.0]),
    *[np.random.default_rng([1201, i]).normal(0.0, 2.0, k) for i, k in enumerate([2, 3, 5, 6])],
]


@pytest.mark.parametrize("theta", BANDIT_THETAS, ids=lambda t: f"K{t.size}")
def test_grad_log_softmax_is_derivative_of_log_softmax(theta):
    """Row a of grad_log_softmax equals the central difference of log_softmax(theta)[a]."""
    K = theta.size
    analytic = ref.grad_log_softmax(theta, np.arange(K))
    assert analytic.shape == (K, K)
    for a in range(K):
        numeric = central_gradient(lambda t, a=a: float(ref.log_softmax(t)[a]), theta)
        assert_fd_close(numeric, analytic[a])
        assert not np.allclose(numeric, -analytic[a], rtol=FD_RTOL, atol=FD_ATOL)


@pytest.mark.parametrize("theta", BANDIT_THETAS, ids=lambda t: f"K{t.size}")
def test_exact_gradient_is_derivative_of_expected_reward(theta):
    """exact_gradient equals the central difference of expected_reward, and pi * (m - J)."""
    means = np.random.default_rng([1202, theta.size]).uniform(-3.0, 3.0, theta.size)
    numeric = central_gradient(lambda t: ref.expected_reward(t, means), theta)
    analytic = ref.exact_gradient(theta, means)
    assert_fd_close(numeric, analytic)
    pi = ref.softmax(theta)
    np.testing.assert_allclose(analytic, pi * (means - pi @ means), rtol=1e-12, atol=1e-14)
    # the "forgot the probability weight" version sum_a (e_a - pi) m_a is rejected
    naive = ref.grad_log_softmax(theta, np.arange(theta.size)).T @ means
    assert not np.allclose(numeric, naive, rtol=FD_RTOL, atol=FD_ATOL)


@pytest.mark.parametrize("t", [-6.0, -1.0, 0.0, 0.5, 3.0])
def test_two_arms_agree_with_sigmoid_assignment(t):
    """With theta = (0, t), softmax, score and gradient reduce to the sigmoid bandit's."""
    theta = np.array([0.0, t])
    means = [1.0, 2.5]
    np.testing.assert_allclose(ref.softmax(theta), sigmoid_ref.action_probabilities(t), rtol=1e-14)
    score = ref.grad_log_softmax(theta, np.array([0, 1]))
    np.testing.assert_allclose(score[:, 1], sigmoid_ref.grad_log_prob(t, [0, 1]), rtol=1e-12)
    np.testing.assert_allclose(
        ref.exact_gradient(theta, means)[1], sigmoid_ref.analytic_gradient(t, means), rtol=1e-12
    )


# =========================================================================== bandit: Monte Carlo

BANDIT_SETTING = (np.array([0.5, -0.3, 1.0, -1.5]), [1.0, 2.5, -0.5, 4.0], [1.0, 0.5, 2.0, 0.3])


@pytest.fixture(scope="module")
def bandit():
    """(theta, means, stds, actions, rewards) with 10^6 seeded samples."""
    theta, means, stds = BANDIT_SETTING
    actions, rewards = ref.sample_bandit(theta, means, stds, N_BANDIT, np.random.default_rng(1301))
    return theta, means, stds, actions, rewards


def test_bandit_action_frequencies_match_softmax(bandit):
    """Frequency of each arm ~ softmax(theta) (and not the uniform or reversed distribution)."""
    theta, means, stds, actions, rewards = bandit
    K = theta.size
    hits = np.eye(K)[actions]
    pi = ref.softmax(theta)
    assert_mc(*mean_and_se(hits), pi, wrong=[np.full(K, 1.0 / K), pi[::-1]])
    np.testing.assert_allclose(np.exp(ref.log_softmax(theta)), pi, rtol=1e-14)


@pytest.mark.parametrize("baseline", [0.0, 2.0, -3.0])
def test_bandit_reinforce_mean_matches_exact_gradient(bandit, baseline):
    """Mean of reinforce_estimates ~ exact_gradient for constant baselines; not -grad."""
    theta, means, stds, actions, rewards = bandit
    g = ref.reinforce_estimates(theta, actions, rewards, baseline)
    assert g.shape == (N_BANDIT, theta.size)
    grad = ref.exact_gradient(theta, means)
    assert_mc(*mean_and_se(g), grad, wrong=[-grad, np.zeros_like(grad)])


def test_bandit_action_dependent_baseline_is_biased(bandit):
    """Subtracting b = means[a] (depends on the action) gives mean zero, not the gradient."""
    theta, means, stds, actions, rewards = bandit
    g = ref.reinforce_estimates(theta, actions, rewards, np.asarray(means)[actions])
    grad = ref.exact_gradient(theta, means)
    assert_mc(*mean_and_se(g), np.zeros_like(grad), wrong=[grad])


@pytest.mark.parametrize("baseline", [0.0, 2.0])
def test_bandit_covariance_matches_estimator_covariance(bandit, baseline):
    """Sample covariance of the estimates ~ estimator_covariance (each entry, 6 SE)."""
    theta, means, stds, actions, rewards = bandit
    g = ref.reinforce_estimates(theta, actions, rewards, baseline)
    exact = ref.estimator_covariance(theta, means, stds, baseline)
    centred = g - ref.exact_gradient(theta, means)
    no_noise = ref.estimator_covariance(theta, means, np.zeros(theta.size), baseline)
    for i, j in zip(*np.triu_indices(theta.size, k=1), strict=True):
        # E[(g_i - grad_i)(g_j - grad_j)] = Cov[g]_ij exactly (grad is the true mean)
        est, se = mean_and_se(centred[:, i] * centred[:, j])
        assert_mc(est, se, exact[i, j])
        assert abs(est - no_noise[i, j]) > Z * se or exact[i, j] == no_noise[i, j]
    var, se = var_and_se(g)
    np.testing.assert_allclose(
        ref.estimator_variance(theta, means, stds, baseline), exact.diagonal()
    )
    assert_mc(var, se, exact.diagonal(), wrong=[no_noise.diagonal()])


def test_bandit_mean_baseline_reduces_total_variance():
    """Exactly, subtracting b = J lowers trace Cov[g] against b = 0 when rewards are offset."""
    theta, means, stds = BANDIT_SETTING
    shifted = np.asarray(means) + 5.0
    b = ref.expected_reward(theta, shifted)
    assert np.trace(ref.estimator_covariance(theta, shifted, stds, b)) < np.trace(
        ref.estimator_covariance(theta, shifted, stds, 0.0)
    )


# ======================================================================= bandit: loops, stability


def _loop_cases():
    rng = np.random.default_rng(1401)
    cases = []
    for i in range(20):
        K = int(rng.integers(2, 7))
        n = int(rng.integers(1, 30))
        scale = 30.0 if i % 5 == 0 else 3.0
        cases.append(
            (
                rng.normal(0.0, scale, K),
                rng.integers(0, K, n),
                rng.normal(1.0, 3.0, n),
                rng.normal(0.0, 2.0, n),
            )
        )
    return cases


@pytest.mark.parametrize("theta, actions, rewards, baselines", _loop_cases())
def test_grad_log_softmax_and_reinforce_match_loop(theta, actions, rewards, baselines):
    """grad_log_softmax and reinforce_estimates equal a per-sample Python loop using math."""
    pi = py_softmax(theta.tolist())
    K = len(pi)
    scores = [[(1.0 if j == a else 0.0) - pi[j] for j in range(K)] for a in actions.tolist()]
    np.testing.assert_allclose(
        ref.grad_log_softmax(theta, actions),
        np.array(scores).reshape(-1, K),
        rtol=1e-12,
        atol=1e-15,
    )
    expected = [
        [s * (r - b) for s in row]
        for row, r, b in zip(scores, rewards.tolist(), baselines.tolist(), strict=True)
    ]
    np.testing.assert_allclose(
        ref.reinforce_estimates(theta, actions, rewards, baselines),
        np.array(expected).reshape(-1, K),
        rtol=1e-12,
        atol=1e-14,
    )


@pytest.mark.parametrize("scale", [1e3, 1e5, 1e300])
def test_softmax_stable_at_large_logits(scale):
    """softmax, log_softmax and the score are finite and exact at logits like +-1e300."""
    theta = np.array([scale, 0.0, -scale, scale])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        pi = ref.softmax(theta)
        logp = ref.log_softmax(theta)
        score = ref.grad_log_softmax(theta, np.arange(4))
    np.testing.assert_array_equal(pi, [0.5, 0.0, 0.0, 0.5])
    assert np.all(np.isfinite(logp)) and np.all(np.isfinite(score))
    log2 = math.log(2.0)
    np.testing.assert_allclose(logp, [-log2, -scale - log2, -2 * scale - log2, -log2], rtol=1e-15)
    np.testing.assert_allclose(score[0], [0.5, 0.0, 0.0, -0.5], rtol=0, atol=0)


def test_log_softmax_matches_math_and_probabilities_sum_to_one():
    """log_softmax equals math.log of the exact softmax where representable; rows sum to 1."""
    rng = np.random.default_rng(1402)
    thetas = rng.normal(0.0, 20.0, (200, 5))
    for theta in thetas:
        pi = py_softmax(theta.tolist())
        got = ref.log_softmax(theta)
        for j, p in enumerate(pi):
            if p > 1e-300:
                assert math.isclose(got[j], math.log(p), rel_tol=1e-12, abs_tol=1e-14)
    assert np.max(np.abs(ref.softmax(thetas).sum(axis=-1) - 1.0)) <= 4 * np.finfo(float).eps


# =========================================================================== MDP: returns


def _return_cases():
    rng = np.random.default_rng(1501)
    return [
        (rng.uniform(-1.0, 2.0, (int(rng.integers(1, 6)), T)), gamma)
        for T, gamma in [(1, 0.9), (2, 0.0), (3, 1.0), (4, 0.9), (5, 0.5), (7, 0.99), (4, 0.3)]
    ]


@pytest.mark.parametrize("rewards, gamma", _return_cases())
def test_returns_match_loop(rewards, gamma):
    """rewards_to_go and discounted_returns equal loops over the definitions; G_0 = return."""
    rtg = ref.rewards_to_go(rewards, gamma)
    ret = ref.discounted_returns(rewards, gamma)
    assert rtg.shape == rewards.shape and ret.shape == rewards.shape[:1]
    for i, row in enumerate(rewards.tolist()):
        expected = py_rewards_to_go(row, gamma)
        np.testing.assert_allclose(rtg[i], expected, rtol=1e-12, atol=1e-15)
        total = math.fsum(gamma**t * r for t, r in enumerate(row))
        assert math.isclose(ret[i], total, rel_tol=1e-12, abs_tol=1e-15)
    np.testing.assert_allclose(rtg[:, 0], ret, rtol=1e-12, atol=1e-15)
    # honesty: discounting from the episode start (gamma^k, not gamma^(k-t)), the off-by-one
    # (excluding r_t) and summing the past instead of the future all differ when T >= 2
    T = rewards.shape[1]
    if T >= 2 and 0.0 < gamma < 1.0:
        from_start = np.array([[gamma**t * g for t, g in enumerate(row)] for row in rtg])
        assert not np.allclose(rtg, from_start)
    if T >= 2:
        excluding = rtg - rewards
        past = np.cumsum(rewards, axis=1)
        assert not np.allclose(rtg, excluding) and not np.allclose(rtg, past)


# ======================================================================= MDP: scores, estimators


def _episode_loop_cases():
    rng = np.random.default_rng(1601)
    cases = []
    for S, A, T in [(3, 2, 4), (2, 3, 3), (4, 2, 1), (3, 3, 5)]:
        mdp = random_mdp(rng, S, A, T, float(rng.uniform(0.5, 1.0)))
        theta = rng.normal(0.0, 1.5, (S, A))
        states, actions, rewards = ref.sample_episodes(theta, mdp, 7, rng)
        cases.append((theta, mdp, states, actions, rewards))
    return cases


@pytest.mark.parametrize("theta, mdp, states, actions, rewards", _episode_loop_cases())
def test_step_scores_and_estimators_match_loop(theta, mdp, states, actions, rewards):
    """step_scores and all three estimators equal plain per-episode, per-step Python loops."""
    S, A = theta.shape
    T, gamma = mdp.horizon, mdp.gamma
    pis = [py_softmax(row) for row in theta.tolist()]
    values = ref.state_values(theta, mdp)
    scores = ref.step_scores(theta, states, actions)
    assert scores.shape == (states.shape[0], T, S, A)
    ests = {
        "total": ref.reinforce_total_return(theta, states, actions, rewards, gamma),
        "rtg": ref.reinforce_rewards_to_go(theta, states, actions, rewards, gamma),
        "base": ref.reinforce_value_baseline(theta, states, actions, rewards, gamma, values),
    }
    for i in range(states.shape[0]):
        s_row, a_row, r_row = states[i].tolist(), actions[i].tolist(), rewards[i].tolist()
        step = []
        for s, a in zip(s_row, a_row, strict=True):
            m = [[0.0] * A for _ in range(S)]
            m[s] = [(1.0 if b == a else 0.0) - pis[s][b] for b in range(A)]
            step.append(m)
        np.testing.assert_allclose(scores[i], step, rtol=1e-12, atol=1e-15)
        rtg = py_rewards_to_go(r_row, gamma)
        total = [[0.0] * A for _ in range(S)]
        by_rtg = [[0.0] * A for _ in range(S)]
        by_base = [[0.0] * A for _ in range(S)]
        for t in range(T):
            for s in range(S):
                for b in range(A):
                    total[s][b] += step[t][s][b] * rtg[0]
                    by_rtg[s][b] += gamma**t * step[t][s][b] * rtg[t]
                    by_base[s][b] += gamma**t * step[t][s][b] * (rtg[t] - values[t, s_row[t]])
        np.testing.assert_allclose(ests["total"][i], total, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(ests["rtg"][i], by_rtg, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(ests["base"][i], by_base, rtol=1e-11, atol=1e-14)


# =========================================================================== MDP: exact quantities


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_enumeration_is_a_distribution(theta, mdp):
    """Trajectory probabilities are non-negative, sum to 1 and reproduce d_t(s)."""
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    assert states.shape == ((mdp.n_states * mdp.n_actions) ** mdp.horizon, mdp.horizon)
    assert np.all(probs >= 0.0) and math.isclose(probs.sum(), 1.0, rel_tol=1e-12)
    d = ref.state_distributions(theta, mdp)
    for t in range(mdp.horizon):
        np.testing.assert_allclose(
            np.bincount(states[:, t], weights=probs, minlength=mdp.n_states), d[t], atol=1e-14
        )


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_values_are_conditional_expected_rewards_to_go(theta, mdp):
    """V_t(s) = E[G_t | s_t = s] and Q_t(s, a) = E[G_t | s_t, a_t] by enumeration; J = init.V_0."""
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    rtg = ref.rewards_to_go(mdp.R[states, actions], mdp.gamma)
    V, Q = ref.state_values(theta, mdp), ref.action_values(theta, mdp)
    assert V.shape == (mdp.horizon, mdp.n_states)
    for t in range(mdp.horizon):
        for s in range(mdp.n_states):
            mask = states[:, t] == s
            if probs[mask].sum() > 1e-12:
                expect = probs[mask] @ rtg[mask, t] / probs[mask].sum()
                assert math.isclose(V[t, s], expect, rel_tol=1e-9, abs_tol=1e-12)
            for a in range(mdp.n_actions):
                m2 = mask & (actions[:, t] == a)
                if probs[m2].sum() > 1e-12:
                    expect = probs[m2] @ rtg[m2, t] / probs[m2].sum()
                    assert math.isclose(Q[t, s, a], expect, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(ref.expected_return(theta, mdp), mdp.init @ V[0], rel_tol=1e-12)


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_exact_policy_gradient_is_derivative_of_expected_return(theta, mdp):
    """exact_policy_gradient equals central differences of the enumerated expected_return."""
    numeric = central_gradient(lambda t: ref.expected_return(t, mdp), theta)
    analytic = ref.exact_policy_gradient(theta, mdp)
    assert analytic.shape == theta.shape
    assert_fd_close(numeric, analytic)
    if mdp.horizon >= 2 and mdp.gamma > 0.0 and np.abs(analytic).max() > 1e-6:
        assert not np.allclose(numeric, -analytic, rtol=FD_RTOL, atol=FD_ATOL)


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_policy_gradient_theorem_matches_enumeration(theta, mdp):
    """sum_t gamma^t sum_s d_t(s) sum_a pi grad log pi Q_t equals the enumerated gradient."""
    np.testing.assert_allclose(
        ref.policy_gradient_theorem(theta, mdp),
        ref.exact_policy_gradient(theta, mdp),
        rtol=1e-10,
        atol=1e-13,
    )


@pytest.mark.parametrize("theta, mdp", MDP_CASES, ids=MDP_IDS)
def test_every_estimator_is_exactly_unbiased(theta, mdp):
    """By enumeration, E[g] = grad J for total return, rewards-to-go and the V baseline."""
    grad = ref.exact_policy_gradient(theta, mdp)
    for name in ref.ESTIMATORS:
        np.testing.assert_allclose(
            ref.exact_estimator_mean(theta, mdp, name), grad, rtol=1e-10, atol=1e-13
        )


def test_forgetting_gamma_t_or_using_q_as_baseline_is_biased():
    """sum_t score_t G_t (no gamma^t) and a Q_t(s_t, a_t) baseline both miss grad J exactly."""
    theta, mdp = MDP_CASES[3]  # gamma = 0.9 chain
    grad = ref.exact_policy_gradient(theta, mdp)
    assert np.max(np.abs(no_discount_factor_mean(theta, mdp) - grad)) > 1e-2
    states, actions, probs = ref.enumerate_trajectories(theta, mdp)
    q = ref.action_values(theta, mdp)
    baseline = q[np.arange(mdp.horizon), states, actions]
    g = ref.reinforce_rewards_to_go(
        theta, states, actions, mdp.R[states, actions], mdp.gamma, baseline
    )
    assert np.max(np.abs(np.einsum("m,msa->sa", probs, g) - grad)) > 1e-2


VARIANCE_CASES = [MDP_CASES[i] for i in (0, 3, 6)]


@pytest.mark.parametrize("theta, mdp", VARIANCE_CASES, ids=["chain0", "chain_g09", "random"])
def test_exact_variance_ordering(theta, mdp):
    """Exactly, per component: Var total > Var rewards-to-go > Var rewards-to-go - V.

    Not a theorem for every MDP; it holds (with margin) at the settings the grader will use.
    """
    v = {name: ref.exact_estimator_variance(theta, mdp, name) for name in ref.ESTIMATORS}
    assert np.all(v["total_return"] > 1.05 * v["rewards_to_go"])
    assert np.all(v["rewards_to_go"] > 1.05 * v["value_baseline"])


# =========================================================================== MDP: Monte Carlo

MC_MDP = [
    (np.zeros((3, 2)), ref.chain_mdp()),
    (np.array([[0.8, -0.4], [-0.5, 0.9], [0.2, -0.1]]), ref.chain_mdp(gamma=0.7, slip=0.3)),
]


@pytest.fixture(scope="module", params=range(len(MC_MDP)), ids=lambda i: f"mdp{i}")
def episodes(request):
    """(theta, mdp, states, actions, rewards, estimates by name) from seeded episodes."""
    theta, mdp = MC_MDP[request.param]
    states, actions, rewards = ref.sample_episodes(
        theta, mdp, N_EPISODES, np.random.default_rng([1701, request.param])
    )
    estimates = {
        name: est(theta, mdp, states, actions, rewards) for name, est in ref.ESTIMATORS.items()
    }
    return theta, mdp, states, actions, rewards, estimates


def test_sampled_episodes_follow_the_mdp(episodes):
    """Visit frequencies ~ d_t(s); mean return ~ expected_return; rewards = R[s, a]."""
    theta, mdp, states, actions, rewards, _ = episodes
    np.testing.assert_array_equal(rewards, mdp.R[states, actions])
    d = ref.state_distributions(theta, mdp)
    for t in range(mdp.horizon):
        hits = np.eye(mdp.n_states)[states[:, t]]
        assert_mc(*mean_and_se(hits), d[t])
    uniform_policy = ref.expected_return(np.zeros_like(theta), mdp)
    wrong = [] if np.allclose(theta, 0.0) else [uniform_policy]
    assert_mc(
        *mean_and_se(ref.discounted_returns(rewards, mdp.gamma)),
        ref.expected_return(theta, mdp),
        wrong=wrong,
    )


def test_sampled_rewards_to_go_match_state_values(episodes):
    """The mean of G_t over episodes with s_t = s ~ V_t(s) (6 SE)."""
    theta, mdp, states, actions, rewards, _ = episodes
    rtg = ref.rewards_to_go(rewards, mdp.gamma)
    V = ref.state_values(theta, mdp)
    for t in range(mdp.horizon):
        for s in range(mdp.n_states):
            sel = rtg[states[:, t] == s, t]
            if sel.size > 1000:
                assert_mc(*mean_and_se(sel), V[t, s])


@pytest.mark.parametrize("name", list(ref.ESTIMATORS))
def test_estimator_mean_matches_exact_gradient(episodes, name):
    """Each estimator's MC mean ~ exact_policy_gradient; not -grad, not the no-gamma^t mean."""
    theta, mdp, states, actions, rewards, estimates = episodes
    grad = ref.exact_policy_gradient(theta, mdp)
    wrong = [-grad, no_discount_factor_mean(theta, mdp)]
    assert_mc(*mean_and_se(estimates[name]), grad, wrong=wrong)


@pytest.mark.parametrize("name", list(ref.ESTIMATORS))
def test_estimator_variance_matches_exact(episodes, name):
    """Each estimator's sample variance ~ exact_estimator_variance (per component, 6 SE)."""
    theta, mdp, states, actions, rewards, estimates = episodes
    exact = ref.exact_estimator_variance(theta, mdp, name)
    grad = ref.exact_policy_gradient(theta, mdp)
    assert_mc(*var_and_se(estimates[name]), exact, wrong=[exact + grad**2])


def test_rewards_to_go_and_baseline_reduce_sampled_variance(episodes):
    """Sample variances, per component: total return > rewards-to-go > rewards-to-go - V."""
    *_, estimates = episodes
    v = {name: g.var(axis=0) for name, g in estimates.items()}
    assert np.all(v["total_return"] > v["rewards_to_go"])
    assert np.all(v["rewards_to_go"] > v["value_baseline"])


# --------------------------------------------------------------------------- the given helper cell


def _given_namespace() -> dict:
    """The notebook's given helper cell, run on its own: no student function is defined."""
    from pglab.reference import rewards_to_go_given as given

    namespace: dict = {}
    exec(compile(given.cell_source(), "given_helpers", "exec"), namespace)  # noqa: S102 - ours
    return namespace


def test_given_helpers_run_without_any_student_function():
    """The samplers draw exactly what the reference's samplers draw (same generator state), and
    J and the trajectory probabilities agree with the reference, with no `softmax` defined."""
    given = _given_namespace()
    assert "softmax" not in given
    theta = np.random.default_rng(3).normal(size=(3, 2))
    mdp, reference_mdp = given["chain_mdp"](), ref.chain_mdp()
    drawn = given["sample_episodes"](theta, mdp, 500, np.random.default_rng(4))
    expected = ref.sample_episodes(theta, reference_mdp, 500, np.random.default_rng(4))
    assert all(np.array_equal(a, b) for a, b in zip(drawn, expected, strict=True))
    bandit = np.array([0.5, -0.5, 0.0]), np.array([1.0, 2.5, -1.0]), np.array([1.0, 0.5, 2.0])
    drawn = given["sample_bandit"](*bandit, 500, np.random.default_rng(5))
    expected = ref.sample_bandit(*bandit, 500, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(drawn, expected, strict=True))
    states, actions, probs = ref.enumerate_trajectories(theta, reference_mdp)
    all_states, all_actions, _ = given["all_trajectories"](mdp)
    assert np.array_equal(all_states, states) and np.array_equal(all_actions, actions)
    assert np.allclose(given["trajectory_probabilities"](theta, mdp), probs, rtol=0, atol=1e-15)
    assert (
        abs(given["expected_return"](theta, mdp) - ref.expected_return(theta, reference_mdp))
        < 1e-12
    )


def test_given_expected_return_of_a_stack_is_each_theta_in_a_loop():
    """J of a stack of logits (..., S, A), as `train` asks for its learning curve, is J of each
    theta on its own; a single theta still gives a float."""
    given = _given_namespace()
    mdp = given["chain_mdp"]()
    thetas = np.random.default_rng(6).normal(scale=2.0, size=(4, 5, 3, 2))
    stacked = given["expected_return"](thetas, mdp)
    assert stacked.shape == (4, 5)
    for index in np.ndindex(4, 5):
        assert stacked[index] == pytest.approx(given["expected_return"](thetas[index], mdp))
    assert isinstance(given["expected_return"](thetas[0, 0], mdp), float)


def test_given_train_records_j_at_every_step():
    """train's curve is J at the start and after each step, each as expected_return gives it,
    and its final theta is the last one; a seed gives the same run twice."""
    given = _given_namespace()
    mdp = given["chain_mdp"]()

    def estimator(theta, states, actions, rewards):  # not REINFORCE: any (batch, S, A) will do
        return np.ones((states.shape[0], *theta.shape)) * rewards.sum(axis=1)[:, None, None]

    theta0 = np.zeros((3, 2))
    history, theta = given["train"](estimator, mdp, theta0, iterations=4, batch=3, lr=0.1, seed=1)
    again, _ = given["train"](estimator, mdp, theta0, iterations=4, batch=3, lr=0.1, seed=1)
    assert history.shape == (5,) and np.array_equal(history, again)
    assert history[0] == pytest.approx(given["expected_return"](theta0, mdp))
    assert history[-1] == pytest.approx(given["expected_return"](theta, mdp))


def test_given_helpers_refuse_logits_where_the_definition_overflows():
    """The private policy table is the plain definition; beyond +-700 it would overflow, so it
    says so in words instead of returning nan (a student's softmax must handle +-1000)."""
    given = _given_namespace()
    with pytest.raises(ValueError, match="between -700 and 700"):
        given["expected_return"](
            np.array([[800.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), given["chain_mdp"]()
        )
    extreme = np.array([[690.0, -690.0], [0.0, 0.0], [-690.0, 690.0]])
    assert np.isfinite(given["expected_return"](extreme, given["chain_mdp"]()))


def test_given_helpers_state_no_graded_result():
    """The helper cell passes the release's formula-leak check (it computes nothing graded)."""
    from pglab.leaks import formula_leaks
    from pglab.reference import rewards_to_go_given as given

    assert formula_leaks("rewards_to_go", given.cell_source()) == []
