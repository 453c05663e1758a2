"""Encoder-decoder and attention (lesson 15, slides 'Encoder-Decoder' and '+Attention'): a seeded
digit-reversal task with its token encoding, GRU encoder-decoders without and with attention
(keras.layers.Attention / AdditiveAttention), greedy decoding, exact-match accuracy by input
length, and an attention pooling layer over RNN states that returns its weights."""

import html

import keras
import numpy as np

from course_lib.validation import positive_int

PAD, START, END = 0, 1, 2
DIGIT_OFFSET = 3  # token of digit d is d + DIGIT_OFFSET
TOKENS = ("<pad>", "<start>", "<end>", *"0123456789")
VOCAB_SIZE = len(TOKENS)
ATTENTION_KINDS = (None, "dot", "additive")


def encode_digits(strings, length: int | None = None) -> np.ndarray:
    """Digit strings -> tokens (n, length) int32: digit d -> d + 3, right-padded with PAD = 0."""
    strings = [str(s) for s in strings]
    if any(not s.isdigit() or not s.isascii() for s in strings):
        raise ValueError("strings must be non-empty and contain only the digits 0-9")
    longest = max((len(s) for s in strings), default=0)
    length = longest if length is None else positive_int(length, "length")
    if longest > length:
        raise ValueError(f"length {length} is shorter than the longest string ({longest})")
    tokens = np.full((len(strings), length), PAD, dtype=np.int32)
    for row, s in enumerate(strings):  # strings are short; the loop only copies characters
        tokens[row, : len(s)] = np.frombuffer(s.encode(), dtype=np.uint8) - ord("0") + DIGIT_OFFSET
    return tokens


def decode_tokens(tokens) -> list[str]:
    """Tokens (n, T) -> digit strings: START is skipped, reading stops at the first END or PAD."""
    tokens = np.atleast_2d(np.asarray(tokens))
    if tokens.ndim != 2 or tokens.size and (tokens.min() < 0 or tokens.max() >= VOCAB_SIZE):
        raise ValueError(f"tokens must be (n, T) integers in [0, {VOCAB_SIZE}), got {tokens.shape}")
    out = []
    for row in tokens:
        stops = np.flatnonzero((row == END) | (row == PAD))
        row = row[: stops[0]] if len(stops) else row
        out.append("".join(str(t - DIGIT_OFFSET) for t in row if t >= DIGIT_OFFSET))
    return out


def reversal_task(n_samples: int, lengths, seed: int = 0):
    """Random digit strings and their reversals, each length drawn uniformly from `lengths`:
    returns encoder_tokens (n, L), decoder_inputs (n, L + 1) = START + target shifted right
    (teacher forcing), targets (n, L + 1) = reversed digits + END, and lengths (n,); L = max."""
    n_samples = positive_int(n_samples, "n_samples")
    lengths = np.atleast_1d(np.asarray(lengths))
    if lengths.size == 0 or any(int(v) != v or v < 1 for v in lengths):
        raise ValueError(f"lengths must be positive integers, got {lengths!r}")
    lengths = lengths.astype(np.int64)
    rng = np.random.default_rng(seed)
    max_length = int(lengths.max())
    sample_lengths = rng.choice(lengths, size=n_samples)
    digits = rng.integers(0, 10, size=(n_samples, max_length)) + DIGIT_OFFSET
    position = np.arange(max_length + 1)
    encoder_tokens = np.where(position[:max_length] < sample_lengths[:, None], digits, PAD)
    # targets[i, j] = encoder_tokens[i, L_i - 1 - j] for j < L_i, END at j = L_i, then PAD
    source = np.clip(sample_lengths[:, None] - 1 - position, 0, max_length - 1)
    reversed_digits = np.take_along_axis(encoder_tokens, source, axis=1)
    targets = np.where(position < sample_lengths[:, None], reversed_digits, PAD)
    targets[np.arange(n_samples), sample_lengths] = END
    decoder_inputs = np.concatenate([np.full((n_samples, 1), START), targets[:, :-1]], axis=1)
    decoder_inputs[decoder_inputs == END] = PAD
    return (
        encoder_tokens.astype(np.int32),
        decoder_inputs.astype(np.int32),
        targets.astype(np.int32),
        sample_lengths.astype(np.int32),
    )


