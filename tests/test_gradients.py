import numpy as np
import pytest

import course_lib  # noqa: F401  (quiet TensorFlow logs before Keras loads)
from course_lib.gradients import first_last_ratio, kernel_layers, layer_gradient_norms


def _linear_model(weights, bias):
    import keras

    model = keras.Sequential([keras.Input(shape=(weights.shape[0],)), keras.layers.Dense(1)])
    model.layers[0].set_weights([weights, bias])
    return model


def test_one_layer_linear_model_matches_closed_form():
    # E = mean((x w + b - y)^2)  =>  dE/dw = (2/n) X^T (X w + b - y)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 5)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    w = rng.normal(size=(5, 1)).astype("float32")
    b = np.array([0.3], dtype="float32")
    import keras

    norms = layer_gradient_norms(
        _linear_model(w, b), x, y, loss_fn=lambda t, p: keras.ops.square(p - t)
    )
    expected = np.linalg.norm(2 / len(x) * x.astype(np.float64).T @ (x @ w + b - y))
    assert norms.shape == (1,)
    np.testing.assert_allclose(norms[0], expected, rtol=1e-5)


def test_default_loss_is_sparse_cross_entropy_on_softmax_output():
    # One softmax layer with zero weights: y = 1/K for every class, dE/dW = X^T (y - d) / n.
    import keras

    x = np.array([[1.0, 2.0], [0.0, -1.0]], dtype="float32")
    labels = np.array([0, 2])
    model = keras.Sequential(
        [
            keras.Input(shape=(2,)),
            keras.layers.Dense(3, activation="softmax", kernel_initializer="zeros"),
        ]
    )
    expected = np.linalg.norm(x.T @ (np.full((2, 3), 1 / 3) - np.eye(3)[labels]) / 2)
    np.testing.assert_allclose(layer_gradient_norms(model, x, labels), [expected], rtol=1e-5)


def test_one_norm_per_kernel_layer_in_order():
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(3, activation="sigmoid"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    assert [layer.name for layer in kernel_layers(model)] == [
        model.layers[0].name,
        model.layers[2].name,
    ]
    norms = layer_gradient_norms(
        model, np.ones((8, 4), dtype="float32"), np.zeros(8, dtype="int64")
    )
    assert norms.shape == (2,) and np.all(np.isfinite(norms)) and np.all(norms > 0)


def test_model_without_kernel_raises():
    import keras

    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Activation("relu")])
    with pytest.raises(ValueError, match="kernel"):
        layer_gradient_norms(model, np.ones((2, 4)), np.zeros(2, dtype="int64"))


def test_first_last_ratio():
    assert first_last_ratio([1e-6, 1e-3, 1.0]) == pytest.approx(1e-6)
    assert first_last_ratio(np.array([2.0, 4.0])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="norms must"):
        first_last_ratio([1.0])
    with pytest.raises(ValueError, match="norms\\[-1\\]"):
        first_last_ratio([1.0, 0.0])
