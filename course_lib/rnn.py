"""Recurrent networks on text (lesson 14): the Keras RNN classifiers of the slides' IMDB demo
ML9-2 (SimpleRNN / LSTM / GRU, optionally bidirectional), the recurrence written with keras.ops,
per-time-step input-gradient norms, truncated-BPTT views and an embedding-bag baseline."""

import keras
import numpy as np

RECURRENT_KINDS = ("simple_rnn", "lstm", "gru")
_LAYERS = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_kind(kind: str) -> str:
    if kind not in RECURRENT_KINDS:
        raise ValueError(f"kind must be one of {RECURRENT_KINDS}, got {kind!r}")
    return kind


def recurrent_layer(kind: str, units: int, bidirectional: bool = False, **kwargs):
    """One recurrent layer (final state h_T only): SimpleRNN, LSTM or GRU with `units` units,
    wrapped in Bidirectional (forward and backward h_T concatenated, 2 * units) if asked."""
    _check_kind(kind)
    units = _check_positive_int(units, "units")
    layer = getattr(keras.layers, _LAYERS[kind])(units, **kwargs)
    return keras.layers.Bidirectional(layer) if bidirectional else layer


def recurrent_classifier(
    kind: str,
    vocab_size: int,
    sequence_length: int,
    embed_dim: int = 64,
    units: int = 64,
    bidirectional: bool = False,
) -> keras.Model:
    """Binary text classifier (ML9-2): ids (n, sequence_length) -> Embedding(vocab_size,
    embed_dim, mask_zero=True) -> SimpleRNN / LSTM / GRU(units) [Bidirectional] -> Dense(1,
    sigmoid) = P(positive) (n, 1). Compiled with Adam(1e-3), binary cross-entropy, accuracy;
    id 0 is padding and is masked, so the recurrence skips it."""
    _check_kind(kind)
    vocab_size = _check_positive_int(vocab_size, "vocab_size")
    sequence_length = _check_positive_int(sequence_length, "sequence_length")
    embed_dim = _check_positive_int(embed_dim, "embed_dim")
    units = _check_positive_int(units, "units")
    name = ("bi_" if bidirectional else "") + kind
    model = keras.Sequential(
        [
            keras.Input((sequence_length,), dtype="int32"),
            keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding"),
            recurrent_layer(kind, units, bidirectional, name=name + "_layer"),
            keras.layers.Dense(1, activation="sigmoid", name="output"),
        ],
        name=name,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model
