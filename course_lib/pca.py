"""PCA and the linear autoencoder (岡谷『深層学習』p.60-62): PCA by SVD, truncation error,
principal angles between subspaces, and the ordered components inside any basis of a subspace.
pca_svd is the course's one PCA: whitening (lesson 06) and the anomaly baseline (lesson 10)
use it too."""

import numpy as np
from scipy.linalg import subspace_angles

from course_lib.validation import as_matrix


def _as_data(x, name: str = "x") -> np.ndarray:
    """x as a float64 (n >= 2, d) matrix of finite values (validation.as_matrix)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must have shape (n_samples >= 2, n_features), got {x.shape}")
    return as_matrix(x, name)


def _as_basis(basis, d: int | None, name: str) -> np.ndarray:
    basis = np.asarray(basis, dtype=np.float64)
    if basis.ndim != 2 or (d is not None and basis.shape[1] != d):
        want = f"(k, {d})" if d is not None else "(k, d)"
        raise ValueError(
            f"{name} must have shape {want} (one basis vector per row), got {basis.shape}"
        )
    if basis.shape[0] > basis.shape[1] or np.linalg.matrix_rank(basis) < basis.shape[0]:
        raise ValueError(f"{name} ({basis.shape}) must have linearly independent rows")
    return basis


def pca_svd(x):
    """PCA of x (n, d) by the SVD of the centred data X_c = U S V^T: returns the mean (d,),
    the components (r, d) = rows of V^T and the explained variances S^2 / n (r,), r = min(n, d)."""
    x = _as_data(x)
    mean = x.mean(axis=0)
    _, singular_values, vt = np.linalg.svd(x - mean, full_matrices=False)
    return mean, vt, singular_values**2 / len(x)


def pca_reconstruct(x, mean, components, k: int) -> np.ndarray:
    """k-term PCA reconstruction mean + (x - mean) V_k^T V_k of x (n, d); components (r, d)."""
    x = _as_data(x)
    components = np.asarray(components, dtype=np.float64)
    if not 1 <= int(k) <= len(components):
        raise ValueError(f"k must be between 1 and {len(components)}, got {k}")
    if components.shape[1] != x.shape[1] or np.shape(mean) != (x.shape[1],):
        raise ValueError(
            f"x has {x.shape[1]} features; mean {np.shape(mean)} and components "
            f"{components.shape} must match"
        )
    top = components[: int(k)]
    return mean + (x - mean) @ top.T @ top


def truncation_error(x, mean, components, k: int) -> float:
    """Mean squared error per element of the k-term PCA reconstruction of x (n, d)."""
    x = _as_data(x)
    return float(np.mean((pca_reconstruct(x, mean, components, k) - x) ** 2))


def subspace_cos2(a, b) -> float:
    """Mean cos^2 of the principal angles between the row spaces of a (k, d) and b (m, d)
    (scipy.linalg.subspace_angles): 1 for the same subspace, 0 for orthogonal ones."""
    a = _as_basis(a, None, "a")
    b = _as_basis(b, a.shape[1], "b")
    return float(np.mean(np.cos(subspace_angles(a.T, b.T)) ** 2))


def recover_components(basis, x_centred):
    """Ordered principal components inside the row space of basis (k, d): orthonormalise it
    (QR), project the centred data x_centred (n, d), diagonalise the projected covariance
    (eigh) and rotate. Returns components (k, d) and their variances (k,), largest first."""
    x_centred = _as_data(x_centred, "x_centred")
    basis = _as_basis(basis, x_centred.shape[1], "basis")
    q, _ = np.linalg.qr(basis.T)
    projected = x_centred @ q
    variances, rotation = np.linalg.eigh(projected.T @ projected / len(x_centred))
    order = np.argsort(variances)[::-1]
    return (q @ rotation[:, order]).T, variances[order]


def component_cosines(a, b) -> np.ndarray:
    """|cos| of the angle between row i of a (k, d) and row i of b (k, d), shape (k,):
    1 when two components agree up to sign."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"a and b must be 2-D with the same shape, got {a.shape} and {b.shape}")
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    if np.any(norms == 0):
        raise ValueError("a and b must not contain zero rows")
    return np.abs(np.sum(a * b, axis=1)) / norms
