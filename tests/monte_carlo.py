"""Monte Carlo assertions the reference tests share: means and variances with their standard
errors, and a check that a tolerance of Z standard errors accepts the truth and rejects
given wrong values (so a test that could not fail is reported as too loose)."""

from __future__ import annotations

import math

import numpy as np

Z = 6.0  # Monte Carlo tolerance in standard errors


def mean_and_se(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Componentwise sample mean and standard error over axis 0."""
    x = np.asarray(x, dtype=np.float64)
    return x.mean(axis=0), x.std(axis=0, ddof=1) / math.sqrt(x.shape[0])


def var_and_se(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Componentwise sample variance and its standard error sqrt((m4 - s^4) / n)."""
    x = np.asarray(x, dtype=np.float64)
    centred = x - x.mean(axis=0)
    s2 = np.mean(centred**2, axis=0)
    m4 = np.mean(centred**4, axis=0)
    return x.var(axis=0, ddof=1), np.sqrt(np.maximum(m4 - s2**2, 0.0) / x.shape[0])


def assert_mc(estimate, se, target, wrong=()) -> None:
    """Every component within Z se of target; each wrong vector off by > Z se somewhere."""
    estimate, se, target = (np.asarray(v, dtype=np.float64) for v in (estimate, se, target))
    tol = Z * se
    off = np.abs(estimate - target)
    assert np.all(off <= tol), f"Monte Carlo off by {np.max(off / np.maximum(se, 1e-300)):.2f} SE"
    for value in wrong:
        assert np.any(np.abs(estimate - np.asarray(value)) > tol), (
            f"test too loose: wrong value {value} also within {Z} SE"
        )
