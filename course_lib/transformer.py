"""Transformer encoder (lesson 16, slide "Transformer", Vaswani et al. 2017): scaled dot-product
attention in keras.ops, padding and causal masks, sinusoidal positional encoding, a token +
position embedding layer, an encoder block (multi-head self-attention, add & norm,
feed-forward) and a text classifier built from them."""

import keras
import numpy as np

from course_lib.validation import positive_int, rate

POSITIONAL_KINDS = ("sinusoidal", "learned", "none")
_LARGE_NEGATIVE = -1e9  # what Keras' masked softmax adds to masked float32 scores


def _check_positional(kind: str) -> str:
    if kind not in POSITIONAL_KINDS:
        raise ValueError(f"positional must be one of {POSITIONAL_KINDS}, got {kind!r}")
    return kind


def scaled_dot_product_attention(query, key, value, mask=None):
    """softmax(Q K^T / sqrt(d_k)) V (Vaswani et al. eq. 1): query (..., T_q, d_k), key
    (..., T_k, d_k), value (..., T_k, d_v), mask bool broadcastable to (..., T_q, T_k), True =
    may attend -> (output (..., T_q, d_v), weights (..., T_q, T_k)); masked scores get -1e9."""
    query, key, value = (keras.ops.convert_to_tensor(t) for t in (query, key, value))
    for name, tensor in (("query", query), ("key", key), ("value", value)):
        if len(tensor.shape) < 2:
            raise ValueError(f"{name} must have shape (..., length, depth), got {tensor.shape}")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(
            f"query and key must have the same depth d_k, got {query.shape} and {key.shape}"
        )
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(
            f"key and value must have the same length T_k, got {key.shape} and {value.shape}"
        )
    d_k = query.shape[-1]
    scores = keras.ops.matmul(query, keras.ops.swapaxes(key, -1, -2)) / np.sqrt(d_k)
    if mask is not None:
        mask = keras.ops.cast(mask, "bool")
        scores = keras.ops.where(mask, scores, keras.ops.cast(_LARGE_NEGATIVE, scores.dtype))
    weights = keras.ops.softmax(scores, axis=-1)
    return keras.ops.matmul(weights, value), weights


def padding_mask(token_ids, pad_id: int = 0):
    """Key mask of padded sequences: token_ids (n, T) -> bool (n, T), True at real tokens;
    use mask[:, None, :] as an attention mask (n, 1, T) so no query looks at padding."""
    token_ids = keras.ops.convert_to_tensor(token_ids)
    if len(token_ids.shape) != 2:
        raise ValueError(f"token_ids must have shape (n, T), got {token_ids.shape}")
    return keras.ops.not_equal(token_ids, pad_id)


def causal_mask(length: int) -> np.ndarray:
    """Look-ahead mask of masked self-attention: bool (length, length), True where key
    position j <= query position i (lower triangle incl. diagonal)."""
    length = positive_int(length, "length")
    return np.tril(np.ones((length, length), dtype=bool))


def positional_encoding(length: int, depth: int) -> np.ndarray:
    """Sinusoidal encoding (Vaswani et al. sec. 3.5): PE[pos, 2i] = sin(pos / 10000^(2i/depth)),
    PE[pos, 2i+1] = cos(pos / 10000^(2i/depth)); float32 (length, depth), depth even."""
    length = positive_int(length, "length")
    depth = positive_int(depth, "depth")
    if depth % 2:
        raise ValueError(f"depth must be even (sin and cos pairs), got {depth}")
    positions = np.arange(length)[:, None]
    frequencies = 1.0 / 10000.0 ** (np.arange(0, depth, 2) / depth)
    angles = positions * frequencies  # (length, depth / 2)
    encoding = np.empty((length, depth))
    encoding[:, 0::2], encoding[:, 1::2] = np.sin(angles), np.cos(angles)
    return encoding.astype("float32")


