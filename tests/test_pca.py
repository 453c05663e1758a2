import numpy as np
import pytest
from sklearn.decomposition import PCA

from course_lib.pca import (
    component_cosines,
    pca_reconstruct,
    pca_svd,
    recover_components,
    subspace_cos2,
    truncation_error,
)


@pytest.fixture(scope="module")
def gaussian():
    """Samples with known covariance: axes scaled by 5, 4, 3, 2, 1, 0.5 then rotated."""
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    scales = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.5])
    return rng.normal(size=(5000, 6)) * scales @ rotation.T + 2.0


def test_pca_svd_matches_sklearn_and_the_covariance(gaussian):
    mean, components, variances = pca_svd(gaussian)
    assert components.shape == (6, 6) and variances.shape == (6,)
    np.testing.assert_allclose(mean, gaussian.mean(axis=0))
    np.testing.assert_allclose(components @ components.T, np.eye(6), atol=1e-12)
    reference = PCA().fit(gaussian)
    np.testing.assert_allclose(component_cosines(components, reference.components_), 1.0)
    n = len(gaussian)
    np.testing.assert_allclose(variances * n / (n - 1), reference.explained_variance_)
    centred = gaussian - mean
    # each component's variance is its Rayleigh quotient under the covariance (divided by n)
    quotient = np.einsum("kd,de,ke->k", components, centred.T @ centred / n, components)
    np.testing.assert_allclose(quotient, variances)


def test_truncation_error_is_the_discarded_variance(gaussian):
    mean, components, variances = pca_svd(gaussian)
    for k in (1, 3, 5):
        expected = variances[k:].sum() / gaussian.shape[1]
        assert truncation_error(gaussian, mean, components, k) == pytest.approx(expected)
    assert truncation_error(gaussian, mean, components, 6) == pytest.approx(0.0, abs=1e-20)
    np.testing.assert_allclose(pca_reconstruct(gaussian, mean, components, 6), gaussian)


def test_reconstruct_rejects_bad_k_and_shapes(gaussian):
    mean, components, _ = pca_svd(gaussian)
    with pytest.raises(ValueError, match="k must be between 1 and 6"):
        pca_reconstruct(gaussian, mean, components, 0)
    with pytest.raises(ValueError, match="k must be between 1 and 6"):
        truncation_error(gaussian, mean, components, 7)
    with pytest.raises(ValueError, match="must match"):
        pca_reconstruct(gaussian[:, :5], mean, components, 2)
    with pytest.raises(ValueError, match="n_samples"):
        pca_svd(np.zeros(6))
    with pytest.raises(ValueError, match="NaN"):
        pca_svd(np.full((3, 2), np.nan))


def test_subspace_cos2_closed_forms():
    eye = np.eye(4)
    assert subspace_cos2(eye[:2], eye[:2]) == pytest.approx(1.0)
    # any other basis of the same plane spans the same subspace
    assert subspace_cos2(eye[:2], np.array([[2.0, 1.0, 0, 0], [1.0, -3.0, 0, 0]])) == (
        pytest.approx(1.0)
    )
    assert subspace_cos2(eye[:2], eye[2:]) == pytest.approx(0.0, abs=1e-24)
    # one shared axis and one orthogonal axis: angles 0 and 90 degrees
    assert subspace_cos2(eye[[0, 1]], eye[[0, 2]]) == pytest.approx(0.5)
    # one line tilted by 30 degrees in the (e1, e2) plane
    theta = np.pi / 6
    line = np.array([[np.cos(theta), np.sin(theta), 0.0, 0.0]])
    assert subspace_cos2(eye[:1], line) == pytest.approx(np.cos(theta) ** 2)


def test_subspace_cos2_rejects_bad_bases():
    with pytest.raises(ValueError, match="linearly independent"):
        subspace_cos2(np.array([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]), np.eye(3)[:2])
    with pytest.raises(ValueError, match=r"shape \(k, 3\)"):
        subspace_cos2(np.eye(3)[:2], np.eye(4)[:2])


def test_recover_components_undoes_any_invertible_mixing(gaussian):
    mean, components, variances = pca_svd(gaussian)
    rng = np.random.default_rng(1)
    mixing = rng.normal(size=(3, 3))  # W = R V_k, R invertible (not orthogonal)
    recovered, recovered_variances = recover_components(mixing @ components[:3], gaussian - mean)
    assert recovered.shape == (3, 6)
    np.testing.assert_allclose(component_cosines(recovered, components[:3]), 1.0, atol=1e-10)
    np.testing.assert_allclose(recovered_variances, variances[:3])


def test_recover_components_rejects_bad_input(gaussian):
    with pytest.raises(ValueError, match="linearly independent"):
        recover_components(np.ones((2, 6)), gaussian)
    with pytest.raises(ValueError, match=r"shape \(k, 6\)"):
        recover_components(np.eye(5)[:2], gaussian)


def test_component_cosines():
    a = np.array([[1.0, 0.0], [1.0, 1.0]])
    b = np.array([[-2.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(component_cosines(a, b), [1.0, np.sqrt(0.5)])
    with pytest.raises(ValueError, match="same shape"):
        component_cosines(a, b[:1])
    with pytest.raises(ValueError, match="zero rows"):
        component_cosines(a, np.zeros((2, 2)))
