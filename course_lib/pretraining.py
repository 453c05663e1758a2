"""Greedy layer-wise pretraining of a deep net with (denoising) autoencoders, then a classifier
initialised from the pretrained stack (岡谷『深層学習』p.72-74 積層自己符号化器; Vincent et al.
2010, stacked denoising autoencoders). Lesson 09; lesson 11 reuses deep_classifier for the DBN."""

from collections.abc import Callable, Sequence

import numpy as np

from course_lib import activations

# Activations whose NumPy forward pass (course_lib.activations) matches Keras' of the same name.
STACK_ACTIVATIONS = ("sigmoid", "tanh", "relu", "elu")


def _check_layer_sizes(layer_sizes) -> list[int]:
    try:
        sizes = [int(n) for n in layer_sizes]
    except (TypeError, ValueError):
        raise ValueError(
            f"layer_sizes must be a list of positive ints, got {layer_sizes!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise ValueError(f"layer_sizes must be a non-empty list of positive ints, got {sizes}")
    return sizes


def _check_activation(activation: str) -> str:
    if activation not in STACK_ACTIVATIONS:
        raise ValueError(f"activation must be one of {STACK_ACTIVATIONS}, got {activation!r}")
    return activation


def _check_weights(weights) -> list[tuple[np.ndarray, np.ndarray]]:
    checked = []
    for k, pair in enumerate(weights):
        kernel, bias = (np.asarray(a, dtype=np.float32) for a in pair)
        if kernel.ndim != 2 or bias.shape != (kernel.shape[1],):
            raise ValueError(
                f"weights[{k}] must be (kernel (d_in, units), bias (units,)), "
                f"got shapes {kernel.shape} and {bias.shape}"
            )
        if checked and checked[-1][0].shape[1] != kernel.shape[0]:
            raise ValueError(
                f"weights[{k}] takes {kernel.shape[0]} inputs but layer {k - 1} gives "
                f"{checked[-1][0].shape[1]}"
            )
        checked.append((kernel, bias))
    if not checked:
        raise ValueError("weights must hold at least one (kernel, bias) pair")
    return checked


def stack_codes(x, weights, activation: str = "sigmoid") -> list[np.ndarray]:
    """Codes h_k = f(h_{k-1} W_k + b_k) of every layer of a stack, h_0 = x (n, d_0);
    weights: [(W_k (d_{k-1}, d_k), b_k (d_k,)), ...]; returns [h_1 (n, d_1), ..., h_K] float32."""
    _check_activation(activation)
    weights = _check_weights(weights)
    h = np.asarray(x, dtype=np.float32)
    if h.ndim != 2 or h.shape[1] != weights[0][0].shape[0]:
        raise ValueError(f"x must have shape (n, {weights[0][0].shape[0]}), got {h.shape}")
    codes = []
    for kernel, bias in weights:
        h = activations.activation(activation, h @ kernel + bias).astype(np.float32)
        codes.append(h)
    return codes


def _corruptions(corrupt, n_layers: int) -> list:
    if corrupt is None or callable(corrupt):
        return [corrupt] * n_layers
    if isinstance(corrupt, Sequence) and not isinstance(corrupt, str):
        corrupt = list(corrupt)
        if len(corrupt) != n_layers or not all(c is None or callable(c) for c in corrupt):
            raise ValueError(
                f"corrupt must be None, a callable or {n_layers} of them (one per layer, "
                f"None for a plain AE), got {corrupt!r}"
            )
        return corrupt
    raise ValueError(
        f"corrupt must be None, a callable (x, seed) -> x_noisy or a list, got {corrupt!r}"
    )


def layer_autoencoder(input_dim: int, units: int, activation: str = "sigmoid", bounded=True):
    """One-hidden-layer AE input_dim -> units -> input_dim (Keras Model) whose encoder is a Dense
    layer named 'encode'; sigmoid output if the inputs lie in [0, 1] (bounded), linear otherwise."""
    import keras

    _check_activation(activation)
    if int(input_dim) < 1 or int(units) < 1:
        raise ValueError(f"input_dim and units must be positive, got {input_dim}, {units}")
    inputs = keras.Input((int(input_dim),))
    code = keras.layers.Dense(int(units), activation=activation, name="encode")(inputs)
    output = keras.layers.Dense(
        int(input_dim), activation="sigmoid" if bounded else None, name="decode"
    )(code)
    return keras.Model(inputs, output, name=f"layer_autoencoder_{input_dim}_{units}")


def pretrain_stack(
    x,
    layer_sizes,
    activation: str = "sigmoid",
    corrupt: Callable | Sequence | None = None,
    epochs: int = 2,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    seed: int = 0,
    verbose: int = 0,
):
    """Greedy layer-wise pretraining (p.72-74): layer k is the encoder of an AE trained to
    reconstruct h_{k-1} (h_0 = x (n, d)) from corrupt(h_{k-1}, seed) (a denoising AE; fresh noise
    every epoch) or from h_{k-1} itself (corrupt None: a plain AE). corrupt: None, one callable
    or one per layer. Loss: cross-entropy with a sigmoid output for inputs in [0, 1], else squared
    error. Returns (weights [(W_k (d_{k-1}, d_k), b_k (d_k,)), ...], losses [[per epoch], ...])."""
    import keras

    from course_lib.backends import set_seed

    sizes = _check_layer_sizes(layer_sizes)
    _check_activation(activation)
    corruptions = _corruptions(corrupt, len(sizes))
    for name, value in [("epochs", epochs), ("batch_size", batch_size)]:
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    h = np.asarray(x, dtype=np.float32)
    if h.ndim != 2 or len(h) < 1 or not np.all(np.isfinite(h)):
        raise ValueError(f"x must be a finite 2-D array (n, d) with n >= 1, got shape {h.shape}")

    set_seed(seed)
    weights, losses = [], []
    for k, (units, corrupt_k) in enumerate(zip(sizes, corruptions, strict=True)):
        bounded = bool(h.min() >= 0.0 and h.max() <= 1.0)
        model = layer_autoencoder(h.shape[1], units, activation, bounded=bounded)
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
            loss="binary_crossentropy" if bounded else "mse",
        )
        layer_losses = []
        for epoch in range(int(epochs)):
            inputs = h
            if corrupt_k is not None:
                inputs = np.asarray(
                    corrupt_k(h, seed * 100_003 + k * 1009 + epoch), dtype=np.float32
                )
                if inputs.shape != h.shape:
                    raise ValueError(
                        f"corrupt for layer {k} returned shape {inputs.shape}, expected {h.shape}"
                    )
            history = model.fit(inputs, h, epochs=1, batch_size=int(batch_size), verbose=verbose)
            layer_losses.append(float(history.history["loss"][-1]))
        kernel, bias = (
            np.asarray(w, dtype=np.float32) for w in model.get_layer("encode").get_weights()
        )
        weights.append((kernel, bias))
        losses.append(layer_losses)
        h = stack_codes(h, [(kernel, bias)], activation)[0]
    return weights, losses


