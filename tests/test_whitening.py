import numpy as np
import pytest
from sklearn.decomposition import PCA

from course_lib.whitening import components_for_variance, covariance, fit_whitening


@pytest.fixture(scope="module")
def correlated():
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(6, 6))
    return rng.normal(size=(4000, 6)) @ mixing + 3.0


def test_covariance_matches_numpy(correlated):
    np.testing.assert_allclose(covariance(correlated), np.cov(correlated.T, bias=True))


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_epsilon_zero_gives_identity_covariance(correlated, method):
    white = fit_whitening(correlated, method=method, epsilon=0.0).transform(correlated)
    assert np.abs(white.mean(axis=0)).max() < 1e-9
    assert np.abs(covariance(white) - np.eye(6)).max() < 1e-9


def test_zca_is_symmetric_and_pca_matches_sklearn(correlated):
    zca = fit_whitening(correlated, "zca", epsilon=0.0)
    np.testing.assert_allclose(zca.matrix, zca.matrix.T, atol=1e-10)
    pca = fit_whitening(correlated, "pca", epsilon=0.0, n_components=3)
    ours = pca.transform(correlated)
    theirs = PCA(n_components=3, whiten=True).fit_transform(correlated)
    # sklearn divides by n - 1 and may flip signs per component.
    scale = np.sqrt(len(correlated) / (len(correlated) - 1))
    np.testing.assert_allclose(np.abs(ours), np.abs(theirs) * scale, atol=1e-8)


def test_epsilon_shrinks_small_directions(correlated):
    variances = [
        np.diag(covariance(fit_whitening(correlated, "zca", eps).transform(correlated)))
        for eps in (0.0, 0.1, 10.0)
    ]
    assert np.allclose(variances[0], 1.0)
    assert np.all(variances[1] < 1.0) and np.all(variances[2] < variances[1])


def test_transform_new_data_uses_training_statistics(correlated):
    fitted = fit_whitening(correlated[:3000], "zca", epsilon=0.0)
    held_out = fitted.transform(correlated[3000:])
    assert held_out.shape == (1000, 6)
    assert np.abs(covariance(held_out) - np.eye(6)).max() < 0.15
    with pytest.raises(ValueError, match="fitted on 6"):
        fitted.transform(np.zeros((2, 5)))


def test_images_are_flattened():
    rng = np.random.default_rng(1)
    patches = rng.random((500, 3, 3))
    assert fit_whitening(patches, "pca", 1e-3).transform(patches).shape == (500, 9)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"x": np.zeros((5, 10))}, "more samples than dimensions"),
        ({"x": np.array([[1.0, np.nan]] * 5)}, "NaN or infinite"),
        ({"x": np.ones((50, 2)), "method": "zca-ish"}, "method must be one of"),
        ({"x": np.ones((50, 2)), "epsilon": -1.0}, "epsilon must be"),
        ({"x": np.ones((50, 2)), "method": "pca", "n_components": 3}, "n_components"),
        ({"x": np.ones((50, 2)), "method": "zca", "n_components": 1}, "ZCA"),
        ({"x": np.ones((50, 2)), "epsilon": 0.0}, "singular"),
    ],
)
def test_guards(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit_whitening(**kwargs)


def test_components_for_variance():
    assert components_for_variance([5.0, 3.0, 1.0, 1.0], 0.8) == 2
    assert components_for_variance([1.0, 1.0, 1.0, 1.0], 0.99) == 4
    assert components_for_variance([1.0, 0.0, 0.0], 0.99) == 1
    with pytest.raises(ValueError, match="fraction"):
        components_for_variance([1.0], 1.5)
