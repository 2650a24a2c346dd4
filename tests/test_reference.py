"""Property tests for ``pglab.reference.reinforce`` (the two-armed sigmoid bandit).

Every formula is checked against an independent property rather than against numbers
copied from the module: derivatives against central finite differences, expectations and
variances against Monte Carlo with ``sample_bandit`` (tolerance: 6 standard errors computed
from the sample), vectorised code against a plain Python loop using ``math``.  Wherever a
Monte Carlo check could be vacuous, the test also asserts that a plausible *wrong* answer
(sign flip, swapped weights, missing term, biased baseline) would have been rejected.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pglab.reference import reinforce as ref

# --------------------------------------------------------------------------- helpers

H = 1e-5  # finite-difference step
FD_RTOL = 1e-6  # relative tolerance for finite differences
FD_ATOL = 1e-10  # absolute floor (FD round-off is ~1e-11 for |f| <= 10)
N_MC = 10**6  # Monte Carlo sample size
Z = 6.0  # Monte Carlo tolerance in standard errors

FD_THETAS = [float(t) for t in np.linspace(-6.0, 6.0, 13)] + [
    float(t) for t in np.random.default_rng(101).uniform(-6.0, 6.0, 12)
]


def random_bandit(rng: np.random.Generator) -> tuple[list[float], list[float]]:
    """Random means in [-3, 3] with |m1 - m0| >= 1 and stds in [0.3, 2]."""
    m0 = float(rng.uniform(-3.0, 3.0))
    m1 = m0 + float(rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 3.0))
    stds = [float(s) for s in rng.uniform(0.3, 2.0, 2)]
    return [m0, m1], stds


def fd_cases() -> list[tuple[float, list[float], list[float]]]:
    rng = np.random.default_rng(202)
    return [(theta, *random_bandit(rng)) for theta in FD_THETAS]


def central_difference(f, x: float, h: float = H) -> float:
    return (f(x + h) - f(x - h)) / (2.0 * h)


def assert_fd_close(numeric: float, analytic: float) -> None:
    assert math.isclose(numeric, analytic, rel_tol=FD_RTOL, abs_tol=FD_ATOL), (
        f"finite difference {numeric!r} vs analytic {analytic!r}"
    )


def assert_mc(estimate: float, se: float, target: float, wrong=()) -> None:
    """|estimate - target| <= Z se, and every value in ``wrong`` lies outside Z se."""
    tol = Z * se
    assert abs(estimate - target) <= tol, (
        f"Monte Carlo {estimate:.6g} vs {target:.6g}: off by {abs(estimate - target) / se:.2f} SE"
    )
    for value in wrong:
        assert abs(estimate - value) > tol, (
            f"test too loose: wrong value {value:.6g} also within {Z} SE ({tol:.3g})"
        )


def mean_and_se(x: np.ndarray) -> tuple[float, float]:
    x = np.asarray(x, dtype=np.float64).ravel()
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def var_and_se(x: np.ndarray) -> tuple[float, float]:
    """Sample variance and its standard error sqrt((m4 - s^4) / n)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    centred = x - x.mean()
    s2 = float(np.mean(centred**2))
    m4 = float(np.mean(centred**4))
    return float(x.var(ddof=1)), math.sqrt((m4 - s2**2) / x.size)


# Python-``math`` versions of every vectorised formula, for the loop comparisons.
def py_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def py_log_sigmoid(x: float) -> float:
    if x >= 0:
        return -math.log1p(math.exp(-x))
    return x - math.log1p(math.exp(x))


# Monte Carlo settings: moderate thetas, well-separated means, so wrong answers differ.
MC_SETTINGS = [
    (0.5, [1.0, 2.5], [1.0, 0.5]),  # the grader's own unbiasedness experiment
    (-1.3, [2.0, -1.0], [0.7, 1.5]),
    (2.0, [-0.5, 1.5], [1.2, 0.4]),
]


@pytest.fixture(scope="module", params=range(len(MC_SETTINGS)), ids=lambda i: f"setting{i}")
def mc(request):
    """(theta, means, stds, actions, rewards) with 10^6 seeded samples."""
    theta, means, stds = MC_SETTINGS[request.param]
    rng = np.random.default_rng([303, request.param])
    actions, rewards = ref.sample_bandit(theta, means, stds, N_MC, rng)
    return theta, means, stds, actions, rewards


# --------------------------------------------------------------------------- finite differences


