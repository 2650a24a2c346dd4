"""Connects to a listener on the grading machine's loopback (127.0.0.1 and [::1]; the test
starts it and fills in its port) and sends its name."""

import socket

KEEP_STUBS = "all"  # every API function left as released
CONTROL = "connects"
SANDBOXED_OUTPUT = ["127.0.0.1 refused", "::1 refused"]

port = int("@LISTENER_PORT@")
for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    try:
        with socket.socket(family, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect((host, port))
            connection.sendall(b"network attack")
            print(host, "connected")
    except OSError as error:
        print(host, "refused:", error.strerror)


def log_prob(theta, actions):
    raise NotImplementedError()
