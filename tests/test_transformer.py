import keras
import numpy as np
import pytest

from course_lib.transformer import (
    TokenAndPositionEmbedding,
    TransformerEncoder,
    causal_mask,
    padding_mask,
    positional_encoding,
    scaled_dot_product_attention,
    transformer_classifier,
)


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _brute_force_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d)) v one query at a time, float64."""
    out = np.zeros(q.shape[:-1] + v.shape[-1:])
    weights = np.zeros(q.shape[:-1] + k.shape[-2:-1])
    for i in range(q.shape[-2]):
        scores = (k @ q[..., i, :, None])[..., 0] / np.sqrt(q.shape[-1])
        if mask is not None:
            scores = np.where(np.broadcast_to(mask, weights.shape)[..., i, :], scores, -np.inf)
        w = np.exp(scores - scores.max(axis=-1, keepdims=True))
        w /= w.sum(axis=-1, keepdims=True)
        weights[..., i, :] = w
        out[..., i, :] = (w[..., None] * v).sum(axis=-2)
    return out, weights


def test_attention_matches_brute_force_and_closed_form():
    rng = np.random.default_rng(0)
    q, k, v = (rng.normal(size=(2, 3, n, 4)).astype("float32") for n in (5, 6, 6))
    out, weights = scaled_dot_product_attention(q, k, v)
    expected_out, expected_weights = _brute_force_attention(q, k, v)
    assert _np(out).shape == (2, 3, 5, 4) and _np(weights).shape == (2, 3, 5, 6)
    np.testing.assert_allclose(_np(weights), expected_weights, atol=1e-6)
    np.testing.assert_allclose(_np(out), expected_out, atol=1e-5)
    # equal keys: uniform weights, so the output is the mean of the values
    out, weights = scaled_dot_product_attention(q, np.ones_like(k), v)
    np.testing.assert_allclose(_np(weights), 1 / 6, atol=1e-6)
    np.testing.assert_allclose(
        _np(out), np.broadcast_to(v.mean(-2, keepdims=True), out.shape), atol=1e-5
    )


def test_attention_mask_zeroes_masked_keys():
    rng = np.random.default_rng(1)
    q, k, v = (rng.normal(size=(2, 4, 3)).astype("float32") for _ in range(3))
    mask = np.array([[True, True, False, False], [True, True, True, True]])[:, None, :]
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    weights = _np(weights)
    assert np.all(weights[0, :, 2:] == 0.0)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    # the first sequence attends as if it were only its first two tokens
    short_out, _ = scaled_dot_product_attention(q[:1], k[:1, :2], v[:1, :2])
    np.testing.assert_allclose(_np(out)[:1], _np(short_out), atol=1e-6)
    np.testing.assert_allclose(_np(out), _brute_force_attention(q, k, v, mask)[0], atol=1e-5)


def test_attention_error_paths():
    x = np.zeros((2, 3, 4), "float32")
    with pytest.raises(ValueError, match="query"):
        scaled_dot_product_attention(np.zeros(4), x, x)
    with pytest.raises(ValueError, match="depth"):
        scaled_dot_product_attention(np.zeros((2, 3, 5), "float32"), x, x)
    with pytest.raises(ValueError, match="length"):
        scaled_dot_product_attention(x, x, np.zeros((2, 2, 4), "float32"))


def test_masks():
    ids = np.array([[5, 7, 0, 0], [3, 0, 0, 0]])
    np.testing.assert_array_equal(_np(padding_mask(ids)), ids != 0)
    np.testing.assert_array_equal(_np(padding_mask(ids, pad_id=7))[0], [True, False, True, True])
    np.testing.assert_array_equal(
        causal_mask(3), [[True, False, False], [True, True, False], [True, True, True]]
    )
    with pytest.raises(ValueError, match="token_ids"):
        padding_mask(np.zeros(3, "int32"))
    with pytest.raises(ValueError, match="length"):
        causal_mask(0)


def test_positional_encoding_values():
    pe = positional_encoding(50, 8)
    assert pe.shape == (50, 8) and pe.dtype == np.float32
    pos = np.arange(50)
    np.testing.assert_allclose(pe[:, 0], np.sin(pos), atol=1e-6)
    np.testing.assert_allclose(pe[:, 1], np.cos(pos), atol=1e-6)
    np.testing.assert_allclose(pe[:, 6], np.sin(pos / 10000 ** (6 / 8)), atol=1e-6)
    np.testing.assert_allclose(pe[:, 7], np.cos(pos / 10000 ** (6 / 8)), atol=1e-6)
    np.testing.assert_allclose(pe[0], [0, 1] * 4)
    # each sin/cos pair lies on the unit circle
    np.testing.assert_allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="length"):
        positional_encoding(0, 8)
    with pytest.raises(ValueError, match="depth"):
        positional_encoding(5, 7)
    with pytest.raises(ValueError, match="depth"):
        positional_encoding(5, 2.0)


def test_token_and_position_embedding():
    ids = np.array([[4, 2, 0], [1, 0, 0]], "int32")
    layer = TokenAndPositionEmbedding(10, 5, 4)
    x = _np(layer(ids))
    assert x.shape == (2, 3, 4)
    token = _np(layer.token_embedding(ids))
    np.testing.assert_allclose(
        x - token, np.broadcast_to(positional_encoding(5, 4)[:3], x.shape), atol=1e-6
    )
    np.testing.assert_array_equal(_np(layer.compute_mask(ids)), ids != 0)
    learned = TokenAndPositionEmbedding(10, 5, 4, positional="learned")
    none = TokenAndPositionEmbedding(10, 5, 4, positional="none")
    assert _np(learned(ids)).shape == (2, 3, 4)
    np.testing.assert_allclose(_np(none(ids)), _np(none.token_embedding(ids)))
    assert len(learned.weights) == 2 and len(none.weights) == 1
    with pytest.raises(ValueError, match="positional"):
        TokenAndPositionEmbedding(10, 5, 4, positional="relative")
    with pytest.raises(ValueError, match="embed_dim"):
        TokenAndPositionEmbedding(10, 5, 3)
    with pytest.raises(ValueError, match="vocab_size"):
        TokenAndPositionEmbedding(0, 5, 4)


def test_encoder_shapes_and_scores():
    x = np.random.default_rng(0).normal(size=(2, 6, 8)).astype("float32")
    block = TransformerEncoder(8, 2, 16, dropout=0.0)
    out, scores = block(x, return_attention_scores=True)
    assert _np(out).shape == (2, 6, 8) and _np(scores).shape == (2, 2, 6, 6)
    np.testing.assert_allclose(_np(scores).sum(-1), 1.0, atol=1e-5)
    # post-norm: every output vector is layer-normalized (mean 0, variance 1 at init)
    np.testing.assert_allclose(_np(out).mean(-1), 0.0, atol=1e-5)
    # attention 4 * (8 * 8 + 8), feed-forward (8 * 16 + 16) + (16 * 8 + 8), two norms 2 * 16
    assert block.count_params() == 288 + 280 + 32


def test_encoder_padding_mask_really_masks():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 5, 8)).astype("float32")
    mask = np.array([[True, True, True, False, False]])
    block = TransformerEncoder(8, 2, 16, dropout=0.0)
    out, scores = block(x, mask=mask, return_attention_scores=True)
    assert np.all(_np(scores)[0, :, :3, 3:] == 0.0)
    # changing the padded positions changes nothing at the real positions
    x_other = x.copy()
    x_other[:, 3:] = rng.normal(size=(1, 2, 8))
    out_other = block(x_other, mask=mask)
    np.testing.assert_allclose(_np(out)[:, :3], _np(out_other)[:, :3], atol=1e-5)
    # and the real positions match the sequence without padding
    np.testing.assert_allclose(_np(out)[:, :3], _np(block(x[:, :3])), atol=1e-5)


def test_encoder_causal_mask():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 5, 8)).astype("float32")
    block = TransformerEncoder(8, 2, 16, dropout=0.0, causal=True)
    out, scores = block(x, return_attention_scores=True)
    upper = ~causal_mask(5)
    assert np.all(_np(scores)[:, :, upper] == 0.0)
    x_future = x.copy()
    x_future[:, 3:] += 1.0
    np.testing.assert_allclose(_np(block(x_future))[:, :3], _np(out)[:, :3], atol=1e-5)


def test_encoder_get_config_round_trip():
    block = TransformerEncoder(8, 2, 16, dropout=0.2, causal=True, name="enc")
    config = block.get_config()
    clone = TransformerEncoder.from_config(config)
    assert clone.get_config() == config
    x = np.random.default_rng(3).normal(size=(2, 4, 8)).astype("float32")
    block(x)
    clone.build(x.shape)
    clone.set_weights(block.get_weights())
    np.testing.assert_allclose(_np(clone(x)), _np(block(x)), atol=1e-6)
    embedding = TokenAndPositionEmbedding(10, 5, 4, positional="learned")
    assert TokenAndPositionEmbedding.from_config(embedding.get_config()).get_config() == (
        embedding.get_config()
    )


def test_encoder_error_paths():
    with pytest.raises(ValueError, match="num_heads"):
        TransformerEncoder(8, 3, 16)
    with pytest.raises(ValueError, match="ff_dim"):
        TransformerEncoder(8, 2, 0)
    with pytest.raises(ValueError, match="dropout"):
        TransformerEncoder(8, 2, 16, dropout=1.0)
    with pytest.raises(ValueError, match="inputs"):
        TransformerEncoder(8, 2, 16).build((None, 5, 6))


def test_classifier_masks_padding_and_saves(tmp_path):
    model = transformer_classifier(30, 6, embed_dim=8, num_heads=2, ff_dim=8, num_blocks=2)
    assert [layer.name for layer in model.layers[1:4]] == ["embedding", "encoder_1", "encoder_2"]
    ids = np.array([[3, 4, 5, 0, 0, 0], [7, 8, 9, 10, 11, 12]], "int32")
    p = _np(model(ids))
    assert p.shape == (2, 1) and np.all((p > 0) & (p < 1))
    # padded positions are masked: the embedding of the padding id 0 cannot reach the output
    token_weights = model.get_layer("embedding").token_embedding.embeddings
    original = _np(token_weights)
    changed = original.copy()
    changed[0] = 5.0
    token_weights.assign(changed)
    np.testing.assert_allclose(_np(model(ids)), p, atol=1e-6)
    changed[3] = 5.0  # a real token of the first review: its prediction moves
    token_weights.assign(changed)
    assert abs(_np(model(ids))[0, 0] - p[0, 0]) > 1e-4
    token_weights.assign(original)
    path = tmp_path / "model.keras"
    model.save(path)
    np.testing.assert_allclose(_np(keras.models.load_model(path, compile=False)(ids)), p, atol=1e-6)
    with pytest.raises(ValueError, match="num_blocks"):
        transformer_classifier(30, 6, num_blocks=0)
    assert not transformer_classifier(30, 6).compiled