def seq2seq_model(
    attention: str | None = None,
    units: int = 64,
    embedding_dim: int = 32,
    vocab_size: int = VOCAB_SIZE,
    name: str | None = None,
):
    """GRU encoder-decoder: encoder tokens (n, Tx) and decoder inputs (n, Ty) -> token
    probabilities (n, Ty, vocab). attention None: the decoder sees the input only through the
    encoder's last state (fixed context vector); 'dot' (Luong, keras.layers.Attention) or
    'additive' (keras.layers.AdditiveAttention): h~_t = tanh(W_c [s_t; c_t]), c_t = sum_i a_ti h_i.
    Layers: encoder_embedding, encoder_gru, decoder_embedding, decoder_gru, attention, combine,
    output."""
    if attention not in ATTENTION_KINDS:
        raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {attention!r}")
    units = positive_int(units, "units")
    embedding_dim = positive_int(embedding_dim, "embedding_dim")
    vocab_size = positive_int(vocab_size, "vocab_size")
    layers = keras.layers
    encoder_tokens = keras.Input((None,), dtype="int32", name="encoder_tokens")
    decoder_tokens = keras.Input((None,), dtype="int32", name="decoder_tokens")
    # mask_zero: the encoder skips PAD and attention gives padded positions zero weight
    x = layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="encoder_embedding")(
        encoder_tokens
    )
    encoder_states, last_state = layers.GRU(
        units, return_sequences=True, return_state=True, name="encoder_gru"
    )(x)
    y = layers.Embedding(vocab_size, embedding_dim, name="decoder_embedding")(decoder_tokens)
    decoder_states = layers.GRU(units, return_sequences=True, name="decoder_gru")(
        y, initial_state=last_state
    )
    if attention is None:
        hidden = decoder_states
    else:
        kind = layers.Attention if attention == "dot" else layers.AdditiveAttention
        context, _ = kind(name="attention")(
            [decoder_states, encoder_states], return_attention_scores=True
        )
        hidden = layers.Concatenate(name="concat")([decoder_states, context])
    hidden = layers.Dense(units, activation="tanh", name="combine")(hidden)
    outputs = layers.Dense(vocab_size, activation="softmax", name="output")(hidden)
    default = "seq2seq" if attention is None else f"seq2seq_{attention}_attention"
    return keras.Model([encoder_tokens, decoder_tokens], outputs, name=name or default)


def attention_weights_model(model):
    """(encoder tokens, decoder inputs) -> attention weights a_ti (n, Ty, Tx) of a seq2seq_model
    with attention, sharing its layers."""
    names = [layer.name for layer in model.layers]
    if "attention" not in names:
        raise ValueError(f"model {model.name!r} has no layer named 'attention'")
    return keras.Model(model.inputs, model.get_layer("attention").output[1], name="weights")


def greedy_decode(model, encoder_tokens, steps: int, batch_size: int = 512) -> np.ndarray:
    """Greedy decoding: start from START, feed back the most probable token for `steps` steps;
    encoder tokens (n, Tx) -> predicted tokens (n, steps). The decoder is causal, so re-running
    the whole model per step on the tokens decoded so far gives step t's prediction."""
    steps = positive_int(steps, "steps")
    encoder_tokens = np.asarray(encoder_tokens, dtype=np.int32)
    decoder_inputs = np.full((len(encoder_tokens), steps), PAD, dtype=np.int32)
    decoder_inputs[:, 0] = START
    predicted = np.zeros_like(decoder_inputs)
    for t in range(steps):
        probs = model.predict([encoder_tokens, decoder_inputs], batch_size, verbose=0)
        predicted[:, t] = probs[:, t].argmax(axis=-1)
        if t + 1 < steps:
            decoder_inputs[:, t + 1] = predicted[:, t]
    return predicted


def exact_match(predicted, targets) -> np.ndarray:
    """Per sequence (n,) bool: every target token up to and including END is predicted (PAD
    positions after END are ignored); predicted and targets (n, T)."""
    predicted, targets = np.asarray(predicted), np.asarray(targets)
    if predicted.shape != targets.shape or predicted.ndim != 2:
        raise ValueError(
            f"predicted and targets must be (n, T) alike: {predicted.shape}, {targets.shape}"
        )
    return np.all((predicted == targets) | (targets == PAD), axis=1)


def exact_match_by_length(predicted, targets, lengths) -> tuple[np.ndarray, np.ndarray]:
    """Exact-match accuracy per input length: (sorted unique lengths (k,), accuracy (k,))."""
    matches = exact_match(predicted, targets)
    lengths = np.asarray(lengths)
    if lengths.shape != matches.shape:
        raise ValueError(f"lengths must have shape {matches.shape}, got {lengths.shape}")
    unique, group = np.unique(lengths, return_inverse=True)
    accuracy = np.bincount(group, weights=matches) / np.bincount(group)
    return unique, accuracy


