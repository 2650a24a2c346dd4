"""Verdicts for the ``rewards_to_go`` assignment's autograded cells (docs/grading.md).

Exact checks compare every recorded output with ``reference.rewards_to_go`` (same tolerance
as ``reinforce``).  Where the probe also recorded the student's own callees (their softmax,
step scores, rewards-to-go, ...), a function that is right for the callees the student
wrote is not charged again (``checks/callees.py``).

The estimator cells also call each estimator on *every* trajectory of two enumerable tasks;
weighting the outputs by p(tau) gives E[g] exactly, which must equal grad J.

The two dual-path cells take the three estimators' outputs on every trajectory of the
default chain at theta = 0 and (a) draw N = 10^6 episodes from the reference sampler and
average the student's per-trajectory estimates (Hoeffding per component), (b) compare the
exact variances by enumeration and the simulated standard deviations (Maurer and Pontil
2009, Thm 10) and require total return > rewards-to-go > rewards-to-go - V_t(s_t).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np

from pglab.checks import figures, stats
from pglab.checks import verdict as tail
from pglab.checks.callees import Blame, Callee, blame_callees, excused, own_cell
from pglab.checks.verdict import ATOL, RTOL, Verdict, agrees
from pglab.misconceptions.rewards_to_go import for_function
from pglab.probes import Probe
from pglab.probes import rewards_to_go as probes
from pglab.probes.reinforce import settings_of
from pglab.records import PartRecord
from pglab.reference import rewards_to_go as ref

PARAMETERS = {
    "softmax": ("theta",),
    "log_softmax": ("theta",),
    "grad_log_softmax": ("theta", "actions"),
    "expected_reward": ("theta", "means"),
    "exact_gradient": ("theta", "means"),
    "reinforce_estimates": ("theta", "actions", "rewards", "baseline"),
    "discounted_returns": ("rewards", "gamma"),
    "rewards_to_go": ("rewards", "gamma"),
    "step_scores": ("theta", "states", "actions"),
    "reinforce_total_return": ("theta", "states", "actions", "rewards", "gamma"),
    "reinforce_rewards_to_go": ("theta", "states", "actions", "rewards", "gamma", "baseline"),
    "state_values": ("theta", "mdp"),
    "reinforce_value_baseline": ("theta", "states", "actions", "rewards", "gamma", "values"),
}

ESTIMATORS = ("reinforce_total_return", "reinforce_rewards_to_go", "reinforce_value_baseline")
LABELS = {
    "reinforce_total_return": "total return",
    "reinforce_rewards_to_go": "rewards-to-go",
    "reinforce_value_baseline": "rewards-to-go - V_t(s_t)",
}
#: Episodes the dual-path cells draw (from the reference sampler, seeded by the probe).
EPISODES = 10**6
#: The dual-path cells test 3 estimators x 6 components: a union bound over 18 events.
DELTA = stats.FALSE_FAIL / 18
#: The seed of the dual-path episodes (that of the first dual-path probe).
SAMPLE_SEED = next(p.seed for p in probes.PROBES if p.name == "test_estimators_unbiased")


def recognise(function: str, record: PartRecord, calls: Sequence[tuple]):
    """The catalogued mistake whose imitation matches every recorded output, if any."""
    return tail.recognise(for_function(function), record, calls)


def exact(
    function: str,
    record: PartRecord,
    calls: Sequence[tuple],
    what: str,
    reference: Callable[..., object] | None = None,
) -> Verdict:
    """Pass when every call agrees with the reference; otherwise diagnose (checks/verdict.py)."""
    reference = reference or getattr(ref, function)
    return tail.exact(
        function, record, calls, reference, what, PARAMETERS[function], for_function(function)
    )


# --------------------------------------------------------------------------- callee formulas
# Each returns what the function computes from the student's callee values (``values``).


def _pi(args, values):
    return np.reshape(values["softmax"], np.shape(args[0]))


def _grad_log_softmax_from(args, values):
    pi = _pi(args, values)
    return np.eye(pi.size)[np.asarray(args[1], dtype=np.int64)] - pi


def _expected_reward_from(args, values):
    return float(_pi(args, values) @ np.asarray(args[1], dtype=np.float64))


def _exact_gradient_from(args, values):
    pi, means = _pi(args, values), np.asarray(args[1], dtype=np.float64)
    return pi * (means - pi @ means)


def _estimates_from(args, values):
    theta, actions, rewards, *rest = args
    k = np.size(theta)
    table = np.reshape(values["grad_log_softmax"], (k, k))
    centred = np.asarray(rewards) - np.asarray(rest[0] if rest else 0.0)
    return table[np.asarray(actions, dtype=np.int64)] * centred[:, None]


def _step_scores_from(args, values):
    theta, states, actions = args
    S, A = np.shape(theta)
    states, actions = np.asarray(states), np.asarray(actions)
    n, T = states.shape
    pi = _pi(args, values)
    out = np.zeros((n, T, S, A))
    out[np.arange(n)[:, None], np.arange(T)[None, :], states] = np.eye(A)[actions] - pi[states]
    return out


def _scores(args, values):
    theta, states = args[0], np.asarray(args[1])
    return np.reshape(values["step_scores"], states.shape + np.shape(theta))


def _total_return_from(args, values):
    n = np.shape(args[1])[0]
    returns = np.reshape(values["discounted_returns"], (n,))
    return _scores(args, values).sum(axis=1) * returns[:, None, None]


def _rewards_to_go_from(args, values):
    theta, states, actions, rewards, gamma, *rest = args
    togo = np.reshape(values["rewards_to_go"], np.shape(rewards))
    weights = float(gamma) ** np.arange(np.shape(rewards)[1]) * (
        togo - np.asarray(rest[0] if rest else 0.0)
    )
    return np.einsum("nt,ntsa->nsa", weights, _scores(args, values))


def _state_values_from(args, values):
    theta, mdp = args
    pi = _pi(args, values)
    out = np.zeros((mdp.horizon + 1, mdp.n_states))
    for t in range(mdp.horizon - 1, -1, -1):
        out[t] = (pi * (mdp.R + mdp.gamma * mdp.P @ out[t + 1])).sum(axis=-1)
    return out[: mdp.horizon]


def _value_baseline_from(args, values):
    return values["reinforce_rewards_to_go"]


FORMULAS = {
    "grad_log_softmax": _grad_log_softmax_from,
    "expected_reward": _expected_reward_from,
    "exact_gradient": _exact_gradient_from,
    "reinforce_estimates": _estimates_from,
    "step_scores": _step_scores_from,
    "reinforce_total_return": _total_return_from,
    "reinforce_rewards_to_go": _rewards_to_go_from,
    "state_values": _state_values_from,
    "reinforce_value_baseline": _value_baseline_from,
}


def _callees(probe: Probe, inputs, parts, indices: Sequence[int]) -> list[Callee]:
    return [
        Callee(probe.parts[i].function, parts[i], inputs[i], getattr(ref, probe.parts[i].function))
        for i in indices
    ]


def _blamed(function, record, calls, callees) -> Blame | None:
    if not callees:
        return None
    formula = FORMULAS[function]

    def guarded(args, values):
        try:  # a callee of the wrong shape cannot explain anything
            return formula(args, values)
        except (ValueError, IndexError, TypeError):
            return np.full(1, np.nan)

    return blame_callees(record, calls, callees, guarded, function)


def exact_or_callees(function: str, probe: Probe, inputs, parts, what: str) -> Verdict:
    """Exact check of part 0, excused when the student's own callees (the parts recorded on
    the same inputs right after it) explain the difference."""
    group = [i for i in range(1, len(parts)) if probe.streams()[i] == probe.streams()[0]]
    verdict = exact(function, parts[0], inputs[0], what)
    if verdict.passed:
        return verdict
    blame = _blamed(function, parts[0], inputs[0], _callees(probe, inputs, parts, group))
    return excused(function, blame, verdict) if blame else verdict


def _only(function: str, what: str):
    def run(probe: Probe, inputs, parts) -> Verdict:
        return exact_or_callees(function, probe, inputs, parts, what)

    return run


# --------------------------------------------------------------------------- enumeration


def trajectory_probabilities(theta, mdp, states, actions) -> np.ndarray:
    """p(tau) of each given trajectory under softmax(theta) in mdp."""
    pi = ref.softmax(theta)
    probs = mdp.init[states[:, 0]] * np.prod(pi[states, actions], axis=1)
    return probs * np.prod(mdp.P[states[:, :-1], actions[:, :-1], states[:, 1:]], axis=1)


def _as_estimates(out: np.ndarray | None, shape: tuple) -> np.ndarray | None:
    if out is None or out.size != math.prod(shape) or not np.all(np.isfinite(out)):
        return None
    return out.reshape(shape)


def check_estimator(function: str, what: str):
    """Exact on random batches, then exactly unbiased over every trajectory of two tasks."""

    def run(probe: Probe, inputs, parts) -> Verdict:
        streams = probe.streams()
        enum_start = next(i for i, s in enumerate(streams) if s != streams[0])
        verdict = exact_or_callees(function, probe, inputs[:enum_start], parts[:enum_start], what)
        if not verdict.passed:
            return verdict
        # An excuse from the random batches must hold over every trajectory too: there the
        # outputs must be unbiased, or right for the same helpers again.
        record, calls = parts[enum_start], inputs[enum_start]
        callees = _callees(probe, inputs, parts, range(enum_start + 1, len(parts)))
        cases = probes._pglab_enumeration_cases(np.random.default_rng([probe.seed, 100]))
        lines, unbiased = [], True
        for index, ((theta, mdp), args, out) in enumerate(
            zip(cases, calls, record.outputs, strict=True)
        ):
            states, actions = args[1], args[2]
            g = _as_estimates(out, (states.shape[0], *np.shape(theta)))
            if g is None:
                failure = Verdict(
                    False,
                    f"{function} fails on the batch of all {states.shape[0]} trajectories of "
                    f"task {index + 1} (an error, a wrong shape, or values that are not finite).",
                )
                blame = _blamed(function, record, calls, callees)
                if blame and verdict.excused_by and set(blame.names) <= set(verdict.excused_by):
                    return _combine(function, verdict, blame, failure, ())
                return failure
            mean = np.einsum("m,msa->sa", trajectory_probabilities(theta, mdp, states, actions), g)
            target = ref.exact_policy_gradient(theta, ref_mdp(mdp))
            ok = agrees(mean.ravel(), target.ravel())
            unbiased &= ok
            lines.append(
                f"Task {index + 1} ({mdp.n_states} states, {mdp.n_actions} actions, "
                f"T = {mdp.horizon}, gamma = {mdp.gamma:g}): over all {states.shape[0]} "
                f"trajectories, E[g] = sum_tau p(tau) g(tau) "
                f"{'equals' if ok else 'differs from'} grad J (largest difference "
                f"{float(np.max(np.abs(mean - target))):.3g})."
            )
        biased = Verdict(
            False, f"{function} is biased: its exact mean is not grad J.", tuple(lines)
        )
        if unbiased and not verdict.excused_by:
            return Verdict(True, f"{verdict.summary} It is exactly unbiased.", tuple(lines))
        blame = _blamed(function, record, calls, callees)
        if unbiased and verdict.excused_by:
            return dataclasses.replace(verdict, details=verdict.details + tuple(lines))
        if blame and (not verdict.excused_by or set(blame.names) <= set(verdict.excused_by)):
            return _combine(function, verdict, blame, biased, tuple(lines))
        if verdict.excused_by:
            return dataclasses.replace(verdict.unexcused or biased, details=tuple(lines))
        return biased

    return run


def _combine(function, verdict: Verdict, blame: Blame, failure: Verdict, lines) -> Verdict:
    """An excuse over the random batches (``verdict``, maybe none) and one over every
    trajectory (``blame``): the caller stays excused if both hold."""
    if verdict.excused_by:
        names = tuple(sorted(set(verdict.excused_by) | set(blame.names)))
        both = Blame(names, blame.informative, blame.through_errors)
        return excused(
            function,
            both,
            verdict.unexcused or failure,
            (*verdict.details, *lines),
            unverified=verdict.unverified and blame.unverified,
        )
    return excused(function, blame, failure, lines)


def ref_mdp(mdp) -> ref.EpisodicMDP:
    return ref.EpisodicMDP(mdp.P, mdp.R, mdp.init, mdp.horizon, mdp.gamma)


# --------------------------------------------------------------------------- bandit Monte Carlo


def check_reinforce_unbiased(probe: Probe, inputs, parts) -> Verdict:
    """Per-arm mean of the student's estimates over the probe's samples against the exact
    gradient (Hoeffding, union bound over the K components)."""
    record, own_scores = parts
    theta, actions, rewards = inputs[0][0]
    settings = settings_of(probes._pglab_bandit_samples)
    means, stds, n = np.asarray(settings["means"]), np.asarray(settings["stds"]), settings["n"]
    k = theta.size
    out = record.outputs[0]
    # Right for the student's own score table at the same theta?  (checks/callees.py rules)
    helper = Callee("grad_log_softmax", own_scores, inputs[1], ref.grad_log_softmax)
    blame = blame_callees(record, inputs[0], [helper], _estimates_from, "reinforce_estimates")

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
    if out.size != n * k:
        return Verdict(
            False,
            f"reinforce_estimates returned {out.size:,} value(s) for {n:,} samples of {k} arms; "
            f"it must return one row of {k} per sample, shape ({n}, {k}).",
            misconception="reinforce.batch_mean" if out.size == k else None,
        )
    if not np.all(np.isfinite(out)):
        return unless_excused(Verdict(False, "Some of your estimates are not finite (nan or inf)."))
    g = out.reshape(n, k)
    target = ref.exact_gradient(theta, means)
    pi = ref.softmax(theta)
    tests = []
    for j in range(k):
        scores = (np.arange(k) == j) - pi[j]
        proxy = stats.score_estimate_proxy(pi, scores, means, stds, 0.0)
        radius = stats.hoeffding_radius(proxy, n, stats.FALSE_FAIL / k)
        tests.append((float(g[:, j].mean()), float(target[j]), radius))
    passed = all(abs(m - t) < r for m, t, r in tests)
    numbers = tuple(
        f"Arm {j}: the mean of your estimates is {m:.5f}; the exact gradient is {t:.5f} "
        f"(a correct estimator lands within +-{r:.4f})."
        for j, (m, t, r) in enumerate(tests)
    )
    figure = figures.component_means(
        [f"arm {j}" for j in range(k)], {"your estimates": tests}, "REINFORCE, bandit"
    )
    note = f"Over {n:,} samples; false alarm below {stats.FALSE_FAIL:g}."
    if passed:
        return Verdict(
            True, "Your REINFORCE estimator is unbiased.", (note, *numbers), figure=figure
        )
    if all(abs(m + t) < r for m, t, r in tests):
        verdict = Verdict(
            False,
            "Your estimates average to -grad J: the estimator has the wrong sign.",
            (note, *numbers),
            "reinforce.sign",
            figure,
        )
    else:
        verdict = Verdict(
            False,
            "Your REINFORCE estimator is biased: its average is not the exact gradient.",
            (note, *numbers),
            figure=figure,
        )
    return unless_excused(verdict)


# --------------------------------------------------------------------------- dual path

_DUAL_CALLEES = {
    "reinforce_total_return": (3, 4),  # step_scores, discounted_returns
    "reinforce_rewards_to_go": (3, 5),  # step_scores, rewards_to_go
    "reinforce_value_baseline": (6,),  # reinforce_rewards_to_go with V_t(s_t)
}


def _dual_estimates(probe: Probe, inputs, parts):
    """Per estimator: the student's own (M, S, A) outputs on every trajectory, or a failing
    Verdict; and notes naming the wrong helpers that explain an estimator's wrong outputs
    (never the reference's outputs in its place: these cells judge the student's estimators
    as they are, see docs/grading.md)."""
    outcome, notes, skipped, explained = {}, [], [], []
    for index, function in enumerate(ESTIMATORS):
        args, record = inputs[index][0], parts[index]
        theta, states = args[0], args[1]
        shape = (states.shape[0], *np.shape(theta))
        expected = getattr(ref, function)(*args)
        g = _as_estimates(record.outputs[0], shape)
        if g is not None and agrees(g, expected):
            outcome[function] = g
            explained.append(function)
            continue
        callees = _callees(probe, inputs, parts, _DUAL_CALLEES[function])
        blame = _blamed(function, record, inputs[index], callees)
        if blame and not blame.unverified:
            explained.append(function)
        if blame:
            names = " and ".join(blame.names)
            cells = ", ".join("test_" + name for name in blame.names)
            notes.append(
                f"{function} follows the {names} you wrote, which "
                f"{'is' if len(blame.names) == 1 else 'are'} wrong (see {cells}): this cell "
                "checks your estimators as they are, so that mistake shows here too."
            )
        if g is None and blame and blame.unverified:
            # it raised (or is not finite) exactly as the helper did: nothing of its own to
            # judge here; the helper's cell pays, and the TA is told (checks/attribution.py)
            skipped.extend(n for n in blame.names if n not in skipped)
            continue
        if g is None:
            return None, Verdict(
                False,
                f"{function} fails on the batch of all {shape[0]} trajectories of the chain at "
                "theta = 0 (an error, a wrong shape, or values that are not finite).",
                tuple(notes),
            )
        outcome[function] = g
    return outcome, notes, tuple(skipped), tuple(explained)


def _unless_skipped(verdict: Verdict, skipped: tuple[str, ...]) -> Verdict:
    """A passing dual-path verdict that could not look at every estimator (their helper
    raised) is an unverified excuse: no automatic score, for a TA, and only while that helper
    is charged."""
    if not verdict.passed or not skipped:
        return verdict
    failure = Verdict(False, "Not every estimator could be checked here.", verdict.details)
    names = " and ".join(sorted(skipped))
    cells = " and ".join(own_cell(name) for name in sorted(skipped))
    summary = (
        f"Not every estimator could be checked here: the {names} you wrote raised an error (or "
        "returned values that are not finite) on every call, and so did the estimators built "
        f"on {'them' if len(skipped) > 1 else 'it'} (see {cells}). A TA reads "
        "those estimators in your code, so this cell has no automatic score."
    )
    if verdict.summary:  # empty when no estimator at all could be checked
        summary += f" Of the estimators that could be checked: {verdict.summary}"
    return dataclasses.replace(
        verdict,
        summary=summary,
        excused_by=tuple(sorted(skipped)),
        unexcused=failure,
        unverified=True,
    )


@functools.lru_cache(maxsize=2)
def _sampled_counts(seed: int) -> np.ndarray:
    """How often each trajectory (in enumeration order) occurs among EPISODES i.i.d. episodes
    at the dual-path setting: one multinomial draw with the enumerated probabilities, which is
    exactly the distribution of the counts of EPISODES sampled episodes (and 1000 times
    faster than sampling them step by step; tests/test_probes_rewards_to_go.py checks the
    step-by-step sampler against the same probabilities)."""
    ((theta, mdp),) = probes._pglab_dual_path_case(None)
    _, _, probs = ref.enumerate_trajectories(theta, ref_mdp(mdp))
    return np.random.default_rng([seed, 1]).multinomial(EPISODES, probs / probs.sum())


def _setting(probe, inputs):
    ((theta, mdp),) = probes._pglab_dual_path_case(None)
    states, actions = inputs[0][0][1], inputs[0][0][2]
    probs = trajectory_probabilities(theta, mdp, states, actions)
    # both dual-path cells look at the same episodes (one draw per notebook)
    return theta, mdp, probs, _sampled_counts(SAMPLE_SEED)


def check_estimators_unbiased(probe: Probe, inputs, parts) -> Verdict:
    """Dual path: the Monte Carlo mean of each estimator over 10^6 episodes against grad J."""
    estimates, notes, *rest = _dual_estimates(probe, inputs, parts)
    if estimates is None:
        return notes
    skipped = rest[0]
    if not estimates:  # every estimator raised as its helper did: nothing to judge here
        return _unless_skipped(Verdict(True, "", tuple(notes)), skipped)
    theta, mdp, probs, counts = _setting(probe, inputs)
    target = ref.exact_policy_gradient(theta, ref_mdp(mdp))
    positive = probs > 0
    results, lines, passed = {}, [], True
    for function, g in estimates.items():
        # the exact mean over every trajectory first: the Monte Carlo radius comes from the
        # range of the student's own values, which a spike on one rare trajectory makes huge
        exact_ok = agrees(np.einsum("m,msa->sa", probs, g).ravel(), target.ravel())
        mean = np.einsum("m,msa->sa", counts, g) / EPISODES
        spread = np.ptp(g[positive], axis=0)
        radius = stats.range_mean_radius(spread, EPISODES, DELTA)
        ok = (np.abs(mean - target) <= radius + ATOL + RTOL * np.abs(target)) & exact_ok
        passed &= bool(ok.all())
        results[function] = [
            (float(mean[s, 0]), float(target[s, 0]), float(radius[s, 0]))
            for s in range(mdp.n_states)
        ]
        lines.append(
            f"{LABELS[function]}: Monte Carlo mean (column 'left') "
            f"{np.array2string(mean[:, 0], precision=4)} vs grad J "
            f"{np.array2string(target[:, 0], precision=4)}, accepted within "
            f"+-{np.array2string(radius[:, 0], precision=4)}; exact mean over every "
            f"trajectory {'equals' if exact_ok else 'differs from'} grad J: "
            f"{'unbiased' if ok.all() else 'BIASED'}."
        )
    figure = figures.component_means(
        [f"s={s}" for s in range(mdp.n_states)],
        {LABELS[f]: r for f, r in results.items()},
        "Monte Carlo mean (10^6 episodes) vs grad J",
    )
    intro = (
        f"{EPISODES:,} episodes of the chain at theta = 0; false alarm below "
        f"{stats.FALSE_FAIL:g} for a correct submission."
    )
    details = (intro, *lines, *notes)
    if passed:
        summary = (
            "All three estimators are unbiased."
            if len(estimates) == 3
            else "The estimators that could be checked are unbiased."
        )
        return _unless_skipped(Verdict(True, summary, details, figure=figure), skipped)
    return Verdict(
        False, "At least one estimator is biased: its average is not grad J.", details, None, figure
    )


def check_variance_reduction(probe: Probe, inputs, parts) -> Verdict:
    """Exact variances ordered total > rtg > rtg - V in every component, and the simulated
    standard deviations ordered and each within the Maurer-Pontil radius of the exact one.

    The student's estimators as they are (one bug, one charge: an estimator right for a wrong
    helper is compared too), as long as one of them at least estimates grad J: exactly
    unbiased, or the reference's values given the student's helpers. Estimators that are all
    neither have variances that say nothing about variance reduction (values made up so that
    their spread comes out ordered, say)."""
    estimates, notes, *rest = _dual_estimates(probe, inputs, parts)
    if estimates is None:
        return notes
    skipped, explained = rest
    if not estimates:  # every estimator raised as its helper did: nothing to judge here
        return _unless_skipped(Verdict(True, "", tuple(notes)), skipped)
    theta, mdp, probs, counts = _setting(probe, inputs)
    target = ref.exact_policy_gradient(theta, ref_mdp(mdp))
    if not any(
        f in explained or agrees(np.einsum("m,msa->sa", probs, g).ravel(), target.ravel())
        for f, g in estimates.items()
    ):
        return Verdict(
            False,
            "None of your estimators has grad J as its exact mean, even given the helpers you "
            "wrote, so there is no variance reduction to compare.",
            tuple(notes),
        )
    positive = probs > 0
    exact_sd, simulated_sd, radii = [], [], []
    for g in estimates.values():
        mean = np.einsum("m,msa->sa", probs, g)
        exact_sd.append(np.sqrt(np.einsum("m,msa->sa", probs, (g - mean) ** 2)))
        sample_mean = np.einsum("m,msa->sa", counts, g) / EPISODES
        centred = np.einsum("m,msa->sa", counts, (g - sample_mean) ** 2)
        simulated_sd.append(np.sqrt(centred / (EPISODES - 1)))
        spread = np.ptp(g[positive], axis=0)
        radii.append(stats.range_sd_radius(spread, EPISODES, DELTA))
    # ordered total > rtg > rtg - V among the estimators there are (all three unless a
    # helper's errors left one with nothing of its own to judge)
    exact_ordered = all(bool(np.all(a > b)) for a, b in itertools.pairwise(exact_sd))
    sim_ordered = all(bool(np.all(a > b)) for a, b in itertools.pairwise(simulated_sd))
    consistent = all(
        bool(np.all(np.abs(s - e) < r))
        for s, e, r in zip(simulated_sd, exact_sd, radii, strict=True)
    )
    lines = [
        f"{LABELS[f]}: standard deviation per component (column 'left') exact "
        f"{np.array2string(e[:, 0], precision=4)}, simulated "
        f"{np.array2string(s[:, 0], precision=4)} (+-{np.array2string(r[:, 0], precision=3)})."
        for f, e, s, r in zip(estimates, exact_sd, simulated_sd, radii, strict=True)
    ]
    details = (
        f"The chain at theta = 0: exact over every trajectory, simulated over {EPISODES:,} "
        "episodes.",
        *lines,
        *notes,
    )
    if exact_ordered and sim_ordered and consistent:
        return _unless_skipped(
            Verdict(
                True,
                "On the chain at theta = 0, rewards-to-go reduces the variance of the "
                "total-return estimator, and the state-value baseline reduces it further, exactly "
                "and in simulation."
                if len(estimates) == 3
                else "The estimators that could be checked have ordered, consistent variances.",
                details,
            ),
            skipped,
        )
    if not exact_ordered:
        summary = (
            "With your estimators at theta = 0 the exact variances are not ordered total "
            "return > rewards-to-go > rewards-to-go - V_t(s_t) in every component."
        )
    elif not consistent:
        summary = "The simulated standard deviations do not match the exact ones."
    else:
        summary = "The simulated standard deviations are not ordered as the exact ones."
    return Verdict(False, summary, details)


CHECKS = {
    "test_softmax": _only("softmax", "seeded logits (up to +-1000)"),
    "test_log_softmax": _only("log_softmax", "seeded logits (up to +-1000)"),
    "test_grad_log_softmax": _only("grad_log_softmax", "seeded inputs with 2 to 6 arms"),
    "test_expected_reward": _only("expected_reward", "seeded inputs with 2 to 6 arms"),
    "test_exact_gradient": _only("exact_gradient", "seeded inputs with 2 to 6 arms"),
    "test_reinforce_estimates": _only(
        "reinforce_estimates", "seeded batches (no baseline, a constant one, one per sample)"
    ),
    "test_reinforce_unbiased": check_reinforce_unbiased,
    "test_discounted_returns": _only("discounted_returns", "seeded batches of episodes"),
    "test_rewards_to_go": _only("rewards_to_go", "seeded batches of episodes"),
    "test_step_scores": _only("step_scores", "seeded batches (up to 4 states, 3 actions)"),
    "test_reinforce_total_return": check_estimator(
        "reinforce_total_return", "seeded batches of episodes"
    ),
    "test_reinforce_rewards_to_go": check_estimator(
        "reinforce_rewards_to_go", "seeded batches (no baseline, a constant, one per step)"
    ),
    "test_state_values": _only("state_values", "seeded MDPs (T = 1 to 6, gamma in [0, 1])"),
    "test_reinforce_value_baseline": check_estimator(
        "reinforce_value_baseline", "seeded batches with a table of values"
    ),
    "test_estimators_unbiased": check_estimators_unbiased,
    "test_variance_reduction": check_variance_reduction,
}
