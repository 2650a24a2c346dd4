"""Verdicts for the ``reinforce`` assignment's autograded cells.

Each check receives the probe, the inputs rebuilt from its seed, and the decoded record
of what the student's functions returned, and compares them with ``pglab.reference``.
Where a check needs another student function's result (a baseline, say), it combines it
with the *reference* of everything else, so one mistake is charged to one cell.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence

import numpy as np

from pglab.checks import figures, stats
from pglab.checks import verdict as tail
from pglab.checks.callees import Callee, blame_callees, excused
from pglab.checks.verdict import (
    Verdict,
    failed_everywhere,  # noqa: F401 - re-exported (rewards_to_go used to import it from here)
    fmt,
)
from pglab.misconceptions.reinforce import for_function
from pglab.probes import Probe
from pglab.probes import reinforce as probes
from pglab.records import PartRecord
from pglab.reference import reinforce as ref

PARAMETERS = {
    "log_prob": ("theta", "actions"),
    "grad_log_prob": ("theta", "actions"),
    "expected_reward": ("theta", "means"),
    "analytic_gradient": ("theta", "means"),
    "reinforce_estimates": ("theta", "actions", "rewards", "baseline"),
    "estimator_variance": ("theta", "means", "stds", "baseline"),
    "optimal_baseline": ("theta", "means"),
    "leave_one_out_baseline": ("rewards",),
}


def recognise(function: str, record: PartRecord, calls: Sequence[tuple]):
    """The catalogued mistake whose imitation matches every recorded output, if any."""
    return tail.recognise(for_function(function), record, calls)


def exact(
    function: str,
    record: PartRecord,
    calls: Sequence[tuple],
    reference: Callable[..., object],
    what: str,
) -> Verdict:
    """Pass when every call agrees with the reference; otherwise diagnose (checks/verdict.py)."""
    return tail.exact(
        function, record, calls, reference, what, PARAMETERS[function], for_function(function)
    )


def _only(check: Callable[[PartRecord, list], Verdict]):
    def run(probe: Probe, inputs: list[list[tuple]], parts: list[PartRecord]) -> Verdict:
        return check(parts[0], inputs[0])

    return run


def check_log_prob(record, calls):
    return exact("log_prob", record, calls, ref.log_prob, "seeded inputs with |theta| <= 6")


def check_grad_log_prob(record, calls):
    return exact(
        "grad_log_prob", record, calls, ref.grad_log_prob, "seeded inputs with |theta| <= 6"
    )


def check_expected_reward(record, calls):
    return exact("expected_reward", record, calls, ref.expected_reward, "seeded inputs")


def check_analytic_gradient(record, calls):
    return exact("analytic_gradient", record, calls, ref.analytic_gradient, "seeded inputs")


def _with_own_score(table: np.ndarray, args: tuple) -> np.ndarray:
    """What reinforce_estimates returns when built on the given score table."""
    theta, actions, rewards, *rest = args
    baseline = np.asarray(rest[0] if rest else 0.0, dtype=np.float64)
    return table[np.asarray(actions, dtype=np.int64)] * (np.asarray(rewards) - baseline)


def _variance_from(args: tuple, values) -> float:
    theta, means, stds, *rest = args
    baseline = rest[0] if rest else 0.0
    p, score = np.exp(values["log_prob"]), values["grad_log_prob"]
    noise = (np.asarray(means) - baseline) ** 2 + np.asarray(stds) ** 2
    return float(np.sum(p * score**2 * noise) - values["analytic_gradient"] ** 2)


def _baseline_from(args: tuple, values) -> float:
    theta, means = args
    weights = np.exp(values["log_prob"]) * values["grad_log_prob"] ** 2
    return float(np.sum(weights * np.asarray(means)) / np.sum(weights))


def exact_unless_callees_explain(
    function: str,
    inputs: list[list[tuple]],
    parts: list[PartRecord],
    probe: Probe,
    reference: Callable[..., object],
    formula,
    what: str,
) -> Verdict:
    """Exact check of part 0; if it fails, excuse it when the student's own helpers (the
    probe's other parts) fully explain the difference (see checks/callees.py)."""
    verdict = exact(function, parts[0], inputs[0], reference, what)
    if verdict.passed:
        return verdict
    helpers = [
        Callee(part.function, record, calls, getattr(ref, part.function))
        for part, record, calls in zip(probe.parts[1:], parts[1:], inputs[1:], strict=True)
    ]
    blame = blame_callees(parts[0], inputs[0], helpers, formula, function)
    return excused(function, blame, verdict) if blame else verdict


