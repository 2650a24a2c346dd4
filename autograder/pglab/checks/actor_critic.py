"""Verdicts for the ``actor_critic`` assignment's autograded cells (docs/grading.md).

Everything here is numpy: the kernel ran the student's torch losses and recorded their
values and the gradients ``.backward()`` left (``probes/actor_critic.py``); the grader never
needs torch.

* Exact checks compare every recorded output with ``reference.actor_critic`` (the shared
  tolerance of ``checks/verdict.py``).  For the two losses a record is [L, dL/dlogits] or
  [L, dL/dvalues]; a catalogued mistake is recognised by its gradient (the catalogue imitates
  the gradient of the mistaken loss).
* ``test_surrogate_loss_detached`` feeds advantages computed from a critic tensor that
  requires grad: no gradient may reach the critic, and the loss's value and gradient w.r.t.
  the logits must be the reference's for the same advantages as constants (a loss wrong for
  constant advantages fails here too: docs/grading.md, "One bug, one charge").
* ``gae_advantages`` and ``n_step_advantages`` right for the ``td_errors`` the student wrote
  are not charged again (``checks/callees.py``).
* ``test_actor_critic_unbiased``: with the true V, the student's GAE advantages (lambda = 0,
  0.5, 0.95, 1) and the gradient of the student's surrogate loss, on every trajectory of the
  chain (T = 3), give per-trajectory estimates g(tau); their exact mean over all trajectories
  must equal grad J, and their mean over 10^6 episodes drawn by the grader must lie within the
  Hoeffding radius of grad J (false fail below 1e-9, docs/grading.md).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence

import numpy as np

from pglab.checks import figures, stats
from pglab.checks import verdict as tail
from pglab.checks.callees import Blame, Callee, blame_callees, excused
from pglab.checks.verdict import (
    ATOL,
    RTOL,
    Verdict,
    agrees,
    disagreements,
    explain_disagreement,
)
from pglab.misconceptions.actor_critic import ADVANTAGE_GRADIENT, for_function
from pglab.probes import Probe
from pglab.probes import actor_critic as probes
from pglab.records import PartRecord
from pglab.reference import actor_critic as ref
from pglab.reference import rewards_to_go as rtg

PARAMETERS = {
    "surrogate_loss": ("logits", "states", "actions", "advantages"),
    "fit_critic_monte_carlo": ("states", "rewards", "gamma", "n_states"),
    "critic_td_loss": ("values", "states", "rewards", "gamma"),
    "fit_critic_td0": ("states", "rewards", "gamma", "n_states"),
    "monte_carlo_advantages": ("rewards", "states", "values", "gamma"),
    "td_errors": ("rewards", "states", "values", "gamma"),
    "n_step_advantages": ("rewards", "states", "values", "gamma", "n_steps"),
    "gae_advantages": ("rewards", "states", "values", "gamma", "lam"),
    "advantage_bias_variance": ("theta", "mdp", "values", "advantage_fn"),
}

#: The catalogue entry of a surrogate loss that lets the gradient into the critic.
NOT_DETACHED = ADVANTAGE_GRADIENT
#: Episodes the dual-path cell draws (from the enumerated distribution, seeded by the probe).
EPISODES = 10**6
#: The lambdas of the dual-path cell.
DUAL_LAMBDAS = (0.0, 0.5, 0.95, 1.0)


# --------------------------------------------------------------------------- references


def critic_td_loss(values, states, rewards, gamma) -> float:
    """L = (1/n) sum_i sum_t delta_{i,t}^2 / 2, the TD target held constant."""
    delta = ref.td_errors(rewards, states, values, gamma)
    return float(0.5 * np.sum(delta**2) / np.shape(states)[0])


def critic_td_loss_gradient(values, states, rewards, gamma) -> np.ndarray:
    """dL/dV = -(1/n) sum_i sum_t delta_{i,t} e_{(t, s_{i,t})} = (V - td0_critic_step(V, lr=1))."""
    values = np.asarray(values, dtype=np.float64)
    return values - ref.td0_critic_step(values, states, rewards, gamma, 1.0)


def _detached_advantages(logits, states, actions, rewards, values, gamma):
    """The advantages the detached probe computes in torch: the critic's TD errors."""
    return ref.td_errors(rewards, states, values, gamma)


