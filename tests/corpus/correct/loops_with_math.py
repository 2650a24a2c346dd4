"""Plain Python loops over the samples, scalar arithmetic with the math module."""

import math


def _log_sigmoid(x):
    # log(1 / (1 + exp(-x))) without overflow: expand around whichever side is small.
    if x >= 0:
        return -math.log1p(math.exp(-x))
    return x - math.log1p(math.exp(x))


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def log_prob(theta, actions):
    out = []
    for a in np.asarray(actions).tolist():
        if a == 1:
            out.append(_log_sigmoid(theta))
        else:
            out.append(_log_sigmoid(-theta))
    return np.array(out, dtype=float)


def grad_log_prob(theta, actions):
    s = _sigmoid(theta)
    out = []
    for a in np.asarray(actions).tolist():
        out.append(a - s)
    return np.array(out, dtype=float)


def expected_reward(theta, means):
    s = _sigmoid(theta)
    return (1.0 - s) * means[0] + s * means[1]


def analytic_gradient(theta, means):
    s = _sigmoid(theta)
    return s * (1.0 - s) * (means[1] - means[0])


def reinforce_estimates(theta, actions, rewards, baseline=0.0):
    s = _sigmoid(theta)
    acts = np.asarray(actions).tolist()
    rews = np.asarray(rewards, dtype=float).tolist()
    if np.ndim(baseline) == 0:
        bases = [float(baseline)] * len(rews)
    else:
        bases = np.asarray(baseline, dtype=float).tolist()
    out = []
    for i in range(len(rews)):
        out.append((acts[i] - s) * (rews[i] - bases[i]))
    return np.array(out, dtype=float)


def estimator_variance(theta, means, stds, baseline=0.0):
    s = _sigmoid(theta)
    total = 0.0
    for a in range(2):
        if a == 1:
            pi_a = s
        else:
            pi_a = 1.0 - s
        score = a - s
        total += pi_a * score * score * ((means[a] - baseline) ** 2 + stds[a] ** 2)
    grad = s * (1.0 - s) * (means[1] - means[0])
    return total - grad * grad


def optimal_baseline(theta, means):
    s = _sigmoid(theta)
    return (1.0 - s) * means[1] + s * means[0]


def leave_one_out_baseline(rewards):
    values = [float(r) for r in rewards]
    n = len(values)
    total = 0.0
    for r in values:
        total += r
    out = []
    for r in values:
        out.append((total - r) / (n - 1))
    return np.array(out, dtype=float)
