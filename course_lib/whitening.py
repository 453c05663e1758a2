"""PCA and ZCA whitening (岡谷『深層学習』p.67-72), fitted on training data, applied to new data."""

from dataclasses import dataclass

import numpy as np

METHODS = ("pca", "zca")


@dataclass(frozen=True)
class Whitening:
    """A fitted whitening: transform(x) = (x - mean) @ matrix.

    matrix is (d, k) for PCA whitening (k components) and (d, d) for ZCA whitening. It acts on
    row vectors, so it is the transpose of the slides' P (which whitens a column x as P x):
    matrix = P^T (ZCA's P is symmetric, so there matrix = P).
    eigenvalues (d,) are those of the training covariance, largest first."""

    method: str
    epsilon: float
    mean: np.ndarray
    matrix: np.ndarray
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray

    def transform(self, x) -> np.ndarray:
        """Whiten x of shape (n, d) or (n, *shape) with prod(shape) = d; returns (n, k)."""
        x = as_matrix(x, "x")
        if x.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f"x has {x.shape[1]} features, the whitening was fitted on {self.mean.shape[0]}"
            )
        return (x - self.mean) @ self.matrix


def as_matrix(x, name: str = "x") -> np.ndarray:
    """Samples (n, d) or (n, *shape) as a float64 matrix (n, d); ValueError naming `name` if x
    is not at least 2-D or holds NaN or infinity (shared by whitening and pca)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        raise ValueError(f"{name} must have shape (n_samples, ...), got {x.shape}")
    x = x.reshape(len(x), -1)
    if not np.all(np.isfinite(x)):
        raise ValueError(
            f"{name} contains NaN or infinite values; clean or drop those samples first"
        )
    return x


def covariance(x) -> np.ndarray:
    """Covariance (d, d) of x (n, d) around its mean, normalised by n (as on the slides)."""
    x = as_matrix(x, "x")
    centred = x - x.mean(axis=0)
    return centred.T @ centred / len(x)


def fit_whitening(
    x, method: str = "zca", epsilon: float = 1e-5, n_components: int | None = None
) -> Whitening:
    """Fit PCA whitening, U_k diag(1/sqrt(lambda + eps)), or ZCA whitening,
    U diag(1/sqrt(lambda + eps)) U^T, on x (n, d) with n > d samples."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if not np.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon}")
    x = as_matrix(x, "x")
    n, d = x.shape
    if n <= d:
        raise ValueError(
            f"need more samples than dimensions to estimate the covariance: got {n} samples of "
            f"dimension {d}; use more samples or smaller inputs (e.g. smaller patches)"
        )
    k = d if n_components is None else int(n_components)
    if not 1 <= k <= d:
        raise ValueError(f"n_components must be between 1 and {d}, got {n_components}")
    if method == "zca" and k != d:
        raise ValueError("ZCA whitening keeps every dimension: leave n_components unset")
    mean = x.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance(x))
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues = np.clip(eigenvalues[order], 0.0, None)
    eigenvectors = eigenvectors[:, order]
    if epsilon == 0 and eigenvalues[k - 1] <= 1e-12 * eigenvalues[0]:
        raise ValueError(
            "the covariance is singular in the kept directions, so epsilon = 0 divides by zero; "
            "use epsilon > 0 or fewer n_components"
        )
    scale = 1.0 / np.sqrt(eigenvalues[:k] + epsilon)
    matrix = eigenvectors[:, :k] * scale
    if method == "zca":
        matrix = matrix @ eigenvectors.T
    return Whitening(method, float(epsilon), mean, matrix, eigenvalues, eigenvectors)


def components_for_variance(eigenvalues, fraction: float = 0.99) -> int:
    """Smallest k whose top-k eigenvalues hold `fraction` of the total variance (the 99 % rule)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    eigenvalues = np.sort(np.asarray(eigenvalues, dtype=np.float64))[::-1]
    share = np.cumsum(eigenvalues) / eigenvalues.sum()
    return int(np.searchsorted(share, fraction - 1e-12) + 1)