def surrogate_record(*args) -> np.ndarray:
    """What the probe records from a correct ``surrogate_loss`` on these arguments."""
    logits, states, actions = args[:3]
    if len(args) == 4:
        advantages = args[3]
    else:
        advantages = _detached_advantages(*args)
    out = [
        [ref.surrogate_loss(logits, states, actions, advantages)],
        ref.surrogate_loss_gradient(logits, states, actions, advantages).ravel(),
    ]
    if len(args) == 6:
        out.append(np.zeros(np.size(args[4])))
    return np.concatenate(out)


def critic_record(values, states, rewards, gamma) -> np.ndarray:
    """What the probe records from a correct ``critic_td_loss``."""
    return np.concatenate(
        [
            [critic_td_loss(values, states, rewards, gamma)],
            critic_td_loss_gradient(values, states, rewards, gamma).ravel(),
        ]
    )


def advantage_bias_variance(theta, mdp, values, advantage_fn) -> np.ndarray:
    """(bias, variance), each (S, A), stacked: the estimator sum_t gamma^t score_t A_t with
    A = advantage_fn(rewards, states, values, gamma), exact by enumeration."""
    model = ref_mdp(mdp)
    states, actions, probs = rtg.enumerate_trajectories(theta, model)
    rewards = model.R[states, actions]
    advantages = np.asarray(advantage_fn(rewards, states, values, model.gamma), dtype=np.float64)
    g = ref.policy_gradient_estimates(
        theta, states, actions, ref.start_discounted(advantages, model.gamma)
    )
    mean = np.einsum("m,msa->sa", probs, g)
    variance = np.einsum("m,msa->sa", probs, (g - mean) ** 2)
    return np.stack([mean - rtg.exact_policy_gradient(theta, model), variance])


def ref_mdp(mdp) -> rtg.EpisodicMDP:
    return rtg.EpisodicMDP(mdp.P, mdp.R, mdp.init, mdp.horizon, mdp.gamma)


#: Name -> what a correct student function gives for what the probe records of it.
RECORDED: dict[str, Callable[..., object]] = {
    "surrogate_loss": surrogate_record,
    "critic_td_loss": critic_record,
    "advantage_bias_variance": advantage_bias_variance,
    "fit_critic_monte_carlo": ref.fit_critic_monte_carlo,
    "fit_critic_td0": ref.fit_critic_td0,
    "monte_carlo_advantages": ref.monte_carlo_advantages,
    "td_errors": ref.td_errors,
    "n_step_advantages": ref.n_step_advantages,
    "gae_advantages": ref.gae_advantages,
}


def reference_for(function: str) -> Callable[..., object] | None:
    """The reference of what the probes record of ``function`` (checks/attribution.py)."""
    return RECORDED.get(function)


# --------------------------------------------------------------------------- exact checks


def exact(function: str, record: PartRecord, calls: Sequence[tuple], what: str) -> Verdict:
    """Pass when every call agrees with the reference; otherwise diagnose (checks/verdict.py)."""
    return tail.exact(
        function,
        record,
        calls,
        RECORDED[function],
        what,
        PARAMETERS[function],
        for_function(function),
    )


def _slice(record: PartRecord, start: int, sizes: Sequence[int]) -> PartRecord:
    """The record of one piece of each output (the gradient of a loss record, say)."""
    outputs = []
    for out, size in zip(record.outputs, sizes, strict=True):
        if out is None or out.size < start + size:
            outputs.append(None if out is None else out[start:])
        else:
            outputs.append(out[start : start + size])
    return PartRecord(record.function, outputs, [1] * len(outputs), record.errors)


def _gradient_of(function: str) -> tuple[Callable, Callable[[tuple], int], str]:
    """(reference gradient, its size for a call's args, what it is taken with respect to)."""
    if function == "surrogate_loss":
        return (ref.surrogate_loss_gradient, lambda args: int(np.size(args[0])), "the logits")
    return (critic_td_loss_gradient, lambda args: int(np.size(args[0])), "the values")


