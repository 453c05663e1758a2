import keras
import numpy as np
import pytest

from course_lib.attention import (
    END,
    PAD,
    START,
    VOCAB_SIZE,
    AttentionPooling,
    attention_html,
    attention_pooling_classifier,
    attention_weights_model,
    decode_tokens,
    encode_digits,
    exact_match,
    exact_match_by_length,
    greedy_decode,
    plot_attention_map,
    pooling_weights_model,
    reversal_task,
    seq2seq_model,
)


def _numpy(outputs):
    if isinstance(outputs, (list, tuple)):
        return [keras.ops.convert_to_numpy(t) for t in outputs]
    return keras.ops.convert_to_numpy(outputs)


def _softmax(scores):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_encode_and_decode_digits():
    tokens = encode_digits(["307", "5"], length=4)
    np.testing.assert_array_equal(tokens, [[6, 3, 10, PAD], [8, PAD, PAD, PAD]])
    assert tokens.dtype == np.int32
    assert encode_digits(["12", "345"]).shape == (2, 3)
    assert decode_tokens(tokens) == ["307", "5"]
    # START is skipped, reading stops at END
    assert decode_tokens([[START, 4, 5, END, 6]]) == ["12"]
    assert decode_tokens([4, 5]) == ["12"]


@pytest.mark.parametrize(
    ("strings", "length"), [(["12a"], None), ([""], None), (["١٢"], None), (["1234"], 3)]
)
def test_encode_digits_rejects_bad_input(strings, length):
    with pytest.raises(ValueError):
        encode_digits(strings, length)


def test_encode_digits_rejects_bad_length():
    with pytest.raises(ValueError, match="length"):
        encode_digits(["1"], length=0)


def test_decode_tokens_rejects_unknown_tokens():
    with pytest.raises(ValueError, match="tokens"):
        decode_tokens([[VOCAB_SIZE]])


def test_reversal_task_reverses_and_shifts():
    enc, dec, tgt, lengths = reversal_task(200, [2, 5, 7], seed=3)
    assert enc.shape == (200, 7) and dec.shape == tgt.shape == (200, 8)
    assert set(np.unique(lengths)) == {2, 5, 7}
    sources, reversed_ = decode_tokens(enc), decode_tokens(tgt)
    assert [len(s) for s in sources] == lengths.tolist()
    assert all(r == s[::-1] for r, s in zip(reversed_, sources, strict=True))
    rows = np.arange(200)
    assert np.all(tgt[rows, lengths] == END)
    # teacher forcing: decoder input t is target t - 1, START first, END replaced by PAD
    assert np.all(dec[:, 0] == START)
    shifted = np.where(tgt[:, :-1] == END, PAD, tgt[:, :-1])
    np.testing.assert_array_equal(dec[:, 1:], shifted)
    # padding after the string in the encoder, after END in the targets
    position = np.arange(8)
    assert np.all((enc == PAD) == (position[:7] >= lengths[:, None]))
    assert np.all((tgt == PAD) == (position > lengths[:, None]))


def test_reversal_task_is_seeded():
    first, second = reversal_task(50, range(1, 6), seed=1), reversal_task(50, range(1, 6), seed=1)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], reversal_task(50, range(1, 6), seed=2)[0])


@pytest.mark.parametrize(
    ("n_samples", "lengths", "match"),
    [(0, [3], "n_samples"), (10, [], "lengths"), (10, [0, 3], "lengths"), (10, [2.5], "lengths")],
)
def test_reversal_task_rejects_bad_arguments(n_samples, lengths, match):
    with pytest.raises(ValueError, match=match):
        reversal_task(n_samples, lengths)


@pytest.mark.parametrize("kind", [None, "dot", "additive"])
def test_seq2seq_model_shapes(kind):
    model = seq2seq_model(kind, units=8, embedding_dim=4)
    enc, dec, _, _ = reversal_task(5, [3, 6])
    assert _numpy(model([enc, dec])).shape == (5, 7, VOCAB_SIZE)
    if kind is None:
        with pytest.raises(ValueError, match="attention"):
            attention_weights_model(model)
    else:
        weights = _numpy(attention_weights_model(model)([enc, dec]))
        assert weights.shape == (5, 7, 6)
        np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)
        # padded encoder positions get no weight
        assert np.all(weights[np.broadcast_to(enc[:, None, :] == PAD, weights.shape)] < 1e-6)


def test_dot_attention_weights_match_the_formula():
    keras.utils.set_random_seed(0)
    model = seq2seq_model("dot", units=8, embedding_dim=4)
    enc, dec, _, _ = reversal_task(4, [2, 5], seed=4)
    states = keras.Model(
        model.inputs,
        [model.get_layer("decoder_gru").output, model.get_layer("encoder_gru").output[0]],
    )
    s, h = _numpy(states([enc, dec]))
    scores = np.einsum("ntd,nid->nti", s.astype(float), h.astype(float))
    scores = np.where(enc[:, None, :] == PAD, -np.inf, scores)
    weights = _numpy(attention_weights_model(model)([enc, dec]))
    np.testing.assert_allclose(weights, _softmax(scores), atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"attention": "bahdanau"}, "attention"),
        ({"units": 0}, "units"),
        ({"embedding_dim": 1.5}, "embedding_dim"),
        ({"vocab_size": 0}, "vocab_size"),
    ],
)
def test_seq2seq_model_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        seq2seq_model(**kwargs)


