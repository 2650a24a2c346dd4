"""Leaves log_prob as released: only the cells that test it lose points."""

FAILS = ["test_log_prob", "test_numerical_stability"]
KEEP_STUBS = ["log_prob"]