def _recognise_gradient(function: str, gradients: PartRecord, calls) -> object | None:
    """The catalogued mistake whose gradient matches every recorded gradient, if any (an
    entry whose gradient is the right one, the detach mistake, is recognised elsewhere)."""
    reference, _, _ = _gradient_of(function)
    for mistake in for_function(function):
        if mistake.id == ADVANTAGE_GRADIENT:
            continue  # its imitation is a gradient w.r.t. the advantages (check_detached)
        try:
            with np.errstate(all="ignore"):
                same_as_right = all(
                    agrees(
                        np.asarray(mistake.imitate(*args), dtype=np.float64).ravel(),
                        np.asarray(reference(*args)).ravel(),
                    )
                    for args in calls
                )
        except Exception:  # noqa: BLE001 - an imitation that cannot run is no match
            continue
        if same_as_right:
            continue
        if tail.recognise((mistake,), gradients, calls) is not None:
            return mistake
    return None


def exact_loss(function: str, what: str):
    """A torch loss: its value and its autodiff gradient against the reference."""

    def run(probe: Probe, inputs, parts) -> Verdict:
        return loss_verdict(function, parts[0], inputs[0], what)

    return run


def loss_verdict(function: str, record: PartRecord, calls: Sequence[tuple], what: str) -> Verdict:
    reference = RECORDED[function]
    if all(out is None for out in record.outputs) and record.errors:
        return tail.failed_everywhere(function, record, len(calls))
    bad = disagreements(record, calls, reference)
    if not bad:
        _, _, wrt = _gradient_of(function)
        return Verdict(
            True,
            f"{function} is correct on all {len(calls)} {what}: its value and its gradient "
            f"with respect to {wrt}.",
        )
    names = PARAMETERS[function]
    if any(d.output is None for d in bad):
        details = explain_disagreement(function, names, record, bad, len(calls))
        return Verdict(False, f"{function} raised an error on some calls.", tuple(details))
    gradient, size, wrt = _gradient_of(function)
    sizes = [size(args) for args in calls]
    losses = _slice(record, 0, [1] * len(calls))
    gradients = _slice(record, 1, sizes)
    bad_loss = disagreements(
        losses, calls, lambda *args: np.asarray(reference(*args))[:1].reshape(())
    )
    bad_gradient = disagreements(gradients, calls, lambda *args: np.ravel(gradient(*args)))
    details: list[str] = []
    if bad_gradient:
        details.append(f"The gradient with respect to {wrt} (what .backward() computes):")
        details.extend(
            explain_disagreement(
                f"the gradient of {function}", names, gradients, bad_gradient, len(calls)
            )
        )
    if bad_loss:
        details.append("The value of the loss:")
        details.extend(explain_disagreement(function, names, losses, bad_loss, len(calls)))
    mistake = _recognise_gradient(function, gradients, calls) if bad_gradient else None
    if mistake is not None:
        return Verdict(False, mistake.feedback, tuple(details), mistake.id)
    if not bad_gradient:
        summary = f"{function} has the right gradient but not the right value."
    else:
        summary = f"The gradient of your {function} with respect to {wrt} is not the right one."
    return Verdict(False, summary, tuple(details))


# --------------------------------------------------------------------------- the detached loss


def _undetached_critic_gradient(logits, states, actions, rewards, values, gamma) -> np.ndarray:
    """dL/dV when the TD-error advantages are NOT held constant: -(1/n) sum_i sum_t
    log pi(a_t|s_t) d delta_t / dV, with d delta_t/dV = gamma e_{(t+1, s_{t+1})} - e_{(t, s_t)}."""
    states, actions = np.asarray(states), np.asarray(actions)
    n, T = states.shape
    log_pi = rtg.log_softmax(logits)[states, actions]
    grad = np.zeros(np.shape(values))
    steps = np.broadcast_to(np.arange(T), (n, T))
    np.add.at(grad, (steps, states), log_pi / n)
    if T > 1:
        np.add.at(grad, (steps[:, 1:], states[:, 1:]), -float(gamma) * log_pi[:, :-1] / n)
    return grad


