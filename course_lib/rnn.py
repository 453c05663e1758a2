"""Recurrent networks on text (lesson 14): the Keras RNN classifiers of the slides' IMDB demo
ML9-2 (SimpleRNN / LSTM / GRU, optionally bidirectional), the recurrence h_t = tanh(W x_t +
U h_(t-1) + b) written with keras.ops, a cell run step by step with truncated BPTT,
per-time-step input-gradient norms, and an embedding-bag baseline."""

import keras
import numpy as np

from course_lib.validation import positive_int

RECURRENT_KINDS = ("simple_rnn", "lstm", "gru")
_LAYERS = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def _check_kind(kind: str) -> str:
    if kind not in RECURRENT_KINDS:
        raise ValueError(f"kind must be one of {RECURRENT_KINDS}, got {kind!r}")
    return kind


def recurrent_layer(kind: str, units: int, bidirectional: bool = False, name=None):
    """One recurrent layer returning its final output h_T (n, units): SimpleRNN, LSTM or GRU,
    or Bidirectional around it (forward and backward h_T concatenated, (n, 2 * units))."""
    _check_kind(kind)
    units = positive_int(units, "units")
    layer_class = getattr(keras.layers, _LAYERS[kind])
    if bidirectional:
        return keras.layers.Bidirectional(layer_class(units), name=name)
    return layer_class(units, name=name)


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
    sigmoid) = P(positive) (n, 1), uncompiled (train it with course_lib.training.train_model
    and loss='binary_crossentropy'); id 0 is padding and is masked, so the recurrence skips it.
    Layers: embedding, <name>_layer, output, where <name> (the model's name) is kind, with
    'bi_' in front if bidirectional."""
    _check_kind(kind)
    vocab_size = positive_int(vocab_size, "vocab_size")
    sequence_length = positive_int(sequence_length, "sequence_length")
    embed_dim = positive_int(embed_dim, "embed_dim")
    units = positive_int(units, "units")
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
    return model


def embedding_bag_classifier(
    vocab_size: int, sequence_length: int, embed_dim: int = 64
) -> keras.Model:
    """Non-recurrent baseline: ids (n, L) -> Embedding(mask_zero=True) -> mean of the word
    vectors over the non-padding tokens (GlobalAveragePooling1D honours the mask) -> Dense(1,
    sigmoid) (n, 1). Word order is ignored. Uncompiled, like recurrent_classifier."""
    vocab_size = positive_int(vocab_size, "vocab_size")
    sequence_length = positive_int(sequence_length, "sequence_length")
    embed_dim = positive_int(embed_dim, "embed_dim")
    model = keras.Sequential(
        [
            keras.Input((sequence_length,), dtype="int32"),
            keras.layers.Embedding(vocab_size, embed_dim, mask_zero=True, name="embedding"),
            keras.layers.GlobalAveragePooling1D(name="mean_embedding"),
            keras.layers.Dense(1, activation="sigmoid", name="output"),
        ],
        name="embedding_bag",
    )
    return model


def time_steps(x) -> list:
    """x (n, T, d) -> the T inputs x_t (n, d), in order, from one split: JAX compiles every
    distinct slice x[:, t] on its own, which made a 200-step loop spend seconds compiling."""
    ops = keras.ops
    return [ops.squeeze(x_t, axis=1) for x_t in ops.split(x, x.shape[1], axis=1)]


def simple_rnn_forward(x, kernel, recurrent_kernel, bias, mask=None):
    """h_t = tanh(x_t W + h_(t-1) U + b), h_0 = 0, with keras.ops (slide 9: RNN unrolled in time):
    x (n, T, d), kernel W (d, m), recurrent_kernel U (m, m), bias b (m,), optional mask (n, T)
    (False: h_t = h_(t-1), the step is skipped) -> all states (n, T, m) as NumPy."""
    ops = keras.ops
    x = ops.convert_to_tensor(np.asarray(x, dtype="float32"))
    if len(x.shape) != 3:
        raise ValueError(f"x must be (n, T, d), got shape {tuple(x.shape)}")
    kernel, recurrent_kernel, bias = (
        np.asarray(a, dtype="float32") for a in (kernel, recurrent_kernel, bias)
    )
    m = recurrent_kernel.shape[0]
    if kernel.shape != (x.shape[2], m) or recurrent_kernel.shape != (m, m) or bias.shape != (m,):
        raise ValueError(
            f"kernel must be (d, m) = ({x.shape[2]}, {m}), recurrent_kernel (m, m) and bias (m,),"
            f" got {kernel.shape}, {recurrent_kernel.shape} and {bias.shape}"
        )
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != tuple(x.shape[:2]):
            raise ValueError(f"mask must be (n, T) = {tuple(x.shape[:2])}, got {mask.shape}")
    h = ops.zeros((x.shape[0], m))
    states = []
    for t, x_t in enumerate(time_steps(x)):
        h_new = ops.tanh(ops.add(ops.matmul(x_t, kernel) + ops.matmul(h, recurrent_kernel), bias))
        h = h_new if mask is None else ops.where(mask[:, t, None], h_new, h)
        states.append(h)
    return keras.ops.convert_to_numpy(ops.stack(states, axis=1))


def run_cell(cell, x, bptt_steps=None):
    """Final output h_T of a recurrent cell (layer.cell of SimpleRNN / LSTM / GRU) stepped over
    x (n, T, d) with keras.ops, from the zero state. bptt_steps = k: truncated BPTT, the state
    entering the last k steps is a constant for autodiff (stop_gradient), so no gradient flows
    to steps earlier than T - k. No masking: pass unpadded sequences. Returns a tensor (n, m)."""
    ops = keras.ops
    steps = x.shape[1]
    if bptt_steps is not None:
        bptt_steps = positive_int(bptt_steps, "bptt_steps")
    states = cell.get_initial_state(batch_size=x.shape[0])
    states = list(states) if isinstance(states, (list, tuple)) else [states]
    output = None
    for t, x_t in enumerate(time_steps(x)):
        if bptt_steps is not None and t == steps - bptt_steps:
            states = [ops.stop_gradient(s) for s in states]
        output, states = cell(x_t, states)
        states = list(states) if isinstance(states, (list, tuple)) else [states]
    return output


def binary_crossentropy_sum(y, p):
    """E = sum_i -[y_i log p_i + (1 - y_i) log(1 - p_i)], y (n,), p (n, 1) -> scalar tensor;
    a sum, not a mean, so that dE/dx_i is the gradient of sample i's own loss."""
    y = keras.ops.reshape(keras.ops.cast(keras.ops.convert_to_tensor(y), p.dtype), (-1, 1))
    return keras.ops.sum(keras.ops.binary_crossentropy(y, p))


def time_step_gradient_norms(predict, embedded, y) -> np.ndarray:
    """Mean over the batch of ||dE_i/dx_it||, E_i the binary cross-entropy of sample i:
    predict maps x (n, T, d) to P(positive) (n, 1); embedded x (n, T, d), y (n,) -> (T,),
    index t = time step (T - 1 is the last token)."""
    from course_lib.backends import gradients

    embedded = np.asarray(embedded, dtype="float32")
    if embedded.ndim != 3:
        raise ValueError(f"embedded must be (n, T, d), got shape {embedded.shape}")
    y = np.asarray(y)
    if y.shape != (embedded.shape[0],):
        raise ValueError(f"y must be (n,) = ({embedded.shape[0]},), got shape {y.shape}")
    x = keras.Variable(embedded, trainable=False, name="embedded_inputs")
    (grad,) = gradients(lambda: binary_crossentropy_sum(y, predict(x.value)), [x])
    return np.linalg.norm(grad, axis=2).mean(axis=0)


def last_tokens(x, k: int) -> np.ndarray:
    """The last k non-padding ids of each post-padded row of x (n, L) (0 = padding at the end),
    post-padded again -> (n, k) int32; rows shorter than k keep all their tokens."""
    k = positive_int(k, "k")
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must be (n, L), got shape {x.shape}")
    lengths = (x != 0).sum(axis=1)
    columns = np.maximum(lengths - k, 0)[:, None] + np.arange(k)
    inside = columns < lengths[:, None]
    picked = np.take_along_axis(x, np.minimum(columns, x.shape[1] - 1), axis=1)
    return np.where(inside, picked, 0).astype(np.int32)
