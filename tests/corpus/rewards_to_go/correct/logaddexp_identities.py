"""The log-normaliser through np.logaddexp.reduce; softmax as the exponential of log pi."""


def softmax(theta):
    theta = np.asarray(theta, dtype=float)
    return np.exp(theta - np.logaddexp.reduce(theta, axis=-1, keepdims=True))


def log_softmax(theta):
    theta = np.asarray(theta, dtype=float)
    return theta - np.logaddexp.reduce(theta, axis=-1, keepdims=True)


def grad_log_softmax(theta, actions):
    k = np.size(theta)
    return np.eye(k)[np.asarray(actions)] - np.exp(log_softmax(theta))


def expected_reward(theta, means):
    return float(np.sum(softmax(theta) * np.asarray(means, dtype=float)))
