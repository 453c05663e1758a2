"""PCA and ZCA whitening (岡谷『深層学習』p.67-72), fitted on training data, applied to new data.
The eigenvalues and eigenvectors of the covariance come from course_lib.pca.pca_svd."""

from dataclasses import dataclass

import numpy as np

from course_lib.pca import pca_svd
from course_lib.validation import as_matrix

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
    # The covariance (normalised by n) is V diag(S^2 / n) V^T for the SVD X_c = U S V^T of the
    # centred data: its eigenvalues, largest first, are pca_svd's variances, its eigenvectors
    # the components (rows of V^T) as columns.
    mean, components, eigenvalues = pca_svd(x)
    eigenvectors = components.T
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
