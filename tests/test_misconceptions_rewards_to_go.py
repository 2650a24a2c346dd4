"""The rewards_to_go misconception catalogue: complete, backed by its mutants, recognisable."""

from __future__ import annotations

import functools
from collections import Counter

import numpy as np
import pytest
from support import CORPUS

from pglab.checks.verdict import agrees
from pglab.misconceptions.rewards_to_go import CATALOGUE
from pglab.reference import rewards_to_go as ref
from pglab.submissions import corpus_settings

MUTANTS = sorted((CORPUS / "rewards_to_go" / "mutants").glob("*.py"))

#: The student API of the rewards_to_go assignment (docs/rewards_to_go.md), in notebook order.
API = (
    "softmax",
    "log_softmax",
    "grad_log_softmax",
    "expected_reward",
    "exact_gradient",
    "reinforce_estimates",
    "discounted_returns",
    "rewards_to_go",
    "step_scores",
    "reinforce_total_return",
    "reinforce_rewards_to_go",
    "state_values",
    "reinforce_value_baseline",
)

#: The mistakes issue 7 names, each by at least one entry.
ISSUE_TOPICS = {
    "off-by-one in rewards-to-go": {"rewards_to_go.excludes_current", "rewards_to_go.shifted"},
    "discounting from the episode start": {"rewards_to_go.from_episode_start"},
    "summing future rewards in the wrong direction": {"rewards_to_go.past_rewards"},
    "a baseline that depends on the action": {"baseline.action_dependent"},
    "advantages normalised over the wrong axis": {
        "baseline.normalised_over_time",
        "baseline.normalised_over_batch",
    },
    "mean versus sum over the batch": {
        "discounted_returns.sum_over_batch",
        "reinforce.batch_mean",
        "total_return.batch_mean",
        "rtg_estimator.batch_mean",
    },
    "mean versus sum over time": {
        "discounted_returns.mean_over_time",
        "total_return.mean_over_time",
    },
}


def test_catalogue_has_unique_ids_and_covers_every_function():
    ids = [m.id for m in CATALOGUE]
    assert len(ids) == len(set(ids)) and len(ids) >= 15
    per_function = Counter(m.function for m in CATALOGUE)
    assert set(per_function) == set(API)
    assert all(len(m.feedback) >= 40 and m.feedback.endswith(".") for m in CATALOGUE)


def test_catalogue_covers_the_mistakes_the_issue_names():
    ids = {m.id for m in CATALOGUE}
    missing = {topic: names - ids for topic, names in ISSUE_TOPICS.items() if names - ids}
    assert not missing


def test_every_catalogue_entry_has_a_mutant_and_every_mutant_an_entry():
    named = [corpus_settings(p.read_text()).get("MISCONCEPTION") for p in MUTANTS]
    assert len(named) == len(set(named))
    assert set(named) == {m.id for m in CATALOGUE}
    for path in MUTANTS:
        assert path.stem == corpus_settings(path.read_text())["MISCONCEPTION"].replace(".", "_")


# --------------------------------------------------------------------------- inputs


def _random_mdp(rng, S, A, T, gamma):
    P = rng.dirichlet(np.ones(S), size=(S, A))
    R = rng.uniform(-1.0, 1.0, size=(S, A))
    return ref.EpisodicMDP(P=P, R=R, init=rng.dirichlet(np.ones(S)), horizon=T, gamma=gamma)