def test_greedy_decode_matches_step_by_step_prefixes():
    keras.utils.set_random_seed(1)
    model = seq2seq_model("dot", units=8, embedding_dim=4)
    enc = reversal_task(6, [3, 4], seed=5)[0]
    predicted = greedy_decode(model, enc, steps=5)
    assert predicted.shape == (6, 5)
    # brute force: the decoder inputs grow one fed-back token per step, nothing after them
    prefix = np.full((6, 1), START, dtype=np.int32)
    for t in range(5):
        probs = _numpy(model([enc, prefix]))
        np.testing.assert_array_equal(predicted[:, t], probs[:, t].argmax(axis=-1))
        prefix = np.concatenate([prefix, predicted[:, t : t + 1]], axis=1)
    with pytest.raises(ValueError, match="steps"):
        greedy_decode(model, enc, steps=0)


def test_exact_match_and_by_length():
    targets = np.array([[5, 4, END, PAD], [5, 4, END, PAD], [3, 4, 5, END]])
    predicted = np.array([[5, 4, END, 7], [5, 4, 6, END], [3, 4, 5, END]])
    np.testing.assert_array_equal(exact_match(predicted, targets), [True, False, True])
    lengths, accuracy = exact_match_by_length(predicted, targets, [2, 2, 3])
    np.testing.assert_array_equal(lengths, [2, 3])
    np.testing.assert_allclose(accuracy, [0.5, 1.0])
    with pytest.raises(ValueError, match="predicted"):
        exact_match(predicted[:, :3], targets)
    with pytest.raises(ValueError, match="lengths"):
        exact_match_by_length(predicted, targets, [2, 3])


def test_attention_pooling_formula_and_mask():
    rng = np.random.default_rng(0)
    h = rng.normal(size=(3, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=bool)
    layer = AttentionPooling(6)
    pooled, weights = (keras.ops.convert_to_numpy(t) for t in layer(h, mask=mask))
    W, b, v = layer.get_weights()
    scores = np.tanh(h.astype(float) @ W + b) @ v
    expected = _softmax(np.where(mask, scores, -np.inf))
    np.testing.assert_allclose(weights, expected, atol=1e-6)
    np.testing.assert_allclose(pooled, np.einsum("nt,ntd->nd", expected, h), atol=1e-5)
    np.testing.assert_allclose(weights[2], [1, 0, 0, 0, 0], atol=1e-7)
    assert pooled.shape == (3, 4) and weights.shape == (3, 5)


def test_attention_pooling_config_and_errors():
    layer = AttentionPooling(7, name="pool")
    clone = AttentionPooling.from_config(layer.get_config())
    assert clone.units == 7 and clone.name == "pool"
    with pytest.raises(ValueError, match="units"):
        AttentionPooling(0)


def test_attention_pooling_classifier_and_weights_model():
    model = attention_pooling_classifier(30, embedding_dim=4, units=3, attention_units=5)
    tokens = np.array([[5, 6, 7, 0, 0], [8, 9, 10, 11, 12]], dtype=np.int32)
    probs = _numpy(model(tokens))
    assert probs.shape == (2, 1) and np.all((probs > 0) & (probs < 1))
    states, weights = _numpy(pooling_weights_model(model)(tokens))
    assert states.shape == (2, 5, 6) and weights.shape == (2, 5)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(weights[0, 3:] < 1e-6)
    with pytest.raises(ValueError, match="vocab_size"):
        attention_pooling_classifier(0)
    with pytest.raises(ValueError, match="pooling"):
        pooling_weights_model(seq2seq_model(units=4, embedding_dim=2))


def test_attention_html():
    text = attention_html(["good", "<b>", "film"], [0.2, 0.5, 0.8])
    assert 'rgba(255, 99, 71, 0.00)">good' in text and 'rgba(255, 99, 71, 1.00)">film' in text
    assert "&lt;b&gt;" in text and "<b>" not in text
    assert "0.50)" in text
    with pytest.raises(ValueError, match="match"):
        attention_html(["a"], [0.1, 0.2])
    with pytest.raises(ValueError, match=">= 0"):
        attention_html(["a"], [-0.1])


def test_plot_attention_map():
    import matplotlib

    matplotlib.use("Agg")
    ax = plot_attention_map(np.full((2, 3), 1 / 3), ["1", "2", "3"], ["3", "2"], title="t")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["3", "2"]
    with pytest.raises(ValueError, match="weights"):
        plot_attention_map(np.ones((3, 2)), ["1", "2", "3"], ["3", "2"])