def check_detached(probe: Probe, inputs, parts) -> Verdict:
    """No gradient reaches the critic, and the right value and gradient w.r.t. the logits.

    Part 1 records the same loss with the same advantages as constants: a loss that fails
    only when the advantages require grad is told so."""
    record, constant = parts
    calls = inputs[0]
    function = "surrogate_loss"
    if all(out is None for out in record.outputs) and record.errors:
        if all(out is None for out in constant.outputs):
            return tail.failed_everywhere(function, record, len(calls))
    leaked, leaked_like_undetached, raised_only_here = [], True, []
    for index, (args, out, mine) in enumerate(
        zip(calls, record.outputs, constant.outputs, strict=True)
    ):
        if out is None:
            if mine is not None:
                raised_only_here.append(index)
            continue
        k = int(np.size(args[0]))
        reached = out[1 + k :]
        if reached.size != np.size(args[4]):
            continue
        if np.any(reached != 0):
            leaked.append(index)
            leaked_like_undetached &= agrees(reached, _undetached_critic_gradient(*args).ravel())
    if leaked:
        first = calls[leaked[0]]
        reached = record.outputs[leaked[0]][1 + np.size(first[0]) :].reshape(np.shape(first[4]))
        details = (
            f"On {len(leaked)} of {len(calls)} batches a gradient reached the critic's values "
            "(the tensor the advantages were computed from); it must receive none.",
            f"For example, with {np.shape(first[4])[0]} time steps and "
            f"{np.shape(first[4])[1]} states, the critic's gradient was "
            f"{tail.fmt(reached)}.",
        )
        if leaked_like_undetached:
            (mistake,) = (m for m in for_function(function) if m.id == NOT_DETACHED)
            return Verdict(False, mistake.feedback, details, NOT_DETACHED)
        return Verdict(False, "Gradient reaches the critic through your loss.", details)
    if raised_only_here:
        index = raised_only_here[0]
        error = next((e for e in record.errors if e.call == index), None)
        reason = f"{error.type}: {tail.cut(error.message)}" if error else "an error"
        return Verdict(
            False,
            f"{function} fails when the advantages require grad (computed from a critic): "
            f"it raised {reason}",
            (
                "It works when the same advantages are constants. Advantages from a learned "
                "critic carry a gradient: hold them constant inside the loss (.detach()).",
            ),
        )
    # No gradient reached the critic: the value and the logits' gradient must be right, as
    # for the same advantages given as constants.
    as_constants = [args[:3] + (_detached_advantages(*args),) for args in calls]
    head = _slice(record, 0, [1 + int(np.size(args[0])) for args in calls])
    verdict = loss_verdict(function, head, as_constants, "seeded batches")
    if verdict.passed:
        return Verdict(
            True,
            "With advantages computed from a critic, surrogate_loss sends no gradient to the "
            f"critic and the right gradient to the logits, on all {len(calls)} seeded batches.",
        )
    return dataclasses.replace(
        verdict,
        details=(
            "The advantages here are TD errors of a critic tensor that requires grad "
            "(shown below as the constants they equal).",
            *verdict.details,
        ),
    )


# --------------------------------------------------------------------------- callees


def _n_step_from_td(args, values):
    rewards, states, critic, gamma, n_steps = args
    delta = np.reshape(values["td_errors"], np.shape(rewards))
    T = delta.shape[1]
    out = np.zeros(delta.shape)
    for t in range(T):
        m = min(int(n_steps), T - t)
        out[:, t] = delta[:, t : t + m] @ (float(gamma) ** np.arange(m))
    return out


def _gae_from_td(args, values):
    rewards, states, critic, gamma, lam = args
    delta = np.reshape(values["td_errors"], np.shape(rewards))
    out = np.zeros(delta.shape)
    running = np.zeros(delta.shape[0])
    for t in range(delta.shape[1] - 1, -1, -1):
        running = delta[:, t] + float(gamma) * float(lam) * running
        out[:, t] = running
    return out


FORMULAS = {"n_step_advantages": _n_step_from_td, "gae_advantages": _gae_from_td}