@pytest.mark.parametrize("action", [0, 1])
@pytest.mark.parametrize("theta", FD_THETAS)
def test_grad_log_prob_is_derivative_of_log_prob(theta, action):
    """grad_log_prob(theta, a) equals the central difference of log_prob in theta."""
    numeric = central_difference(lambda t: float(ref.log_prob(t, action)), theta)
    analytic = float(ref.grad_log_prob(theta, action))
    assert_fd_close(numeric, analytic)
    # honesty: the wrong-sign score s - a would be rejected
    assert not math.isclose(numeric, -analytic, rel_tol=FD_RTOL, abs_tol=FD_ATOL)


@pytest.mark.parametrize("theta, means, stds", fd_cases())
def test_analytic_gradient_is_derivative_of_expected_reward(theta, means, stds):
    """analytic_gradient equals the central difference of expected_reward in theta."""
    numeric = central_difference(lambda t: ref.expected_reward(t, means), theta)
    analytic = ref.analytic_gradient(theta, means)
    assert_fd_close(numeric, analytic)
    assert not math.isclose(numeric, -analytic, rel_tol=FD_RTOL, abs_tol=FD_ATOL)


@pytest.mark.parametrize("theta, means, stds", fd_cases())
def test_optimal_baseline_is_stationary_point_of_variance(theta, means, stds):
    """d/db estimator_variance vanishes at optimal_baseline (relative to its slope 1 away)."""
    b_star = ref.optimal_baseline(theta, means)

    def variance(b: float) -> float:
        return ref.estimator_variance(theta, means, stds, b)

    slope_at_star = central_difference(variance, b_star)
    slope_one_away = central_difference(variance, b_star + 1.0)
    assert slope_one_away > 0.0
    assert abs(slope_at_star) <= FD_RTOL * slope_one_away


@pytest.mark.parametrize("delta", [1e-3, 0.1, 1.0, 5.0])
@pytest.mark.parametrize("theta, means, stds", fd_cases())
def test_optimal_baseline_is_minimiser(theta, means, stds, delta):
    """Variance at b* +- delta exceeds variance at b* by exactly s(1-s) delta^2."""
    b_star = ref.optimal_baseline(theta, means)
    v_star = ref.estimator_variance(theta, means, stds, b_star)
    s = py_sigmoid(theta)
    for b in (b_star - delta, b_star + delta):
        v = ref.estimator_variance(theta, means, stds, b)
        assert v > v_star
        # Var(b) is a quadratic in b with leading coefficient E[score^2] = s(1-s).
        assert math.isclose(v - v_star, s * (1 - s) * delta**2, rel_tol=1e-6, abs_tol=1e-12)


@pytest.mark.parametrize("theta, means, stds", fd_cases()[::4])
def test_optimal_baseline_ignores_reward_noise(theta, means, stds):
    """The variance minimiser is the same whatever the reward stds (noise adds a constant)."""
    b_star = ref.optimal_baseline(theta, means)
    for other_stds in ([0.0, 0.0], [3.0, 0.1], [0.1, 3.0]):
        slope = central_difference(
            lambda b, sd=other_stds: ref.estimator_variance(theta, means, sd, b), b_star
        )
        scale = central_difference(
            lambda b, sd=other_stds: ref.estimator_variance(theta, means, sd, b), b_star + 1.0
        )
        assert abs(slope) <= FD_RTOL * scale


# --------------------------------------------------------------------------- Monte Carlo


def test_mean_reward_matches_expected_reward(mc):
    """Sample mean of rewards ~ expected_reward (and not the swapped-weight mixture)."""
    theta, means, stds, actions, rewards = mc
    s = py_sigmoid(theta)
    swapped = s * means[0] + (1 - s) * means[1]
    assert_mc(
        *mean_and_se(rewards),
        ref.expected_reward(theta, means),
        wrong=[swapped, 0.5 * (means[0] + means[1])],
    )


@pytest.mark.parametrize("baseline", [0.0, 2.5, -4.0])
def test_reinforce_mean_matches_analytic_gradient(mc, baseline):
    """Mean of reinforce_estimates ~ analytic_gradient (no or constant baseline); not -dJ."""
    theta, means, stds, actions, rewards = mc
    g = ref.reinforce_estimates(theta, actions, rewards, baseline)
    target = ref.analytic_gradient(theta, means)
    assert_mc(*mean_and_se(g), target, wrong=[-target, 0.0])


