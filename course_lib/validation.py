"""Checks of hyperparameters shared by the concept modules: a bad value is a ValueError that
names the argument (and says what it must be)."""

import numpy as np


def positive_int(value, name: str) -> int:
    """`value` as an int if it is an int >= 1 (no bool, no float); else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def rate(value, name: str) -> float:
    """`value` as a float if it is a number in [0, 1) (a dropout rate), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)