def _blamed(function, record, calls, callees) -> Blame | None:
    formula = FORMULAS[function]

    def guarded(args, values):
        try:  # a callee of the wrong shape cannot explain anything
            return formula(args, values)
        except (ValueError, IndexError, TypeError):
            return np.full(1, np.nan)

    return blame_callees(record, calls, callees, guarded, function)


def _only(function: str, what: str):
    """Exact check of part 0, excused when the student's td_errors (recorded on the same
    inputs) explain the difference."""

    def run(probe: Probe, inputs, parts) -> Verdict:
        verdict = exact(function, parts[0], inputs[0], what)
        if verdict.passed or len(parts) == 1:
            return verdict
        callees = [
            Callee(probe.parts[i].function, parts[i], inputs[i], RECORDED[probe.parts[i].function])
            for i in range(1, len(parts))
        ]
        blame = _blamed(function, parts[0], inputs[0], callees)
        return excused(function, blame, verdict) if blame else verdict

    return run


# --------------------------------------------------------------------------- the dual path


def trajectory_probabilities(theta, mdp, states, actions) -> np.ndarray:
    pi = rtg.softmax(theta)
    probs = mdp.init[states[:, 0]] * np.prod(pi[states, actions], axis=1)
    return probs * np.prod(mdp.P[states[:, :-1], actions[:, :-1], states[:, 1:]], axis=1)


@functools.lru_cache(maxsize=2)
def _sampled_counts(seed: int) -> np.ndarray:
    """How often each trajectory of the dual-path case occurs among EPISODES i.i.d. episodes:
    one multinomial draw with the enumerated probabilities (exactly the distribution of the
    counts of EPISODES sampled episodes)."""
    theta, mdp, states, actions, _, _ = probes._pglab_dual_case()
    probs = trajectory_probabilities(theta, mdp, states, actions)
    return np.random.default_rng([seed, 1]).multinomial(EPISODES, probs / probs.sum())


def _dual_notes(inputs, parts) -> list[str]:
    """Which of the student's functions (wrong on these trajectories) the estimates follow."""
    notes = []
    gae_wrong = any(
        not agrees(out, ref.gae_advantages(*args))
        for args, out in zip(inputs[0], parts[0].outputs, strict=True)
    )
    td_args, td_out = inputs[2][0], parts[2].outputs[0]
    if gae_wrong and not agrees(td_out, ref.td_errors(*td_args)):
        notes.append(
            "Your gae_advantages uses the td_errors you wrote, which is wrong (see "
            "test_td_errors): this cell checks your functions as they are, so that mistake "
            "shows here too."
        )
    elif gae_wrong:
        notes.append(
            "Your gae_advantages is wrong on these trajectories (see test_gae_advantages)."
        )
    steps_wrong = any(
        not agrees(out, surrogate_record(*args))
        for args, out in zip(inputs[1], parts[1].outputs, strict=True)
    )
    if steps_wrong:
        notes.append(
            "Your surrogate_loss does not give the right gradient on single trajectories "
            "(see test_surrogate_loss): this cell checks your functions as they are."
        )
    return notes