@functools.cache
def plan_calls(function: str) -> list[tuple]:
    """Seeded inputs in the spirit of docs/rewards_to_go.md: gamma in {0, 0.5, 0.9, 1},
    T = 1, A = 3, random MDPs, batches of one, large logits (the softmax family)."""
    rng = np.random.default_rng([7, API.index(function)])
    calls: list[tuple] = []
    for index, gamma in enumerate((0.0, 0.5, 0.9, 1.0, 0.9, 0.5)):
        S, A, T = (3, 2, 4) if index % 2 == 0 else (4, 3, 1 + index)
        n = 1 if index == 3 else 6
        mdp = ref.chain_mdp(horizon=T, gamma=gamma) if (S, A) == (3, 2) else None
        mdp = mdp or _random_mdp(rng, S, A, T, gamma)
        theta = rng.normal(0.0, 2.0, size=(S, A))
        states, actions, rewards = ref.sample_episodes(theta, mdp, n, rng)
        K = 2 + index
        k_theta = rng.normal(0.0, 3.0, size=K)
        k_actions = rng.integers(0, K, size=n + 2)
        means = rng.normal(0.0, 2.0, size=K)
        values = ref.state_values(theta, mdp)
        calls.append(
            {
                "softmax": (theta,),
                "log_softmax": (k_theta,),
                "grad_log_softmax": (k_theta, k_actions),
                "expected_reward": (k_theta, means),
                "exact_gradient": (k_theta, means),
                "reinforce_estimates": (
                    k_theta,
                    k_actions,
                    rng.normal(size=n + 2),
                    [0.0, 1.5, rng.normal(size=n + 2)][index % 3],
                ),
                "discounted_returns": (rewards, gamma),
                "rewards_to_go": (rewards, gamma),
                "step_scores": (theta, states, actions),
                "reinforce_total_return": (theta, states, actions, rewards, gamma),
                "reinforce_rewards_to_go": (
                    theta,
                    states,
                    actions,
                    rewards,
                    gamma,
                    [0.0, 0.7, rng.normal(size=rewards.shape)][index % 3],
                ),
                "state_values": (theta, mdp),
                "reinforce_value_baseline": (theta, states, actions, rewards, gamma, values),
            }[function]
        )
    for big in (np.array([1e3, 0.0, -5.0]), np.array([[800.0, 0.0], [-1e3, 1e3]])):
        if function in ("softmax", "log_softmax"):
            calls.append((big,))
    return calls


def graded_calls(function: str) -> list[tuple]:
    return plan_calls(function)


# --------------------------------------------------------------------------- imitations


def _as_array(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float64)


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: m.id)
def test_every_mistake_differs_from_the_truth(mistake):
    """An imitation that equals the reference on every graded input could never be told apart
    from a correct answer, so it would be a useless (or wrong) catalogue entry."""
    truth = getattr(ref, mistake.function)
    with np.errstate(all="ignore"):
        assert any(
            not agrees(_as_array(mistake.imitate(*args)), _as_array(truth(*args)))
            for args in graded_calls(mistake.function)
        )


def reference_namespace() -> dict:
    namespace = {"np": np}
    namespace.update({name: getattr(ref, name) for name in API})
    return namespace


def mutant_functions(path) -> dict:
    """The API functions a mutant file defines, in a namespace where the rest is the
    reference (as in a notebook filled with the solution)."""
    namespace = reference_namespace()
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - our corpus
    return {name: namespace[name] for name in API if namespace[name] is not getattr(ref, name)}


BY_ID = {m.id: m for m in CATALOGUE}


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: p.stem)
def test_mutant_computes_its_imitation(path):
    """Each mutant overrides exactly the function of its entry, and returns what the entry's
    imitation returns on every graded input, so the grader names the mutant's mistake."""
    mistake = BY_ID[corpus_settings(path.read_text())["MISCONCEPTION"]]
    functions = mutant_functions(path)
    assert set(functions) == {mistake.function}
    student = functions[mistake.function]
    with np.errstate(all="ignore"):
        for args in graded_calls(mistake.function):
            assert agrees(_as_array(student(*args)), _as_array(mistake.imitate(*args))), args


@pytest.mark.parametrize("mistake", CATALOGUE, ids=lambda m: m.id)
def test_no_earlier_entry_hides_a_mistake(mistake):
    """The grader names the first entry whose imitation matches every call, so an entry that
    an earlier one of the same function imitates on every graded input would never be named."""
    earlier = [m for m in CATALOGUE[: CATALOGUE.index(mistake)] if m.function == mistake.function]
    calls = graded_calls(mistake.function)
    with np.errstate(all="ignore"):
        for other in earlier:
            assert any(
                not agrees(_as_array(other.imitate(*args)), _as_array(mistake.imitate(*args)))
                for args in calls
            ), other.id


def test_non_finite_imitations_match_only_the_same_non_finite_values():
    """Imitations of overflow mistakes return inf or nan; the relative tolerance must not let
    an infinite imitation match any finite output, and nan must match nan."""
    inf = np.inf
    assert agrees(np.array([np.nan, -inf, 1.0]), np.array([np.nan, -inf, 1.0]))
    assert not agrees(np.array([0.0, -inf]), np.array([-inf, -inf]))
    assert not agrees(np.array([inf]), np.array([-inf]))
    assert not agrees(np.array([np.nan]), np.array([0.0]))