@pytest.mark.parametrize("which", ["zero", "arbitrary", "optimal"])
def test_reinforce_variance_matches_estimator_variance(mc, which):
    """Sample variance of reinforce_estimates ~ estimator_variance at b = 0, arbitrary b, b*."""
    theta, means, stds, actions, rewards = mc
    b = {"zero": 0.0, "arbitrary": 1.7, "optimal": ref.optimal_baseline(theta, means)}[which]
    g = ref.reinforce_estimates(theta, actions, rewards, b)
    exact = ref.estimator_variance(theta, means, stds, b)
    grad = ref.analytic_gradient(theta, means)
    wrong = [
        exact + grad**2,  # second moment, forgot to subtract (dJ)^2
        ref.estimator_variance(theta, means, [0.0, 0.0], b),  # forgot the reward noise
    ]
    assert_mc(*var_and_se(g), exact, wrong=wrong)


def test_optimal_baseline_has_smallest_sample_variance(mc):
    """Empirically, b* gives a lower sample variance than b = 0 and b = b* +- 1."""
    theta, means, stds, actions, rewards = mc
    b_star = ref.optimal_baseline(theta, means)
    var_star = np.var(ref.reinforce_estimates(theta, actions, rewards, b_star))
    for b in (0.0, b_star - 1.0, b_star + 1.0):
        assert var_star < np.var(ref.reinforce_estimates(theta, actions, rewards, b))


def test_action_frequencies_match_exp_log_prob(mc):
    """Frequency of each action ~ exp(log_prob(theta, a)); importance weights average to 1."""
    theta, means, stds, actions, rewards = mc
    probs = {a: math.exp(float(ref.log_prob(theta, a))) for a in (0, 1)}
    for a in (0, 1):
        hits = (actions == a).astype(np.float64)
        assert_mc(*mean_and_se(hits), probs[a], wrong=[probs[1 - a]])
        # E[1{A=a} / pi(A)] = 1 with pi(A) = exp(log_prob(theta, A)) evaluated per sample
        weights = hits / np.exp(ref.log_prob(theta, actions))
        assert_mc(*mean_and_se(weights), 1.0, wrong=[probs[a] / probs[1 - a]])
    # action_probabilities agrees with exp(log_prob)
    np.testing.assert_allclose(ref.action_probabilities(theta), [probs[0], probs[1]], rtol=1e-14)


def test_score_function_has_mean_zero(mc):
    """E[grad_log_prob(theta, A)] = 0 and E[score^2] = s(1-s) (Fisher information)."""
    theta, means, stds, actions, rewards = mc
    score = ref.grad_log_prob(theta, actions)
    s = py_sigmoid(theta)
    # a score of a - (1 - s) (sigmoid with the wrong sign) would average 2s - 1 != 0
    assert_mc(*mean_and_se(score), 0.0, wrong=[2 * s - 1])
    assert_mc(*mean_and_se(score**2), s * (1 - s), wrong=[s**2, (1 - s) ** 2])


# --------------------------------------------------------------------------- leave-one-out


@pytest.mark.parametrize("n", range(2, 11))
def test_leave_one_out_matches_python_loop(n):
    """leave_one_out_baseline equals a plain loop: for each i, the mean of the other rewards."""
    rng = np.random.default_rng([404, n])
    for _ in range(5):
        rewards = rng.normal(2.0, 3.0, size=n)
        values = [float(r) for r in rewards]
        expected = [math.fsum(values[:i] + values[i + 1 :]) / (n - 1) for i in range(n)]
        got = ref.leave_one_out_baseline(rewards)
        assert got.shape == (n,)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def _batches(theta, means, stds, n, seed, total=450_000):
    rng = np.random.default_rng(seed)
    count = total // n
    actions, rewards = ref.sample_bandit(theta, means, stds, count * n, rng)
    return actions.reshape(count, n), rewards.reshape(count, n)


def _batch_estimates(theta, actions, rewards, baselines):
    """Per-batch average of reinforce_estimates with per-sample baselines."""
    return ref.reinforce_estimates(theta, actions, rewards, baselines).mean(axis=1)


LOO_SETTING = (0.4, [0.0, 4.0], [0.5, 1.0])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_leave_one_out_keeps_estimator_unbiased(n):
    """With the leave-one-out baseline, batch estimates average to dJ/dtheta (not (1-1/n) dJ)."""
    theta, means, stds = LOO_SETTING
    actions, rewards = _batches(theta, means, stds, n, [505, n])
    baselines = np.stack([ref.leave_one_out_baseline(r) for r in rewards])
    target = ref.analytic_gradient(theta, means)
    estimates = _batch_estimates(theta, actions, rewards, baselines)
    assert_mc(*mean_and_se(estimates), target, wrong=[(1 - 1 / n) * target, -target])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_inclusive_batch_mean_baseline_is_biased(n):
    """With the batch mean *including* r_i as baseline, E[estimate] = (1 - 1/n) dJ/dtheta."""
    theta, means, stds = LOO_SETTING
    actions, rewards = _batches(theta, means, stds, n, [606, n])
    baselines = np.broadcast_to(rewards.mean(axis=1, keepdims=True), rewards.shape)
    target = ref.analytic_gradient(theta, means)
    estimates = _batch_estimates(theta, actions, rewards, baselines)
    assert_mc(*mean_and_se(estimates), (1 - 1 / n) * target, wrong=[target])


