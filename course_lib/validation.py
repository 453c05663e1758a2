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


def as_matrix(x, name: str = "x") -> np.ndarray:
    """Samples (n, d) or (n, *shape) as a float64 matrix (n, d); ValueError naming `name` if x
    is not at least 2-D or holds NaN or infinity (pca, whitening and anomaly take data this way)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        raise ValueError(f"{name} must have shape (n_samples, ...), got {x.shape}")
    x = x.reshape(len(x), -1)
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{name} contains NaN or infinite values; clean or drop those samples first"
        )
    return x