def check_actor_critic_unbiased(probe: Probe, inputs, parts) -> Verdict:
    """With the true V: exact E[g] = grad J by enumeration, and the Monte Carlo mean over
    EPISODES sampled episodes within the Hoeffding radius of grad J, for each lambda."""
    theta, mdp, states, actions, rewards, values = probes._pglab_dual_case()
    M, T = states.shape
    S, A = theta.shape
    notes = _dual_notes(inputs, parts)
    for name, record in (("gae_advantages", parts[0]), ("surrogate_loss", parts[1])):
        if any(
            out is None or not np.all(np.isfinite(out)) or out.size != want
            for out, want in zip(
                record.outputs,
                [M * T] * 4 if name == "gae_advantages" else [1 + S * A] * (M * T),
                strict=True,
            )
        ):
            error = record.first_error()
            reason = f" ({error.type}: {tail.cut(error.message)})" if error else ""
            return Verdict(
                False,
                f"{name} fails on the trajectories of the chain (an error, a wrong shape, or "
                f"values that are not finite){reason}.",
                tuple(notes),
            )
    # minus the gradient of the loss on a trajectory (twice) with advantage 1 at step t:
    # (M, T, S, A), the score of step t if the loss is right
    contributions = -np.stack([out[1:] for out in parts[1].outputs]).reshape(M, T, S, A)
    probs = trajectory_probabilities(theta, mdp, states, actions)
    counts = _sampled_counts(probe.seed)
    target = rtg.exact_policy_gradient(theta, ref_mdp(mdp))
    delta = stats.FALSE_FAIL / (len(DUAL_LAMBDAS) * S * A)
    discount = float(mdp.gamma) ** np.arange(T)
    lines, results, passed = [], {}, True
    for lam, out in zip(DUAL_LAMBDAS, parts[0].outputs, strict=True):
        advantages = out.reshape(M, T)
        g = np.einsum("mt,mtsa->msa", advantages * discount, contributions)
        exact_mean = np.einsum("m,msa->sa", probs, g)
        exact_ok = agrees(exact_mean.ravel(), target.ravel())
        mean = np.einsum("m,msa->sa", counts, g) / EPISODES
        radius = stats.range_mean_radius(np.ptp(g, axis=0), EPISODES, delta)
        mc_ok = bool(np.all(np.abs(mean - target) <= radius + ATOL + RTOL * np.abs(target)))
        passed &= exact_ok and mc_ok
        results[f"lambda = {lam:g}"] = [
            (float(mean[s, 0]), float(target[s, 0]), float(radius[s, 0])) for s in range(S)
        ]
        lines.append(
            f"GAE(lambda = {lam:g}): exact mean over all {M} trajectories "
            f"{'equals' if exact_ok else 'differs from'} grad J (largest difference "
            f"{float(np.max(np.abs(exact_mean - target))):.3g}); Monte Carlo mean (column "
            f"'left') {np.array2string(mean[:, 0], precision=4)} vs grad J "
            f"{np.array2string(target[:, 0], precision=4)}, accepted within "
            f"+-{np.array2string(radius[:, 0], precision=4)}: "
            f"{'unbiased' if mc_ok else 'BIASED'}."
        )
    figure = figures.component_means(
        [f"s={s}" for s in range(S)], results, "Monte Carlo mean (10^6 episodes) vs grad J"
    )
    intro = (
        f"The chain (T = {T}, gamma = {mdp.gamma:g}) with the true V: {EPISODES:,} episodes; "
        f"false alarm below {stats.FALSE_FAIL:g} for a correct submission."
    )
    details = (intro, *lines, *notes)
    if passed:
        return Verdict(
            True,
            "With the true values, the policy gradient built on your GAE advantages and your "
            "surrogate loss is unbiased for each lambda tested "
            f"({', '.join(f'{lam:g}' for lam in DUAL_LAMBDAS)}), exactly and in simulation.",
            details,
            figure=figure,
        )
    return Verdict(
        False,
        "With the true values, the policy gradient built on your GAE advantages and your "
        "surrogate loss is biased for some lambda: its average is not grad J.",
        details,
        figure=figure,
    )


CHECKS = {
    "test_surrogate_loss": exact_loss("surrogate_loss", "seeded batches (T = 1 to 6)"),
    "test_surrogate_loss_detached": check_detached,
    "test_fit_critic_monte_carlo": _only("fit_critic_monte_carlo", "seeded batches"),
    "test_critic_td_loss": exact_loss("critic_td_loss", "seeded batches (T = 1 to 6)"),
    "test_fit_critic_td0": _only("fit_critic_td0", "seeded batches"),
    "test_monte_carlo_advantages": _only("monte_carlo_advantages", "seeded batches"),
    "test_td_errors": _only("td_errors", "seeded batches (T = 1 to 6, gamma in [0, 1])"),
    "test_n_step_advantages": _only(
        "n_step_advantages", "seeded batches (n_steps = 1, 2, T and T + 2)"
    ),
    "test_gae_advantages": _only(
        "gae_advantages", "seeded batches (lambda = 0, 0.5, 0.95, 1 and others)"
    ),
    "test_advantage_bias_variance": _only(
        "advantage_bias_variance", "seeded MDPs, critics and advantage functions"
    ),
    "test_actor_critic_unbiased": check_actor_critic_unbiased,
}