def deep_classifier(
    input_dim: int,
    layer_sizes,
    n_classes: int = 10,
    activation: str = "sigmoid",
    kernel_initializer="glorot_uniform",
    pretrained=None,
    seed: int | None = None,
    name: str = "deep_classifier",
):
    """Sequential MLP input_dim -> layer_sizes (activation) -> n_classes (softmax); the first
    len(pretrained) hidden layers start from pretrained [(W_k, b_k), ...] (pretrain_stack's
    weights), the rest and the softmax layer from kernel_initializer. seed: set_seed(seed) first."""
    import keras

    from course_lib.backends import set_seed

    sizes = _check_layer_sizes(layer_sizes)
    _check_activation(activation)
    if int(input_dim) < 1 or int(n_classes) < 2:
        raise ValueError(f"input_dim must be >= 1 and n_classes >= 2, got {input_dim}, {n_classes}")
    if pretrained is not None:
        pretrained = _check_weights(pretrained)
        expected = list(zip([int(input_dim), *sizes[:-1]], sizes, strict=True))[: len(pretrained)]
        shapes = [kernel.shape for kernel, _ in pretrained]
        if len(pretrained) > len(sizes) or shapes != expected:
            raise ValueError(
                f"pretrained kernels {shapes} do not fit the hidden layers {expected} "
                f"of a {int(input_dim)} -> {sizes} net"
            )
    if seed is not None:
        set_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((int(input_dim),)),
            *[
                keras.layers.Dense(
                    units, activation=activation, kernel_initializer=kernel_initializer
                )
                for units in sizes
            ],
            keras.layers.Dense(
                int(n_classes), activation="softmax", kernel_initializer=kernel_initializer
            ),
        ],
        name=name,
    )
    for layer, pair in zip(model.layers, pretrained or [], strict=False):
        layer.set_weights(list(pair))
    return model