@pytest.mark.parametrize("rewards", [[], [1.5], np.array([]), np.array([2.0])])
def test_leave_one_out_rejects_batches_smaller_than_two(rewards):
    """leave_one_out_baseline raises ValueError for fewer than 2 rewards."""
    with pytest.raises(ValueError):
        ref.leave_one_out_baseline(rewards)


# --------------------------------------------------------------------------- numerical stability

EXTREME = [500.0, -500.0, 1000.0, -1000.0]


@pytest.mark.parametrize("theta", EXTREME)
def test_log_prob_and_score_finite_at_extreme_theta(theta):
    """log_prob and grad_log_prob are finite (no overflow) at theta = +-500, +-1000."""
    actions = np.array([0, 1, 1, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        lp = ref.log_prob(theta, actions)
        score = ref.grad_log_prob(theta, actions)
    assert np.all(np.isfinite(lp)) and np.all(np.isfinite(score))
    # the likely action has log-probability -log1p(e^-|theta|) ~ -e^-|theta|, the unlikely
    # one -|theta| - log1p(e^-|theta|) ~ -|theta|
    likely = 1 if theta > 0 else 0
    tiny = math.exp(-abs(theta))
    np.testing.assert_allclose(lp[actions == likely], -tiny, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(lp[actions != likely], -abs(theta), rtol=1e-15)
    np.testing.assert_allclose(score, actions - py_sigmoid(theta), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("theta", EXTREME)
def test_sigmoid_finite_at_extreme_theta(theta):
    """sigmoid(+-500), sigmoid(+-1000) are finite and accurate, without overflow."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = float(ref.sigmoid(theta))
    assert math.isfinite(value)
    assert math.isclose(value, py_sigmoid(theta), rel_tol=1e-12, abs_tol=1e-300)
    assert math.isclose(
        float(ref.sigmoid(-theta)), py_sigmoid(-theta), rel_tol=1e-12, abs_tol=1e-300
    )


LOG_THETAS = [float(t) for t in np.linspace(-700.0, 700.0, 281)] + [
    float(t) for t in np.random.default_rng(707).uniform(-40.0, 40.0, 200)
]


def test_log_prob_matches_math_log_of_exact_probability():
    """log_prob equals math.log(1 / (1 + exp(-+theta))) wherever that is representable."""
    compared = 0
    for theta in LOG_THETAS:
        for action, signed in ((1, theta), (0, -theta)):
            try:
                p = 1.0 / (1.0 + math.exp(-signed))
            except OverflowError:
                continue
            if p < 2.2250738585072014e-308:  # subnormal or zero: not representable accurately
                continue
            got = float(ref.log_prob(theta, action))
            assert math.isclose(got, math.log(p), rel_tol=1e-12, abs_tol=1e-15), (
                theta,
                action,
                got,
                math.log(p),
            )
            compared += 1
    assert compared >= 2 * len(LOG_THETAS) - 4


@pytest.mark.parametrize(
    "theta", EXTREME + [0.0, 1e-12, -1e-12, 0.3, -2.7, 6.0, -6.0, 30.0, -30.0, 40.0, -40.0]
)
def test_action_probabilities_sum_to_one(theta):
    """exp(log_prob(theta, 0)) + exp(log_prob(theta, 1)) == 1 (to 2 ulp)."""
    total = math.exp(float(ref.log_prob(theta, 0))) + math.exp(float(ref.log_prob(theta, 1)))
    assert abs(total - 1.0) <= 2 * 2.220446049250313e-16
    assert abs(float(ref.action_probabilities(theta).sum()) - 1.0) <= 2 * 2.220446049250313e-16


def test_action_probabilities_sum_to_one_random_thetas():
    """The two action probabilities sum to 1 within 2 ulp for 10^4 random thetas."""
    thetas = np.random.default_rng(808).uniform(-50.0, 50.0, 10_000)
    total = np.exp(ref.log_prob(thetas, np.zeros(10_000))) + np.exp(
        ref.log_prob(thetas, np.ones(10_000))
    )
    assert np.max(np.abs(total - 1.0)) <= 2 * np.finfo(np.float64).eps


# --------------------------------------------------------------------------- vectorised vs loop


def _loop_inputs():
    rng = np.random.default_rng(909)
    thetas = [0.0, 6.0, -6.0, 30.0, -30.0, 500.0, -500.0] + list(rng.uniform(-6.0, 6.0, 25))
    cases = []
    for theta in thetas:
        n = int(rng.integers(1, 40))
        cases.append(
            (
                float(theta),
                rng.integers(0, 2, size=n),
                rng.normal(1.0, 3.0, size=n),
                rng.normal(0.0, 2.0, size=n),
                float(rng.uniform(-5.0, 5.0)),
            )
        )
    return cases


LOOP_CASES = _loop_inputs()


def _assert_same(got, expected):
    got = np.asarray(got)
    assert got.shape == (len(expected),)
    for g, e in zip(got.tolist(), expected, strict=True):
        assert math.isclose(g, e, rel_tol=1e-12, abs_tol=1e-15), (g, e)


@pytest.mark.parametrize("theta, actions, rewards, baselines, b", LOOP_CASES)
def test_log_prob_matches_loop(theta, actions, rewards, baselines, b):
    """Vectorised log_prob equals a per-sample Python loop using math."""
    expected = [py_log_sigmoid(theta if a == 1 else -theta) for a in actions.tolist()]
    _assert_same(ref.log_prob(theta, actions), expected)


@pytest.mark.parametrize("theta, actions, rewards, baselines, b", LOOP_CASES)
def test_grad_log_prob_matches_loop(theta, actions, rewards, baselines, b):
    """Vectorised grad_log_prob equals a per-sample Python loop a - sigmoid(theta)."""
    s = py_sigmoid(theta)
    _assert_same(ref.grad_log_prob(theta, actions), [a - s for a in actions.tolist()])


@pytest.mark.parametrize("theta, actions, rewards, baselines, b", LOOP_CASES)
def test_reinforce_estimates_match_loop(theta, actions, rewards, baselines, b):
    """reinforce_estimates equals a Python loop with no, scalar and per-sample baselines."""
    s = py_sigmoid(theta)
    acts, rs, bs = actions.tolist(), rewards.tolist(), baselines.tolist()
    _assert_same(
        ref.reinforce_estimates(theta, actions, rewards),
        [(a - s) * r for a, r in zip(acts, rs, strict=True)],
    )
    _assert_same(
        ref.reinforce_estimates(theta, actions, rewards, b),
        [(a - s) * (r - b) for a, r in zip(acts, rs, strict=True)],
    )
    _assert_same(
        ref.reinforce_estimates(theta, actions, rewards, baselines),
        [(a - s) * (r - bi) for a, r, bi in zip(acts, rs, bs, strict=True)],
    )


@pytest.mark.parametrize("index", range(12))
def test_scalar_formulas_match_loop(index):
    """expected_reward, analytic_gradient, optimal_baseline, estimator_variance match math."""
    theta, b = LOOP_CASES[index][0], LOOP_CASES[index][4]
    rng = np.random.default_rng([1010, index])
    means, stds = random_bandit(rng)
    s, t = py_sigmoid(theta), py_sigmoid(-theta)  # t = 1 - s without cancellation
    p = [t, s]
    assert math.isclose(
        ref.expected_reward(theta, means),
        p[0] * means[0] + p[1] * means[1],
        rel_tol=1e-12,
        abs_tol=1e-15,
    )
    assert math.isclose(
        ref.analytic_gradient(theta, means),
        s * t * (means[1] - means[0]),
        rel_tol=1e-12,
        abs_tol=1e-300,
    )
    # optimal baseline from its definition b* = E[score^2 r] / E[score^2]
    score = [-s, t]
    num = math.fsum(p[a] * score[a] ** 2 * means[a] for a in (0, 1))
    den = math.fsum(p[a] * score[a] ** 2 for a in (0, 1))
    if den > 0:
        assert math.isclose(
            ref.optimal_baseline(theta, means), num / den, rel_tol=1e-9, abs_tol=1e-12
        )
    # variance from its definition: E[g^2] - E[g]^2 with g = score (r - b)
    second = math.fsum(p[a] * score[a] ** 2 * ((means[a] - b) ** 2 + stds[a] ** 2) for a in (0, 1))
    first = math.fsum(p[a] * score[a] * (means[a] - b) for a in (0, 1))
    assert math.isclose(
        ref.estimator_variance(theta, means, stds, b),
        second - first**2,
        rel_tol=1e-9,
        abs_tol=1e-15,
    )
