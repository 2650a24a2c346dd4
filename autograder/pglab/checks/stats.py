"""Statistical tests behind the Monte Carlo checks (derivations in docs/grading.md).

The mean test is exact, not asymptotic: each per-sample (or per-batch) estimate of a
correct solution is sub-Gaussian with a variance proxy we can bound from the experiment's
parameters, so Hoeffding's inequality gives

    P(|mean - mu| >= t) <= 2 exp(-N t^2 / (2 proxy))        for N independent samples.

Solving for t at a chosen false-fail probability delta gives the acceptance radius.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Probability that a correct submission fails one statistical check.
FALSE_FAIL = 1e-9
#: Probability with which a deviation at least ``detectable`` is caught.
POWER = 0.999


def hoeffding_radius(proxy: float, n: int, delta: float = FALSE_FAIL) -> float:
    """t such that a sub-Gaussian mean of n samples strays t or more with probability <= delta."""
    return math.sqrt(2.0 * proxy * math.log(2.0 / delta) / n)


@dataclass(frozen=True)
class MeanTest:
    """Outcome of comparing a sample mean with the value it should have."""

    mean: float
    target: float
    radius: float
    detectable: float
    n: int
    delta: float = FALSE_FAIL  # the false-fail probability the radius was computed for

    @property
    def passed(self) -> bool:
        return abs(self.mean - self.target) < self.radius


def mean_test(
    samples: np.ndarray, target: float, proxy: float, delta: float = FALSE_FAIL
) -> MeanTest:
    """Accept iff |mean(samples) - target| < Hoeffding radius at ``delta``. A check that
    runs k such tests and passes only if all pass gives each delta = FALSE_FAIL / k, so that
    the check as a whole fails a correct submission with probability at most FALSE_FAIL.

    ``detectable`` is the smallest bias caught with probability POWER by an estimator whose
    noise has the same proxy: radius + sqrt(2 proxy log(2 / (1 - POWER)) / n).
    """
    samples = np.asarray(samples, dtype=np.float64)
    n = samples.size
    radius = hoeffding_radius(proxy, n, delta=delta)
    detectable = radius + hoeffding_radius(proxy, n, delta=1.0 - POWER)
    return MeanTest(float(samples.mean()), float(target), radius, detectable, n, delta)


def range_mean_radius(spread, n: int, delta: float = FALSE_FAIL):
    """t with P(|mean - mu| >= t) <= delta for the mean of n i.i.d. values that lie in an
    interval of length ``spread``: Hoeffding's lemma gives the proxy spread^2 / 4, so
    t = spread sqrt(log(2 / delta) / (2 n)). Elementwise for an array of spreads."""
    return np.asarray(spread, dtype=np.float64) * math.sqrt(math.log(2.0 / delta) / (2.0 * n))


def range_sd_radius(spread, n: int, delta: float = FALSE_FAIL):
    """t with P(|s - sigma| >= t) <= delta, s the sample standard deviation (ddof = 1) of n
    i.i.d. values in an interval of length ``spread`` and sigma their standard deviation:
    Maurer and Pontil (2009, Theorem 10), each side at delta / 2, scaled from [0, 1], so
    t = spread sqrt(2 log(2 / delta) / (n - 1)). Elementwise for an array of spreads."""
    return np.asarray(spread, dtype=np.float64) * math.sqrt(2.0 * math.log(2.0 / delta) / (n - 1))


def score_estimate_proxy(
    probs: np.ndarray, scores: np.ndarray, means: np.ndarray, stds: np.ndarray, baseline: float
) -> float:
    """Variance proxy of g = score(a) (r - b) with a ~ probs, r | a ~ N(means[a], stds[a]^2).

    Conditional on a, g is Gaussian with variance score_a^2 sd_a^2; its conditional mean
    c_a = score_a (m_a - b) takes values in an interval of length R.  Hoeffding's lemma
    bounds the second layer, so proxy = max_a score_a^2 sd_a^2 + R^2 / 4.
    """
    del probs  # the bound holds for any action distribution
    centres = scores * (means - baseline)
    return float(np.max(scores**2 * stds**2) + np.ptp(centres) ** 2 / 4.0)


def leave_one_out_batch_proxy(
    batch_size: int, scores: np.ndarray, means: np.ndarray, stds: np.ndarray
) -> float:
    """Variance proxy of one batch's average estimate with leave-one-out baselines.

    G = (1/n) sum_i score_i (r_i - mean_{j != i} r_j).  Given the actions, the noise
    coefficient of each r_k is at most 2 max|score| sd_max / n, so the Gaussian part has
    variance <= 4 max|score|^2 sd_max^2 / n; the action-dependent part lies within
    +-max|score| (max m - min m), an interval of length 2D, adding D^2.
    """
    top_score = float(np.max(np.abs(scores)))
    gaussian = 4.0 * top_score**2 * float(np.max(stds)) ** 2 / batch_size
    spread = top_score * float(np.ptp(means))
    return gaussian + spread**2


def sample_variance_radius(
    actions: np.ndarray,
    probs: np.ndarray,
    centres: np.ndarray,
    noise_sds: np.ndarray,
    mean_proxy: float,
    delta: float = FALSE_FAIL,
) -> float:
    """t with P(|sample variance - Var[g]| >= t) <= delta for g_i = centres[a_i] + noise_sds[a_i]
    eps_i, a_i i.i.d. ~ probs, eps_i i.i.d. N(0, 1) (derivation in docs/grading.md).

    With mu = E[g], e_a = centres[a] - mu, d_a = noise_sds[a] and S = (1/n) sum (g_i - mu)^2,
    the sample variance is S - (mean - mu)^2 and S - Var[g] = A + B + C:

    - A = (1/n) sum (e_i^2 + d_i^2) - Var[g]: i.i.d., bounded, Hoeffding;
    - B = (2/n) sum e_i d_i eps_i: given the actions, Gaussian, variance (4/n^2) sum e_i^2 d_i^2;
    - C = (1/n) sum d_i^2 (eps_i^2 - 1): given the actions, Laurent and Massart (2000):
      P(C >= 2 |w|_2 sqrt(x) + 2 |w|_inf x) <= e^-x and P(C <= -2 |w|_2 sqrt(x)) <= e^-x,
      w_i = d_i^2 / n;
    - (mean - mu)^2 <= hoeffding_radius(mean_proxy)^2.

    Each of the four is held to delta / 4. A bound that holds given every action sequence
    holds overall.
    """
    n = actions.size
    x = math.log(2.0 / (delta / 4.0))  # two-sided, delta / 4 per part
    mu = float(np.sum(probs * centres))
    e, d = centres - mu, noise_sds
    counts = np.bincount(actions, minlength=len(centres))
    part_a = float(np.ptp(e**2 + d**2)) * math.sqrt(x / (2.0 * n))
    part_b = math.sqrt(2.0 * 4.0 * float(np.sum(counts * (e * d) ** 2)) / n**2 * x)
    part_c = 2.0 * math.sqrt(float(np.sum(counts * d**4))) / n * math.sqrt(x)
    part_c += 2.0 * float(np.max(d**2)) / n * x
    part_mean = hoeffding_radius(mean_proxy, n, delta / 4.0) ** 2
    return part_a + part_b + part_c + part_mean