def check_reinforce_exact(probe: Probe, inputs: list[list[tuple]], parts: list[PartRecord]):
    return exact_unless_callees_explain(
        "reinforce_estimates",
        inputs,
        parts,
        probe,
        ref.reinforce_estimates,
        lambda args, values: _with_own_score(values["grad_log_prob"], args),
        "seeded batches (no baseline, a constant one, and one per sample)",
    )


def check_estimator_variance(probe: Probe, inputs: list[list[tuple]], parts: list[PartRecord]):
    return exact_unless_callees_explain(
        "estimator_variance",
        inputs,
        parts,
        probe,
        ref.estimator_variance,
        _variance_from,
        "seeded inputs",
    )


def check_reinforce_unbiased(probe: Probe, inputs: list[list[tuple]], parts: list[PartRecord]):
    """Mean of the student's estimates over 10^6 samples against dJ/dtheta (Hoeffding test)."""
    record, own_scores = parts
    settings = probes.settings_of(probes._pglab_unbiased_samples)
    theta, means, stds, n = settings["theta"], settings["means"], settings["stds"], settings["n"]
    out = record.outputs[0]
    # Right for the student's own score table (recorded at the same theta)?  The same
    # rules as every excuse: a zero or non-finite table explains nothing by value.
    helper = Callee("grad_log_prob", own_scores, inputs[1], ref.grad_log_prob)
    blame = blame_callees(
        record,
        inputs[0],
        [helper],
        lambda args, values: _with_own_score(np.reshape(values["grad_log_prob"], (2,)), args),
        "reinforce_estimates",
    )

    def unless_excused(verdict: Verdict) -> Verdict:
        if blame is None:
            return verdict
        return excused("reinforce_estimates", blame, verdict, verdict.details, verdict.figure)

    if out is None:
        error = record.first_error()
        reason = f"{error.type}: {tail.cut(error.message)}" if error else "an error"
        return unless_excused(
            Verdict(False, f"reinforce_estimates raised {reason} on a batch of {n:,} samples.")
        )
    if out.size != n:
        return Verdict(
            False,
            f"reinforce_estimates returned {out.size:,} value(s) for {n:,} samples; "
            "it must return one estimate per sample.",
            misconception="reinforce.batch_mean" if out.size == 1 else None,
        )
    if not np.all(np.isfinite(out)):
        return unless_excused(Verdict(False, "Some of your estimates are not finite (nan or inf)."))
    target = ref.analytic_gradient(theta, means)
    scores = np.array([-float(ref.sigmoid(theta)), float(ref.sigmoid(-theta))])
    proxy = stats.score_estimate_proxy(
        ref.action_probabilities(theta), scores, np.asarray(means), np.asarray(stds), 0.0
    )
    test = stats.mean_test(out, target, proxy)
    figure = figures.running_mean(
        out, target, lambda k: stats.hoeffding_radius(proxy, k), "running mean of your estimates"
    )
    numbers = (
        f"Over {n:,} samples at theta = {theta}, the mean of your estimates is {test.mean:.5f}; "
        f"dJ/dtheta = {target:.5f}. A correct estimator lands within +-{test.radius:.4f} "
        f"(probability of a false alarm below {stats.FALSE_FAIL:g})."
    )
    if test.passed:
        return Verdict(True, "Your REINFORCE estimator is unbiased.", (numbers,), figure=figure)
    if abs(test.mean + target) < test.radius:
        verdict = Verdict(
            False,
            "Your estimates average to -dJ/dtheta: the estimator has the wrong "
            "sign. Check the score function and the order of (r - b).",
            (numbers,),
            "reinforce.sign",
            figure,
        )
    else:
        verdict = Verdict(
            False,
            "Your REINFORCE estimator is biased: its average is not dJ/dtheta.",
            (numbers,),
            figure=figure,
        )
    return unless_excused(verdict)


