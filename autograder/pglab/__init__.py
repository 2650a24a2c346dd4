"""pglab: auto-graded policy-gradient exercises on nbgrader."""

__version__ = "0.1.0"
