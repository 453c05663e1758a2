"""Per-layer gradient norms of a Keras model for one batch (lesson 03: vanishing gradients;
backprop's delta_l = f'(u_l) * (W_{l+1}^T delta_{l+1}), 岡谷『深層学習』勾配消失問題)."""

import numpy as np

from course_lib.backends import gradients


def kernel_layers(model) -> list:
    """The model's layers that own a `kernel` weight (Dense, Conv...), input to output."""
    return [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]


def layer_gradient_norms(model, x, y, loss_fn=None) -> np.ndarray:
    """L2 norm ||dE/dW_l|| of each kernel W_l (kernel_layers order) for the batch mean loss E.

    x: inputs (n, ...), y: targets (n, ...); loss_fn(y_true, y_pred) -> per-sample losses,
    default keras.losses.sparse_categorical_crossentropy. Returns float64 of shape (layers,)."""
    import keras

    if loss_fn is None:
        loss_fn = keras.losses.sparse_categorical_crossentropy
    layers = kernel_layers(model)
    if not layers:
        raise ValueError("model has no layer with a kernel: no gradient norms to compute")
    x = keras.ops.convert_to_tensor(np.asarray(x, dtype="float32"))
    y = keras.ops.convert_to_tensor(np.asarray(y))
    kernels = [layer.kernel for layer in layers]

    def batch_loss():
        return keras.ops.mean(loss_fn(y, model(x, training=False)))

    try:
        grads = gradients(batch_loss, kernels)
    except ValueError as err:
        raise ValueError(
            "the loss does not depend on every kernel: check the model and loss_fn"
        ) from err
    return np.array([np.linalg.norm(g.astype(np.float64)) for g in grads])


def first_last_ratio(norms) -> float:
    """||dE/dW_1|| / ||dE/dW_L||: << 1 means the gradient vanishes towards the input."""
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 1 or len(norms) < 2:
        raise ValueError(f"norms must be a 1-D array of at least 2 layers, got shape {norms.shape}")
    if norms[-1] <= 0:
        raise ValueError("norms[-1] (the last layer's gradient norm) must be > 0")
    return float(norms[0] / norms[-1])
