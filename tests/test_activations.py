import math

import numpy as np
import pytest

from course_lib.activations import (
    ACTIVATION_NAMES,
    activation,
    autodiff_derivative,
    derivative,
)

# An even number of points from -4 to 4 never lands on the kink at 0.
GRID = np.linspace(-4.0, 4.0, 400)


def test_values_at_known_points():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(activation("sigmoid", x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(activation("tanh", x), np.tanh(x))
    np.testing.assert_allclose(activation("relu", x), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(activation("leaky_relu", x, negative_slope=0.1), [-0.2, 0.0, 3.0])
    np.testing.assert_allclose(activation("elu", x, alpha=2.0), [2 * math.expm1(-2), 0.0, 3.0])


def test_sigmoid_does_not_overflow():
    with np.errstate(all="raise"):
        np.testing.assert_allclose(activation("sigmoid", [-1000.0, 1000.0]), [0.0, 1.0])


def test_derivatives_at_known_points():
    assert derivative("sigmoid", 0.0) == pytest.approx(0.25)
    assert derivative("tanh", 0.0) == pytest.approx(1.0)
    assert derivative("tanh", 0.5) == pytest.approx(1 - math.tanh(0.5) ** 2)
    np.testing.assert_allclose(derivative("relu", [-1.0, 0.0, 1.0]), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(derivative("leaky_relu", [-1.0, 1.0], negative_slope=0.3), [0.3, 1])
    np.testing.assert_allclose(derivative("elu", [-1.0, 1.0], alpha=0.5), [0.5 / math.e, 1.0])


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_derivative_matches_central_differences(name):
    h = 1e-6
    numeric = (activation(name, GRID + h) - activation(name, GRID - h)) / (2 * h)
    np.testing.assert_allclose(derivative(name, GRID), numeric, atol=1e-6)


def test_shapes_are_kept():
    x = np.zeros((2, 3, 4))
    for name in ACTIVATION_NAMES:
        assert activation(name, x).shape == derivative(name, x).shape == x.shape


def test_autodiff_matches_closed_forms():
    keras = pytest.importorskip("keras")
    ops = keras.ops
    fns = {
        "sigmoid": ops.sigmoid,
        "tanh": ops.tanh,
        "relu": ops.relu,
        "leaky_relu": lambda v: ops.leaky_relu(v, negative_slope=0.2),
        "elu": lambda v: ops.elu(v, alpha=1.0),
    }
    for name, fn in fns.items():
        grad = autodiff_derivative(fn, GRID)
        assert grad.shape == GRID.shape and grad.dtype == np.float32
        assert np.abs(grad - derivative(name, GRID)).max() < 1e-5, name


def test_autodiff_of_a_composed_function_follows_the_chain_rule():
    keras = pytest.importorskip("keras")
    x = np.array([[0.3, -1.2], [2.0, 0.1]])
    grad = autodiff_derivative(lambda v: keras.ops.tanh(3.0 * v + 1.0), x)
    np.testing.assert_allclose(grad, 3.0 * (1 - np.tanh(3.0 * x + 1.0) ** 2), atol=1e-5)


def test_error_paths():
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError, match="name must be one of"):
        activation("softplus", 1.0)
    with pytest.raises(ValueError, match="name must be one of"):
        derivative("swish", 1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        derivative("leaky_relu", 1.0, negative_slope=-0.1)
    with pytest.raises(ValueError, match="alpha"):
        activation("elu", 1.0, alpha=0.0)
    with pytest.raises(ValueError, match="elementwise"):
        autodiff_derivative(keras.ops.sum, GRID)
    with pytest.raises(ValueError, match="does not depend"):
        autodiff_derivative(lambda v: keras.ops.ones_like(v), GRID)
