"""Probes for the ``reinforce`` assignment: one per autograded cell.

Every builder takes a seeded ``numpy.random.Generator`` and returns a list of argument
tuples for one student function.  Builders are copied into the notebook, so they use
numpy only and call no other module code (helpers they need are listed in the probe).
Thetas are Python floats, actions int arrays of 0/1, means and stds Python lists.
"""

from __future__ import annotations

import inspect

from pglab.probes import Part, Probe


def settings_of(builder) -> dict:
    """The keyword defaults of a builder: the fixed parameters of its experiment."""
    return {
        name: p.default
        for name, p in inspect.signature(builder).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


def _pglab_thetas_and_actions(rng):
    thetas = [0.0, 6.0, -6.0, 1e-3, -1e-3, 2.5] + list(rng.uniform(-6.0, 6.0, 54))
    return [(float(theta), rng.integers(0, 2, size=int(rng.integers(1, 13)))) for theta in thetas]


def _pglab_thetas_and_means(rng):
    calls = [(0.0, [1.0, 1.0]), (3.0, [-2.0, 5.0]), (-4.0, [0.5, -1.5])]
    for theta in rng.uniform(-6.0, 6.0, 37):
        calls.append((float(theta), [float(m) for m in rng.uniform(-5.0, 5.0, 2)]))
    return calls


def _pglab_estimates_inputs(rng):
    calls = []
    for index in range(45):
        theta = float(rng.uniform(-6.0, 6.0))
        n = int(rng.integers(1, 21))
        actions = rng.integers(0, 2, size=n)
        rewards = rng.normal(1.0, 3.0, size=n)
        if index % 3 == 0:
            calls.append((theta, actions, rewards))
        elif index % 3 == 1:
            calls.append((theta, actions, rewards, float(rng.uniform(-5.0, 5.0))))
        else:
            calls.append((theta, actions, rewards, rng.normal(0.0, 2.0, size=n)))
    return calls


def _pglab_unbiased_samples(rng, theta=0.5, means=(1.0, 2.5), stds=(1.0, 0.5), n=10**6):
    import numpy

    actions = (rng.random(n) < 1.0 / (1.0 + numpy.exp(-theta))).astype(numpy.int64)
    rewards = numpy.asarray(means)[actions] + numpy.asarray(stds)[actions] * rng.standard_normal(n)
    return [(theta, actions, rewards)]


def _pglab_estimates_score_table(rng):
    """The student's score of both actions at each theta of ``_pglab_estimates_inputs``."""
    import numpy

    return [(args[0], numpy.array([0, 1])) for args in _pglab_estimates_inputs(rng)]


def _pglab_unbiased_score_table(rng, theta=0.5):
    import numpy

    return [(theta, numpy.array([0, 1]))]


def _pglab_variance_action_table(rng):
    """Both actions at each theta of ``_pglab_variance_inputs``."""
    import numpy

    return [(args[0], numpy.array([0, 1])) for args in _pglab_variance_inputs(rng)]


def _pglab_variance_gradient_args(rng):
    return [(args[0], args[1]) for args in _pglab_variance_inputs(rng)]


def _pglab_baseline_action_table(rng):
    """Both actions at each theta of ``_pglab_thetas_and_means``."""
    import numpy

    return [(args[0], numpy.array([0, 1])) for args in _pglab_thetas_and_means(rng)]


def _pglab_variance_inputs(rng):
    calls = [(0.0, [0.0, 1.0], [1.0, 1.0]), (2.0, [3.0, 5.0], [0.5, 2.0], 4.0)]
    for index in range(38):
        theta = float(rng.uniform(-6.0, 6.0))
        means = [float(m) for m in rng.uniform(-5.0, 5.0, 2)]
        stds = [float(s) for s in rng.uniform(0.1, 3.0, 2)]
        if index % 2 == 0:
            calls.append((theta, means, stds))
        else:
            calls.append((theta, means, stds, float(rng.uniform(-5.0, 5.0))))
    return calls


def _pglab_loo_exact_inputs(rng):
    return [(rng.normal(2.0, 3.0, size=int(n)),) for n in rng.integers(2, 11, size=40)]


def _pglab_loo_batches(
    rng, theta=0.0, means=(0.0, 4.0), stds=(0.5, 0.5), sizes=(2, 3, 4), per_size=20_000
):
    """(actions, rewards) of ``per_size`` batches of each size; actions ~ pi_theta."""
    import numpy

    batches = []
    for size in sizes:
        p1 = 1.0 / (1.0 + numpy.exp(-theta))
        actions = (rng.random((per_size, size)) < p1).astype(numpy.int64)
        noise = rng.standard_normal((per_size, size))
        rewards = numpy.asarray(means)[actions] + numpy.asarray(stds)[actions] * noise
        batches.extend(zip(actions, rewards, strict=True))
    return batches


def _pglab_loo_unbiased_inputs(rng):
    return [(rewards,) for _, rewards in _pglab_loo_batches(rng)]


def _pglab_extreme_thetas(rng, thetas=(30.0, -30.0, 100.0, -100.0, 500.0, -500.0, 1000.0, -1000.0)):
    import numpy

    return [(theta, numpy.array([0, 1, 1, 0])) for theta in thetas]


PROBES = (
    Probe("test_log_prob", 20261101, (Part("log_prob", _pglab_thetas_and_actions),)),
    Probe("test_grad_log_prob", 20261102, (Part("grad_log_prob", _pglab_thetas_and_actions),)),
    Probe("test_expected_reward", 20261103, (Part("expected_reward", _pglab_thetas_and_means),)),
    Probe(
        "test_analytic_gradient", 20261104, (Part("analytic_gradient", _pglab_thetas_and_means),)
    ),
    # Each reinforce probe also records the student's own score of both actions, so that a
    # bug in grad_log_prob is charged to grad_log_prob's cell only (see checks/reinforce.py).
    Probe(
        "test_reinforce_exact",
        20261105,
        (
            Part("reinforce_estimates", _pglab_estimates_inputs),
            Part("grad_log_prob", _pglab_estimates_score_table, stream=0),
        ),
    ),
    Probe(
        "test_reinforce_unbiased",
        20261106,
        (
            Part("reinforce_estimates", _pglab_unbiased_samples),
            Part("grad_log_prob", _pglab_unbiased_score_table),
        ),
    ),
    # The variance and baseline probes also record the helpers a student may build them from.
    Probe(
        "test_estimator_variance",
        20261107,
        (
            Part("estimator_variance", _pglab_variance_inputs),
            Part("log_prob", _pglab_variance_action_table, stream=0),
            Part("grad_log_prob", _pglab_variance_action_table, stream=0),
            Part("analytic_gradient", _pglab_variance_gradient_args, stream=0),
        ),
    ),
    Probe(
        "test_optimal_baseline",
        20261108,
        (
            Part("optimal_baseline", _pglab_thetas_and_means),
            Part("log_prob", _pglab_baseline_action_table, stream=0),
            Part("grad_log_prob", _pglab_baseline_action_table, stream=0),
        ),
    ),
    Probe(
        "test_leave_one_out",
        20261109,
        (
            Part("leave_one_out_baseline", _pglab_loo_exact_inputs),
            Part("leave_one_out_baseline", _pglab_loo_unbiased_inputs),
        ),
        helpers=(_pglab_loo_batches,),
    ),
    Probe(
        "test_numerical_stability",
        20261110,
        (Part("log_prob", _pglab_extreme_thetas), Part("grad_log_prob", _pglab_extreme_thetas)),
    ),
)