@keras.saving.register_keras_serializable(package="course_lib")
class TokenAndPositionEmbedding(keras.layers.Layer):
    """Token ids (n, T) -> token embedding + position encoding (n, T, embed_dim), T <=
    sequence_length; positional 'sinusoidal' (fixed), 'learned' (an Embedding of positions)
    or 'none'. Id 0 is padding: the output carries the mask ids != 0."""

    def __init__(self, vocab_size, sequence_length, embed_dim, positional="sinusoidal", **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = positive_int(vocab_size, "vocab_size")
        self.sequence_length = positive_int(sequence_length, "sequence_length")
        self.embed_dim = positive_int(embed_dim, "embed_dim")
        self.positional = _check_positional(positional)
        if positional == "sinusoidal" and embed_dim % 2:
            raise ValueError(f"embed_dim must be even for sinusoidal encoding, got {embed_dim}")
        self.token_embedding = keras.layers.Embedding(vocab_size, embed_dim, name="token")
        self.position_embedding = None
        if positional == "learned":
            self.position_embedding = keras.layers.Embedding(
                sequence_length, embed_dim, name="position"
            )
        self.supports_masking = True

    def build(self, input_shape):
        self.token_embedding.build(input_shape)
        if self.position_embedding is not None:
            self.position_embedding.build((self.sequence_length,))
        self.built = True

    def call(self, token_ids):
        x = self.token_embedding(token_ids)
        length = keras.ops.shape(token_ids)[-1]
        if self.positional == "sinusoidal":
            encoding = positional_encoding(self.sequence_length, self.embed_dim)
            x = x + keras.ops.cast(encoding, x.dtype)[:length]
        elif self.positional == "learned":
            x = x + self.position_embedding(keras.ops.arange(length))
        return x

    def compute_mask(self, token_ids, mask=None):
        return keras.ops.not_equal(token_ids, 0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.embed_dim)

    def get_config(self):
        return {
            **super().get_config(),
            "vocab_size": self.vocab_size,
            "sequence_length": self.sequence_length,
            "embed_dim": self.embed_dim,
            "positional": self.positional,
        }


@keras.saving.register_keras_serializable(package="course_lib")
class TransformerEncoder(keras.layers.Layer):
    """One encoder block (slide "Transformer", post-norm as in Vaswani et al.): x (n, T,
    embed_dim) -> LayerNorm(x + MultiHeadAttention(x, x)) = z -> LayerNorm(z + FF(z)), FF =
    Dense(ff_dim, relu) -> Dense(embed_dim); padded keys (input mask) are masked, causal=True
    also masks later positions. call(..., return_attention_scores=True) also returns the
    attention weights (n, num_heads, T, T)."""

    def __init__(self, embed_dim, num_heads, ff_dim, dropout=0.1, causal=False, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = positive_int(embed_dim, "embed_dim")
        self.num_heads = positive_int(num_heads, "num_heads")
        self.ff_dim = positive_int(ff_dim, "ff_dim")
        self.dropout = rate(dropout, "dropout")
        if embed_dim % num_heads:
            raise ValueError(
                f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})"
            )
        self.causal = bool(causal)
        self.attention = keras.layers.MultiHeadAttention(
            num_heads, key_dim=embed_dim // num_heads, name="attention"
        )
        self.feed_forward = keras.Sequential(
            [
                keras.layers.Dense(ff_dim, activation="relu", name="ff_hidden"),
                keras.layers.Dense(embed_dim, name="ff_output"),
            ],
            name="feed_forward",
        )
        self.attention_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="attention_norm")
        self.ff_norm = keras.layers.LayerNormalization(epsilon=1e-6, name="ff_norm")
        self.attention_dropout = keras.layers.Dropout(dropout)
        self.ff_dropout = keras.layers.Dropout(dropout)
        self.supports_masking = True

    def build(self, input_shape):
        if input_shape[-1] != self.embed_dim:
            raise ValueError(
                f"inputs must have shape (n, T, {self.embed_dim}), got {tuple(input_shape)}"
            )
        self.attention.build(input_shape, input_shape)
        self.feed_forward.build(input_shape)
        self.attention_norm.build(input_shape)
        self.ff_norm.build(input_shape)
        self.built = True

    def call(self, inputs, mask=None, training=None, return_attention_scores=False):
        attention_mask = None if mask is None else padding_mask_3d(mask)
        attended, scores = self.attention(
            inputs,
            inputs,
            attention_mask=attention_mask,
            use_causal_mask=self.causal,
            return_attention_scores=True,
            training=training,
        )
        z = self.attention_norm(inputs + self.attention_dropout(attended, training=training))
        out = self.ff_norm(z + self.ff_dropout(self.feed_forward(z), training=training))
        return (out, scores) if return_attention_scores else out

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "embed_dim": self.embed_dim,
            "num_heads": self.num_heads,
            "ff_dim": self.ff_dim,
            "dropout": self.dropout,
            "causal": self.causal,
        }


def padding_mask_3d(key_mask):
    """Attention mask from a key mask: bool (n, T) -> (n, 1, T), broadcast over the queries."""
    return keras.ops.expand_dims(keras.ops.cast(key_mask, "bool"), axis=1)


def transformer_classifier(
    vocab_size: int,
    sequence_length: int,
    embed_dim: int = 32,
    num_heads: int = 2,
    ff_dim: int = 32,
    num_blocks: int = 1,
    dropout: float = 0.1,
    positional: str = "sinusoidal",
) -> keras.Model:
    """Binary text classifier: ids (n, sequence_length) -> TokenAndPositionEmbedding ->
    num_blocks x TransformerEncoder -> mean over real tokens -> Dropout -> Dense(1, sigmoid)
    = P(positive) (n, 1), uncompiled like course_lib.rnn.recurrent_classifier; layers
    'embedding', 'encoder_1', ..."""
    num_blocks = positive_int(num_blocks, "num_blocks")
    token_ids = keras.Input((sequence_length,), dtype="int32", name="token_ids")
    x = TokenAndPositionEmbedding(
        vocab_size, sequence_length, embed_dim, positional, name="embedding"
    )(token_ids)
    for block in range(1, num_blocks + 1):
        x = TransformerEncoder(embed_dim, num_heads, ff_dim, dropout, name=f"encoder_{block}")(x)
    x = keras.layers.GlobalAveragePooling1D(name="mean_pool")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    output = keras.layers.Dense(1, activation="sigmoid", name="output")(x)
    name = "transformer" if positional != "none" else "transformer_no_position"
    return keras.Model(token_ids, output, name=name)
