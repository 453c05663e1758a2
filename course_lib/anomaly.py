"""Anomaly detection by reconstruction error (lesson 10; Wikipedia「オートエンコーダ」: 異常検知):
the one-class split, the PCA baseline score, ROC AUC, thresholds and precision / recall."""

import numpy as np

from course_lib.pca import pca_reconstruct, pca_svd
from course_lib.validation import as_matrix


def _as_scores(scores, name: str) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1 or len(scores) == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return scores


def one_class_split(
    x, labels, normal_class: int, n_train=None, n_holdout: int = 0, contamination=0.0, seed=0
):
    """One-class training data: n_train images (n_train, d) of which a fraction `contamination`
    comes from the other classes, plus n_holdout further normal images (n_holdout, d) for a
    threshold. Returns (x_train, x_holdout, is_contaminant (n_train,) bool), seeded, shuffled."""
    x = np.asarray(x)
    labels = np.asarray(labels)
    if x.ndim < 2 or labels.shape != (len(x),):
        raise ValueError(f"x (n, d...) and labels (n,) must match, got {x.shape}, {labels.shape}")
    if not 0.0 <= float(contamination) < 1.0:
        raise ValueError(f"contamination must be in [0, 1), got {contamination}")
    normal = np.flatnonzero(labels == normal_class)
    others = np.flatnonzero(labels != normal_class)
    if len(normal) == 0:
        raise ValueError(f"normal_class {normal_class} does not occur in labels")
    if int(n_holdout) < 0:
        raise ValueError(f"n_holdout must be >= 0, got {n_holdout}")
    n_train = len(normal) - int(n_holdout) if n_train is None else int(n_train)
    n_outliers = int(round(float(contamination) * n_train))
    n_inliers = n_train - n_outliers
    if n_train < 1 or n_inliers + int(n_holdout) > len(normal) or n_outliers > len(others):
        raise ValueError(
            f"n_train {n_train} (contamination {contamination}) and n_holdout {n_holdout} need "
            f"more images than class {normal_class} has ({len(normal)} normal, {len(others)} other)"
        )
    rng = np.random.default_rng(seed)
    normal = rng.permutation(normal)
    inliers, holdout = normal[:n_inliers], normal[n_inliers : n_inliers + int(n_holdout)]
    chosen = np.concatenate([inliers, rng.choice(others, size=n_outliers, replace=False)])
    is_contaminant = np.arange(n_train) >= n_inliers
    order = rng.permutation(n_train)
    return x[chosen[order]], x[holdout], is_contaminant[order]


def one_class_auc(scores, labels, normal_class: int) -> float:
    """ROC AUC of anomaly scores (n,) (higher = more anomalous) with label != normal_class as
    the positive (anomalous) class (sklearn.metrics.roc_auc_score)."""
    from sklearn.metrics import roc_auc_score

    scores = _as_scores(scores, "scores")
    is_anomaly = np.asarray(labels) != normal_class
    if is_anomaly.shape != scores.shape:
        raise ValueError(f"labels {is_anomaly.shape} must match scores {scores.shape}")
    if is_anomaly.all() or not is_anomaly.any():
        raise ValueError(f"labels need both normal_class {normal_class} and other classes")
    return float(roc_auc_score(is_anomaly, scores))


def pca_reconstruction_errors(x_fit, x, k: int) -> np.ndarray:
    """PCA baseline score: mean squared error per sample (n,) of the k-term PCA reconstruction
    (course_lib.pca.pca_reconstruct) of x (n, d), the components fitted on x_fit (m, d) by
    course_lib.pca.pca_svd (lesson 05)."""
    x_fit = as_matrix(x_fit, "x_fit")
    x = as_matrix(x, "x")
    if len(x_fit) < 2:
        raise ValueError(f"x_fit needs at least 2 samples, got {len(x_fit)}")
    mean, components, _ = pca_svd(x_fit)
    return np.mean((pca_reconstruct(x, mean, components, k) - x) ** 2, axis=1)


def percentile_threshold(normal_scores, percentile=95.0) -> float:
    """Threshold = the given percentile of held-out normal scores (m,): about
    (100 - percentile) % of normal data lies above it (the false-alarm rate)."""
    normal_scores = _as_scores(normal_scores, "normal_scores")
    if not 0.0 < float(percentile) < 100.0:
        raise ValueError(f"percentile must be in (0, 100), got {percentile}")
    return float(np.percentile(normal_scores, float(percentile)))


def precision_recall_at(scores, is_anomaly, threshold) -> tuple[float, float]:
    """(precision, recall) of the rule score > threshold for anomalies, scores (n,), is_anomaly
    (n,) bool (sklearn.metrics.precision_score / recall_score; precision 0 if nothing flagged)."""
    from sklearn.metrics import precision_score, recall_score

    scores = _as_scores(scores, "scores")
    is_anomaly = np.asarray(is_anomaly)
    if is_anomaly.shape != scores.shape or is_anomaly.dtype != bool:
        raise ValueError(f"is_anomaly must be a bool array of shape {scores.shape}")
    if not np.isfinite(threshold):
        raise ValueError(f"threshold must be finite, got {threshold}")
    flagged = scores > threshold
    return (
        float(precision_score(is_anomaly, flagged, zero_division=0)),
        float(recall_score(is_anomaly, flagged, zero_division=0)),
    )