def check_optimal_baseline(probe: Probe, inputs: list[list[tuple]], parts: list[PartRecord]):
    """Exact b*, and the dual path: with it, simulated variance falls below the no-baseline
    variance and both simulated variances match the exact formula."""
    record, calls = parts[0], inputs[0]
    verdict = exact_unless_callees_explain(
        "optimal_baseline",
        inputs,
        parts,
        probe,
        ref.optimal_baseline,
        _baseline_from,
        "seeded inputs",
    )
    lines, confirmed = _variance_reduction(record, calls)
    exact_pass = verdict.passed and verdict.summary.startswith("optimal_baseline is correct")
    if exact_pass and not confirmed:
        return Verdict(
            False,
            "With your baseline the simulated variance does not fall below the no-baseline "
            "variance, or does not match the exact formula.",
            tuple(lines),
        )
    return dataclasses.replace(verdict, details=verdict.details + tuple(lines))


def _variance_reduction(record: PartRecord, calls: list[tuple]) -> tuple[list[str], bool]:
    """Dual path at one setting: simulated variance with the student's baseline against the
    exact formula, and against no baseline. Returns the explanation and whether it holds.

    Each simulated variance must lie within ``stats.sample_variance_radius`` (false fail at
    most FALSE_FAIL / 2 each) of the exact one, and the student's must be the smaller.
    """
    index = next(i for i, args in enumerate(calls) if args[0] == 3.0)
    theta, means = calls[index]
    out = record.outputs[index]
    if out is None or out.size != 1 or not np.isfinite(out).all():
        return [], False
    baseline = float(out.ravel()[0])
    stds = np.array([1.0, 1.0])
    actions, rewards = ref.sample_bandit(theta, means, stds, 200_000, np.random.default_rng(7))
    probs = ref.action_probabilities(theta)
    scores = np.array([-float(ref.sigmoid(theta)), float(ref.sigmoid(-theta))])
    agree = True
    simulated, exact_values, radii = [], [], []
    for b in (0.0, baseline):
        estimates = ref.reinforce_estimates(theta, actions, rewards, b)
        variance = float(np.var(estimates))
        exact_value = ref.estimator_variance(theta, means, stds, b)
        centres = scores * (np.asarray(means) - b)
        proxy = stats.score_estimate_proxy(probs, scores, np.asarray(means), stds, b)
        radius = stats.sample_variance_radius(
            actions, probs, centres, np.abs(scores) * stds, proxy, stats.FALSE_FAIL / 2
        )
        agree &= abs(variance - exact_value) < radius
        simulated.append(variance)
        exact_values.append(exact_value)
        radii.append(radius)
    reduced = simulated[1] < simulated[0]
    best = ref.estimator_variance(theta, means, stds, ref.optimal_baseline(theta, means))
    line = (
        f"At theta = {theta}, means = {fmt(list(means))}, stds = [1, 1] your baseline "
        f"b = {baseline:.5g} gives a per-sample variance of {exact_values[1]:.5g} "
        f"(simulated: {simulated[1]:.5g}, +-{radii[1]:.2g}) against {exact_values[0]:.5g} "
        f"without a baseline (simulated: {simulated[0]:.5g}, +-{radii[0]:.2g}); "
        f"the smallest possible is {best:.5g}."
    )
    return [line], reduced and agree