@keras.saving.register_keras_serializable(package="course_lib")
class AttentionPooling(keras.layers.Layer):
    """Attention pooling over RNN states h_t (n, T, d): e_t = v^T tanh(W h_t + b),
    a_t = softmax_t(e_t) over unmasked steps, returns (sum_t a_t h_t (n, d), a (n, T))."""

    def __init__(self, units: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.units = positive_int(units, "units")
        self.supports_masking = True

    def build(self, input_shape):
        d = input_shape[-1]
        self.W = self.add_weight((d, self.units), initializer="glorot_uniform", name="W")
        self.b = self.add_weight((self.units,), initializer="zeros", name="b")
        self.v = self.add_weight((self.units,), initializer="glorot_uniform", name="v")

    def call(self, inputs, mask=None):
        ops = keras.ops
        scores = ops.tensordot(ops.tanh(ops.tensordot(inputs, self.W, 1) + self.b), self.v, 1)
        if mask is not None:
            scores = ops.where(mask, scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)
        return ops.sum(weights[..., None] * inputs, axis=1), weights

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1]), (input_shape[0], input_shape[1])

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def attention_pooling_classifier(
    vocab_size: int, embedding_dim: int = 32, units: int = 16, attention_units: int = 32
):
    """Binary text classifier: Embedding(mask_zero) -> bidirectional GRU states h_t (n, T, 2 units)
    -> AttentionPooling -> Dense(sigmoid); token ids (n, T) -> P(positive) (n, 1).
    Layers: embedding, bigru, pooling, output."""
    vocab_size = positive_int(vocab_size, "vocab_size")
    embedding_dim = positive_int(embedding_dim, "embedding_dim")
    units = positive_int(units, "units")
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=True, name="embedding")(tokens)
    gru = keras.layers.GRU(units, return_sequences=True)
    states = keras.layers.Bidirectional(gru, name="bigru")(x)
    pooled, _ = AttentionPooling(attention_units, name="pooling")(states)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(pooled)
    return keras.Model(tokens, outputs, name="attention_pooling_classifier")


def pooling_weights_model(model):
    """token ids (n, T) -> (RNN states h_t (n, T, d), attention weights a_t (n, T)) of an
    attention_pooling_classifier, sharing its layers."""
    names = [layer.name for layer in model.layers]
    if "pooling" not in names:
        raise ValueError(f"model {model.name!r} has no layer named 'pooling'")
    states, weights = model.get_layer("bigru").output, model.get_layer("pooling").output[1]
    return keras.Model(model.input, [states, weights], name="pooling_weights")


def attention_html(words, weights) -> str:
    """Words as HTML spans, background opacity (a - min a) / (max a - min a) (attention as text)."""
    weights = np.asarray(weights, dtype=float)
    if len(words) != len(weights) or weights.ndim != 1:
        raise ValueError(f"words ({len(words)}) and weights {weights.shape} must match")
    if weights.size and weights.min() < 0:
        raise ValueError("weights must be >= 0")
    spread = np.ptp(weights) if weights.size else 0.0
    scale = (weights - weights.min()) / spread if spread > 0 else np.zeros_like(weights)
    spans = [
        f'<span style="background: rgba(255, 99, 71, {a:.2f})">{html.escape(str(w))}</span>'
        for w, a in zip(words, scale, strict=True)
    ]
    return '<p style="line-height: 1.8">' + " ".join(spans) + "</p>"


def plot_attention_map(weights, input_labels, output_labels, ax=None, title=None):
    """Heatmap of attention weights a_ti (Ty, Tx): rows output steps, columns input positions."""
    import matplotlib.pyplot as plt

    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape != (len(output_labels), len(input_labels)):
        raise ValueError(
            f"weights must be (len(output_labels), len(input_labels)) = "
            f"{(len(output_labels), len(input_labels))}, got {weights.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(0.3 * len(input_labels) + 1.5, 0.3 * len(output_labels) + 1))
    ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(np.arange(len(input_labels)), [str(s) for s in input_labels])
    ax.set_yticks(np.arange(len(output_labels)), [str(s) for s in output_labels])
    ax.set_xlabel("input position (encoder)")
    ax.set_ylabel("output step (decoder)")
    if title:
        ax.set_title(title)
    return ax
