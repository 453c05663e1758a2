"""Activation functions f(x), their closed-form derivatives f'(x) and autodiff derivatives
(岡谷・齋藤『ディープラーニング チュートリアル』NNの基本要素; 『9. 深層学習』9.2: ReLU, tanh,
LeakyReLU, ELU). All functions are elementwise: an array of any shape in, the same shape out."""

import numpy as np

ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu")


def _check(name: str, negative_slope: float, alpha: float) -> None:
    if name not in ACTIVATION_NAMES:
        raise ValueError(f"name must be one of {ACTIVATION_NAMES}, got {name!r}")
    if negative_slope < 0:
        raise ValueError(f"negative_slope must be >= 0, got {negative_slope}")
    if alpha <= 0:
        raise ValueError(f"alpha must be > 0, got {alpha}")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + exp(-x)), without overflow


def activation(name: str, x, negative_slope: float = 0.2, alpha: float = 1.0) -> np.ndarray:
    """f(x) for name in ACTIVATION_NAMES; LeakyReLU x|slope*x, ELU x|alpha*(e^x - 1)."""
    _check(name, negative_slope, alpha)
    x = np.asarray(x, dtype=np.float64)
    if name == "sigmoid":
        return _sigmoid(x)
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, negative_slope * x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def derivative(name: str, x, negative_slope: float = 0.2, alpha: float = 1.0) -> np.ndarray:
    """Closed-form f'(x): sigmoid f(1-f), tanh 1-f^2, ReLU [x>0], LeakyReLU 1|slope, ELU 1|ae^x.

    At the kink x = 0 the left-hand value is returned (as TensorFlow's autodiff does)."""
    _check(name, negative_slope, alpha)
    x = np.asarray(x, dtype=np.float64)
    if name == "sigmoid":
        f = _sigmoid(x)
        return f * (1.0 - f)
    if name == "tanh":
        return 1.0 - np.tanh(x) ** 2
    if name == "relu":
        return np.where(x > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(x > 0, 1.0, negative_slope)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def autodiff_derivative(fn, x) -> np.ndarray:
    """f'(x) of an elementwise fn written with keras.ops, by the Keras backend's autodiff.

    x: array of any shape (float32); returns float32 of the same shape. Works because for an
    elementwise f, d(sum_i f(x_i)) / dx_i = f'(x_i)."""
    import keras

    from course_lib.backends import gradients

    x = np.asarray(x, dtype="float32")
    output_shape = tuple(fn(keras.ops.convert_to_tensor(x)).shape)
    if output_shape != x.shape:
        raise ValueError(f"fn must be elementwise: input shape {x.shape}, output {output_shape}")
    variable = keras.Variable(x, name="x")
    try:
        (grad,) = gradients(lambda: keras.ops.sum(fn(variable.value)), [variable])
    except ValueError as err:
        raise ValueError("fn's output does not depend on its input: no gradient") from err
    return grad.astype("float32")