@functools.cache
def _loo_batches_by_size(seed: int, stream: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The hidden unbiasedness batches of ``_pglab_loo_batches`` (the probe's second part
    calls the student on their rewards), as one (actions, rewards) pair of read-only
    ``(per_size, size)`` arrays per batch size: built once per process, like the judge's
    inputs, instead of stacking 60,000 small arrays for every notebook."""
    settings = probes.settings_of(probes._pglab_loo_batches)
    per_size = settings["per_size"]
    batches = probes._pglab_loo_batches(np.random.default_rng([seed, stream]))
    by_size = []
    for k in range(len(settings["sizes"])):
        chunk = batches[k * per_size : (k + 1) * per_size]
        arrays = (np.stack([a for a, _ in chunk]), np.stack([r for _, r in chunk]))
        for array in arrays:
            array.setflags(write=False)
        by_size.append(arrays)
    return tuple(by_size)


def check_leave_one_out(probe: Probe, inputs: list[list[tuple]], parts: list[PartRecord]):
    """Exact per-sample values, and unbiasedness of the estimator at batch sizes 2 to 4."""
    verdict = exact(
        "leave_one_out_baseline",
        parts[0],
        inputs[0],
        ref.leave_one_out_baseline,
        "seeded batches of 2 to 10 rewards",
    )
    settings = probes.settings_of(probes._pglab_loo_batches)
    theta, means, stds = settings["theta"], settings["means"], settings["stds"]
    sizes, per_size = settings["sizes"], settings["per_size"]
    batches = _loo_batches_by_size(probe.seed, probe.streams()[1])
    baselines_by_size = [
        parts[1].rows(k * per_size, (k + 1) * per_size, size) for k, size in enumerate(sizes)
    ]
    if any(rows is None for rows in baselines_by_size):
        if not verdict.passed:
            return verdict
        return Verdict(False, "leave_one_out_baseline failed on some batches of 2 to 4 rewards.")
    target = ref.analytic_gradient(theta, means)
    scores = np.array([-float(ref.sigmoid(theta)), float(ref.sigmoid(-theta))])
    lines, tests = [], []
    for size, (actions, rewards), baselines in zip(sizes, batches, baselines_by_size, strict=True):
        estimates = ref.reinforce_estimates(theta, actions, rewards, baselines)
        proxy = stats.leave_one_out_batch_proxy(size, scores, np.asarray(means), np.asarray(stds))
        # the cell passes only if every size passes: a union bound keeps it at FALSE_FAIL
        test = stats.mean_test(
            estimates.mean(axis=1), target, proxy, delta=stats.FALSE_FAIL / len(sizes)
        )
        tests.append(test)
        lines.append(
            f"Batch size {size}: REINFORCE with your baseline averages {test.mean:.4f}; "
            f"dJ/dtheta = {target:.4f} (a correct baseline lands within +-{test.radius:.3f}): "
            f"{'unbiased' if test.passed else 'BIASED'}."
        )
    figure = figures.batch_means(sizes, [t.mean for t in tests], [t.radius for t in tests], target)
    unbiased = all(t.passed for t in tests)
    if not verdict.passed:
        return Verdict(
            False, verdict.summary, verdict.details + tuple(lines), verdict.misconception, figure
        )
    if unbiased:
        summary = "leave_one_out_baseline is correct and keeps REINFORCE unbiased."
        return Verdict(True, summary, tuple(lines), figure=figure)
    return Verdict(False, "With your baseline the estimator is biased.", tuple(lines), None, figure)


def check_numerical_stability(probe: Probe, inputs: list[list[tuple]], parts: list[PartRecord]):
    verdicts = [
        exact(part.function, part, calls, reference, "extreme thetas (|theta| up to 1000)")
        for part, calls, reference in zip(
            parts, inputs, (ref.log_prob, ref.grad_log_prob), strict=True
        )
    ]
    failed = [(v, part) for v, part in zip(verdicts, parts, strict=True) if not v.passed]
    if not failed:
        return Verdict(
            True, "log_prob and grad_log_prob are finite and accurate up to |theta| = 1000."
        )
    first, part = failed[0]
    summary = _stability_summary(first, raised_everywhere=all(o is None for o in part.outputs))
    details = tuple(line for v, _ in failed for line in (v.summary, *v.details))
    if summary.endswith(first.summary):  # said once
        details = details[1:]
    return Verdict(False, summary, details, first.misconception)


def _stability_summary(first: Verdict, raised_everywhere: bool) -> str:
    """ "Not numerically stable" only for a stability problem: a mistake that is wrong at every
    theta (a sign error, swapped actions...) is named as that mistake, which also costs this
    cell (the cell asks for the right values at large |theta|; docs/grading.md), and a
    function that raised on every call (not written yet, misnamed) is said to be so."""
    if raised_everywhere:
        return first.summary
    if first.misconception and not first.misconception.endswith(".unstable"):
        return (
            "Wrong at large |theta| too, for the same reason as in its own cell (not a "
            f"stability problem): {first.summary}"
        )
    if any("opposite sign" in line for line in first.details):
        return (
            "Wrong at large |theta| too: the values have the opposite sign (a sign error, "
            f"not a stability problem). {first.summary}"
        )
    return "Not numerically stable for large |theta|."


CHECKS = {
    "test_log_prob": _only(check_log_prob),
    "test_grad_log_prob": _only(check_grad_log_prob),
    "test_expected_reward": _only(check_expected_reward),
    "test_analytic_gradient": _only(check_analytic_gradient),
    "test_reinforce_exact": check_reinforce_exact,
    "test_reinforce_unbiased": check_reinforce_unbiased,
    "test_estimator_variance": check_estimator_variance,
    "test_optimal_baseline": check_optimal_baseline,
    "test_leave_one_out": check_leave_one_out,
    "test_numerical_stability": check_numerical_stability,
}
