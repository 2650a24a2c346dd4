"""scipy.special's softmax and logsumexp, and lfilter-free scipy-style vectorisation."""

from scipy.special import logsumexp
from scipy.special import softmax as scipy_softmax


def softmax(theta):
    return scipy_softmax(np.asarray(theta, dtype=float), axis=-1)


def log_softmax(theta):
    theta = np.asarray(theta, dtype=float)
    return theta - logsumexp(theta, axis=-1, keepdims=True)


def exact_gradient(theta, means):
    pi = softmax(theta)
    return pi * np.asarray(means) - pi * np.dot(pi, means)
