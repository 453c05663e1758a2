import numpy as np
import pytest

from course_lib.anomaly import (
    one_class_auc,
    one_class_split,
    pca_reconstruction_errors,
    percentile_threshold,
    precision_recall_at,
)
from course_lib.pca import pca_reconstruct, pca_svd


@pytest.fixture(scope="module")
def labelled():
    """100 samples of 3 classes whose single feature is the sample's index."""
    labels = np.repeat([0, 1, 2], [40, 30, 30])
    return np.arange(100, dtype=np.float64)[:, None], labels


def test_split_draws_normal_train_and_disjoint_holdout(labelled):
    x, labels = labelled
    train, holdout, is_contaminant = one_class_split(x, labels, 1, n_holdout=10, seed=3)
    assert train.shape == (20, 1) and holdout.shape == (10, 1) and not is_contaminant.any()
    used = np.concatenate([train[:, 0], holdout[:, 0]]).astype(int)
    assert len(set(used)) == 30 and set(used) == set(np.flatnonzero(labels == 1))
    again = one_class_split(x, labels, 1, n_holdout=10, seed=3)
    np.testing.assert_array_equal(again[0], train)


def test_split_contamination_replaces_a_fraction_with_other_classes(labelled):
    x, labels = labelled
    train, holdout, is_contaminant = one_class_split(
        x, labels, 0, n_train=20, n_holdout=5, contamination=0.25, seed=0
    )
    rows = train[:, 0].astype(int)
    assert len(train) == 20 and is_contaminant.sum() == 5 and len(set(rows)) == 20
    np.testing.assert_array_equal(labels[rows] != 0, is_contaminant)
    assert np.all(labels[holdout[:, 0].astype(int)] == 0)
    assert not set(rows) & set(holdout[:, 0].astype(int))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"contamination": 1.0}, "contamination"),
        ({"contamination": -0.1}, "contamination"),
        ({"n_holdout": -1}, "n_holdout"),
        ({"n_holdout": 31}, "n_train"),
        ({"n_train": 31}, "n_train"),
        ({"normal_class": 7}, "normal_class 7"),
    ],
)
def test_split_rejects_bad_arguments(labelled, kwargs, match):
    x, labels = labelled
    kwargs = {"normal_class": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        one_class_split(x, labels, **kwargs)


def test_auc_is_the_probability_an_anomaly_scores_higher():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=200)
    scores = np.round(rng.normal(size=200) + (labels != 2), 1)  # ties on purpose
    normal, anomalous = scores[labels == 2], scores[labels != 2]
    diff = anomalous[:, None] - normal[None, :]
    brute_force = np.mean((diff > 0) + 0.5 * (diff == 0))
    assert one_class_auc(scores, labels, 2) == pytest.approx(brute_force)
    assert one_class_auc(labels != 2, labels, 2) == 1.0
    assert one_class_auc(labels == 2, labels, 2) == 0.0


def test_auc_rejects_one_sided_labels_and_bad_scores():
    with pytest.raises(ValueError, match="both"):
        one_class_auc([0.1, 0.2], [1, 1], 1)
    with pytest.raises(ValueError, match="must match"):
        one_class_auc([0.1, 0.2], [0, 1, 2], 1)
    with pytest.raises(ValueError, match="NaN"):
        one_class_auc([np.nan, 0.2], [0, 1], 1)


def test_pca_errors_match_pca_svd_and_vanish_in_the_plane():
    rng = np.random.default_rng(1)
    plane = rng.normal(size=(2, 5))
    x_fit = rng.normal(size=(300, 2)) @ plane + 1.0
    x = rng.normal(size=(7, 5))
    mean, components, _ = pca_svd(x_fit)
    expected = np.mean((pca_reconstruct(x, mean, components, 2) - x) ** 2, axis=1)
    np.testing.assert_allclose(pca_reconstruction_errors(x_fit, x, 2), expected, atol=1e-12)
    in_plane = rng.normal(size=(4, 2)) @ plane + 1.0
    np.testing.assert_allclose(pca_reconstruction_errors(x_fit, in_plane, 2), 0.0, atol=1e-20)
    with pytest.raises(ValueError, match="k must be between 1 and 5"):
        pca_reconstruction_errors(x_fit, x, 6)
    with pytest.raises(ValueError, match="x_fit"):
        pca_reconstruction_errors(x_fit[:1], x, 1)


def test_percentile_threshold_leaves_the_right_fraction_above():
    assert percentile_threshold(np.arange(101.0), 95) == 95.0
    scores = np.random.default_rng(2).exponential(size=10000)
    assert np.mean(scores > percentile_threshold(scores, 90)) == pytest.approx(0.10, abs=1e-3)
    for bad in (0, 100, -5):
        with pytest.raises(ValueError, match="percentile"):
            percentile_threshold(scores, bad)
    with pytest.raises(ValueError, match="normal_scores"):
        percentile_threshold([], 95)


def test_precision_recall_by_hand():
    scores = np.array([0.1, 0.4, 0.35, 0.8, 0.9, 0.2])
    is_anomaly = np.array([False, False, True, True, True, False])
    # flagged (> 0.3): 0.4 (false alarm), 0.35, 0.8, 0.9 -> precision 3/4, recall 3/3
    assert precision_recall_at(scores, is_anomaly, 0.3) == (0.75, 1.0)
    assert precision_recall_at(scores, is_anomaly, 0.85) == (1.0, pytest.approx(1 / 3))
    assert precision_recall_at(scores, is_anomaly, 1.0) == (0.0, 0.0)
    with pytest.raises(ValueError, match="is_anomaly"):
        precision_recall_at(scores, is_anomaly.astype(int), 0.3)
    with pytest.raises(ValueError, match="threshold"):
        precision_recall_at(scores, is_anomaly, np.nan)
