"""KL sparsity for sparse autoencoders (岡谷『深層学習』p.62-67): the penalty, its derivative
(eq. 5.4), a Keras layer that adds it with a running average of the mean activation, and a
locality measure for the learned filters. Importing this module imports Keras: import
course_lib (or call setup_lesson) first."""

import keras
import numpy as np
from keras import ops

# rho_hat is clipped into (EPSILON, 1 - EPSILON) before the logs (float32-safe).
EPSILON = 1e-6


def _check_sparsity_target(rho) -> float:
    rho = float(rho)
    if not 0.0 < rho < 1.0:
        raise ValueError(f"sparsity_target (rho) must be in (0, 1), got {rho}")
    return rho


def bernoulli_kl(rho, rho_hat):
    """KL(rho || rho_hat) = rho log(rho/rho_hat) + (1-rho) log((1-rho)/(1-rho_hat)), elementwise
    over rho_hat (any shape; keras.ops tensor out), rho_hat clipped into (EPSILON, 1-EPSILON)."""
    rho = _check_sparsity_target(rho)
    rho_hat = ops.clip(ops.convert_to_tensor(rho_hat), EPSILON, 1.0 - EPSILON)
    return rho * ops.log(rho / rho_hat) + (1.0 - rho) * ops.log((1.0 - rho) / (1.0 - rho_hat))


def bernoulli_kl_derivative(rho, rho_hat) -> np.ndarray:
    """d KL(rho || rho_hat) / d rho_hat = -rho/rho_hat + (1-rho)/(1-rho_hat) (eq. 5.4), NumPy."""
    rho = _check_sparsity_target(rho)
    rho_hat = np.asarray(rho_hat, dtype=np.float64)
    return -rho / rho_hat + (1.0 - rho) / (1.0 - rho_hat)


@keras.saving.register_keras_serializable(package="course_lib")
class KLSparsity(keras.layers.Layer):
    """Identity on sigmoid activations (batch, ..., units) that adds the loss
    beta * sum_j KL(rho || rho_hat_j) (p.63); rho_hat is the running average
    rho_hat_t = momentum * rho_hat_(t-1) + (1 - momentum) * (batch mean) (p.66),
    kept in the non-trainable weight `mean_activation` and updated only in training.

    The loss value uses rho_hat_t; its gradient flows into the batch mean with factor 1
    (rho_hat_t = batch + stop_gradient(rho_hat_t - batch)), so each unit gets exactly the
    eq. 5.4 term beta * (-rho/rho_hat_t + (1-rho)/(1-rho_hat_t)) in its delta."""

    def __init__(self, sparsity_target=0.05, beta=3.0, momentum=0.9, **kwargs):
        super().__init__(**kwargs)
        self.sparsity_target = _check_sparsity_target(sparsity_target)
        beta = float(beta)
        if not np.isfinite(beta) or beta < 0:
            raise ValueError(f"beta must be a finite number >= 0, got {beta}")
        momentum = float(momentum)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum (lambda) must be in [0, 1), got {momentum}")
        self.beta = beta
        self.momentum = momentum

    def build(self, input_shape):
        # Starts at rho: the average forgets this start after about 1 / (1 - momentum) steps.
        self.mean_activation = self.add_weight(
            shape=(input_shape[-1],),
            initializer=keras.initializers.Constant(self.sparsity_target),
            trainable=False,
            name="mean_activation",
        )

    def call(self, inputs, training=None):
        axes = tuple(range(len(inputs.shape) - 1))
        batch_mean = ops.mean(ops.cast(inputs, self.mean_activation.dtype), axis=axes)
        running = ops.stop_gradient(self.mean_activation)
        updated = self.momentum * running + (1.0 - self.momentum) * batch_mean
        if training:
            self.mean_activation.assign(updated)
        # Value of `updated`, gradient of `batch_mean` (straight-through, eq. 5.4).
        rho_hat = batch_mean + ops.stop_gradient(updated - batch_mean)
        kl = bernoulli_kl(self.sparsity_target, rho_hat)
        self.add_loss(self.beta * ops.sum(kl))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(sparsity_target=self.sparsity_target, beta=self.beta, momentum=self.momentum)
        return config


def filter_locality(kernel, image_shape, window: int = 3) -> float:
    """Mean over filters of the largest share of a filter's energy (squared weights) inside one
    window x window patch: kernel (d, units) with d = prod(image_shape); 1 = fully localized."""
    kernel = np.asarray(kernel, dtype=np.float64)
    image_shape = tuple(int(s) for s in image_shape)
    if kernel.ndim != 2 or kernel.shape[0] != int(np.prod(image_shape)):
        raise ValueError(
            f"kernel must have shape (prod(image_shape), units) = ({np.prod(image_shape)}, units), "
            f"got {kernel.shape}"
        )
    if not 1 <= window <= min(image_shape):
        raise ValueError(f"window must be between 1 and {min(image_shape)}, got {window}")
    energy = (kernel.T**2).reshape(-1, *image_shape)
    windows = np.lib.stride_tricks.sliding_window_view(energy, (window, window), axis=(1, 2))
    best = windows.sum(axis=(-2, -1)).reshape(len(energy), -1).max(axis=1)
    total = energy.reshape(len(energy), -1).sum(axis=1)
    return float(np.mean(best / np.where(total > 0, total, 1.0)))
