"""Dense autoencoders (lessons 04-10): builders and per-sample reconstruction error."""

import numpy as np


def dense_autoencoder(
    input_dim: int,
    layer_sizes,
    activation="relu",
    code_activation=None,
    output_activation="sigmoid",
    name: str = "autoencoder",
):
    """(autoencoder, encoder, decoder) Keras models: input_dim -> layer_sizes (last = code size)
    -> mirrored back to input_dim. Activation None means linear (identity)."""
    import keras

    layer_sizes = [int(n) for n in layer_sizes]
    if int(input_dim) < 1 or not layer_sizes or min(layer_sizes) < 1:
        raise ValueError(
            f"input_dim and layer_sizes must be positive, got {input_dim}, {layer_sizes}"
        )
    *hidden, code_size = layer_sizes
    inputs = keras.Input((int(input_dim),), name=f"{name}_input")
    h = inputs
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation=activation, name=f"{name}_enc{i + 1}")(h)
    code = keras.layers.Dense(code_size, activation=code_activation, name=f"{name}_code")(h)
    encoder = keras.Model(inputs, code, name=f"{name}_encoder")

    code_in = keras.Input((code_size,), name=f"{name}_code_input")
    h = code_in
    for i, units in enumerate(reversed(hidden)):
        h = keras.layers.Dense(units, activation=activation, name=f"{name}_dec{i + 1}")(h)
    outputs = keras.layers.Dense(
        int(input_dim), activation=output_activation, name=f"{name}_output"
    )(h)
    decoder = keras.Model(code_in, outputs, name=f"{name}_decoder")

    autoencoder = keras.Model(inputs, decoder(encoder(inputs)), name=name)
    return autoencoder, encoder, decoder


def reconstruction_errors(model, x, batch_size: int = 1024) -> np.ndarray:
    """Mean squared error per sample, shape (n,), between x (n, d) and model(x)."""
    x = np.asarray(x, dtype=np.float32)
    x_hat = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    if x_hat.shape != x.shape:
        raise ValueError(f"model output {x_hat.shape} does not match its input {x.shape}")
    return ((x_hat - x) ** 2).reshape(len(x), -1).mean(axis=1)
