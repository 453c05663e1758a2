import numpy as np
import pytest

from course_lib.rnn import recurrent_classifier


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_classifier_shapes_and_parameters(kind, bidirectional):
    vocab, length, embed, units = 50, 7, 4, 3
    model = recurrent_classifier(kind, vocab, length, embed, units, bidirectional)
    x = np.array([[3, 4, 5, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7]], dtype="int32")
    p = np.asarray(model.predict(x, verbose=0))
    assert p.shape == (2, 1) and np.all((p > 0) & (p < 1))
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    # GRU (reset_after=True) has two bias vectors per gate
    bias = gates * units * (2 if kind == "gru" else 1)
    recurrent = gates * (embed * units + units * units) + bias
    directions = 2 if bidirectional else 1
    expected = vocab * embed + directions * recurrent + (directions * units + 1)
    assert model.count_params() == expected
    assert not model.compiled  # a builder returns the model; the lesson compiles it


def test_recurrent_classifier_masks_padding():
    model = recurrent_classifier("gru", 20, 6, 4, 3)
    short = np.array([[5, 6, 7, 0, 0, 0]], dtype="int32")
    # padding (id 0) is skipped, so trailing zeros give the same state as the short sequence
    full = recurrent_classifier("gru", 20, 3, 4, 3)
    full.set_weights(model.get_weights())
    np.testing.assert_allclose(
        model.predict(short, verbose=0), full.predict(short[:, :3], verbose=0), atol=1e-6
    )


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"kind": "transformer"}, "kind"),
        ({"vocab_size": 0}, "vocab_size"),
        ({"sequence_length": -1}, "sequence_length"),
        ({"embed_dim": 0}, "embed_dim"),
        ({"units": 2.5}, "units"),
    ],
)
def test_recurrent_classifier_rejects_bad_arguments(kwargs, name):
    args = {"kind": "lstm", "vocab_size": 10, "sequence_length": 5} | kwargs
    with pytest.raises(ValueError, match=name):
        recurrent_classifier(**args)


def test_recurrent_layer_names_and_bidirectional_width():
    import keras

    from course_lib.rnn import recurrent_layer

    layer = recurrent_layer("lstm", 5, bidirectional=True, name="bi")
    assert isinstance(layer, keras.layers.Bidirectional) and layer.name == "bi"
    assert layer(np.zeros((2, 4, 3), "float32")).shape == (2, 10)
    with pytest.raises(ValueError, match="units"):
        recurrent_layer("gru", 0)


def _simple_rnn_weights(rng, d, m):
    return (
        rng.normal(size=(d, m)).astype("float32") * 0.5,
        rng.normal(size=(m, m)).astype("float32") * 0.5,
        rng.normal(size=m).astype("float32") * 0.1,
    )


def test_simple_rnn_forward_closed_form():
    from course_lib.rnn import simple_rnn_forward

    # one unit, W = 1, U = 0.5, b = 0: h_1 = tanh(1), h_2 = tanh(0.5 h_1), h_3 = tanh(2 + 0.5 h_2)
    x = np.array([[[1.0], [0.0], [2.0]]])
    h = simple_rnn_forward(x, [[1.0]], [[0.5]], [0.0])
    h1 = np.tanh(1.0)
    h2 = np.tanh(0.5 * h1)
    np.testing.assert_allclose(h[0, :, 0], [h1, h2, np.tanh(2.0 + 0.5 * h2)], rtol=1e-6)


def test_simple_rnn_forward_matches_keras_with_and_without_mask():
    import keras

    from course_lib.rnn import simple_rnn_forward

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    weights = _simple_rnn_weights(rng, 4, 5)
    layer = keras.layers.SimpleRNN(5, return_sequences=True)
    layer.build(x.shape)
    layer.set_weights(list(weights))
    np.testing.assert_allclose(
        simple_rnn_forward(x, *weights), keras.ops.convert_to_numpy(layer(x)), atol=1e-5
    )
    mask = np.arange(6) < np.array([[6], [3], [1]])  # post-padding: 6, 3 and 1 real steps
    ours = simple_rnn_forward(x, *weights, mask=mask)
    final = keras.layers.SimpleRNN(5)
    final.build(x.shape)
    final.set_weights(list(weights))
    np.testing.assert_allclose(
        ours[:, -1], keras.ops.convert_to_numpy(final(x, mask=mask)), atol=1e-5
    )
    # a masked step keeps the previous state
    np.testing.assert_array_equal(ours[1, 3:], np.repeat(ours[1, 2:3], 3, axis=0))


def test_simple_rnn_forward_rejects_bad_shapes():
    from course_lib.rnn import simple_rnn_forward

    kernel, recurrent, bias = np.zeros((2, 3)), np.zeros((3, 3)), np.zeros(3)
    with pytest.raises(ValueError, match="x must be"):
        simple_rnn_forward(np.zeros((2, 3)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="kernel"):
        simple_rnn_forward(np.zeros((1, 4, 5)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="mask"):
        simple_rnn_forward(np.zeros((1, 4, 2)), kernel, recurrent, bias, mask=np.ones((1, 3)))


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_run_cell_matches_layer_and_truncation_cuts_the_gradient(kind):
    import keras

    from course_lib.backends import gradients
    from course_lib.rnn import run_cell

    rng = np.random.default_rng(1)
    x_np = rng.normal(size=(2, 7, 3)).astype("float32")
    layer = getattr(keras.layers, kind)(4)
    expected = keras.ops.convert_to_numpy(layer(x_np))
    x = keras.Variable(x_np, trainable=False)
    full = keras.ops.convert_to_numpy(run_cell(layer.cell, x.value))
    truncated = keras.ops.convert_to_numpy(run_cell(layer.cell, x.value, bptt_steps=3))
    np.testing.assert_allclose(full, expected, atol=1e-5)
    np.testing.assert_allclose(truncated, full, atol=1e-6)  # the forward pass is unchanged

    (g_full,) = gradients(lambda: keras.ops.sum(run_cell(layer.cell, x.value)), [x])
    (g_cut,) = gradients(lambda: keras.ops.sum(run_cell(layer.cell, x.value, 3)), [x])
    np.testing.assert_array_equal(g_cut[:, :4], 0.0)  # steps 0..T-k-1 get no gradient
    np.testing.assert_allclose(g_cut[:, 4:], g_full[:, 4:], atol=1e-6)
    assert np.abs(g_full[:, :4]).max() > 0
    with pytest.raises(ValueError, match="bptt_steps"):
        run_cell(layer.cell, x.value, bptt_steps=0)


def test_binary_crossentropy_sum_closed_form():
    import keras

    from course_lib.rnn import binary_crossentropy_sum

    p = keras.ops.convert_to_tensor(np.array([[0.8], [0.4]], "float32"))
    value = float(keras.ops.convert_to_numpy(binary_crossentropy_sum(np.array([1, 0]), p)))
    np.testing.assert_allclose(value, -np.log(0.8) - np.log(0.6), rtol=1e-5)


def test_time_step_gradient_norms_closed_form():
    import keras

    from course_lib.rnn import time_step_gradient_norms

    # p = sigmoid(sum_t a_t sum_j x_tj): dE_i/dx_it = (p_i - y_i) a_t (1, ..., 1)
    a = np.array([0.5, -1.0, 2.0], "float32")
    x = np.random.default_rng(2).normal(size=(4, 3, 2)).astype("float32") * 0.3
    y = np.array([1, 0, 1, 0])

    weights = keras.ops.convert_to_tensor(a[None, :, None])

    def predict(e):
        return keras.ops.sigmoid(keras.ops.sum(keras.ops.multiply(e, weights), axis=(1, 2)))[
            :, None
        ]

    p = 1 / (1 + np.exp(-(x * a[None, :, None]).sum(axis=(1, 2))))
    expected = np.mean(np.abs(p - y)) * np.abs(a) * np.sqrt(2)
    np.testing.assert_allclose(time_step_gradient_norms(predict, x, y), expected, rtol=1e-4)
    with pytest.raises(ValueError, match="embedded"):
        time_step_gradient_norms(predict, x[0], y)
    with pytest.raises(ValueError, match="y must"):
        time_step_gradient_norms(predict, x, y[:3])


def test_last_tokens():
    from course_lib.rnn import last_tokens

    x = np.array([[5, 6, 7, 8, 0, 0], [9, 3, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6]])
    np.testing.assert_array_equal(last_tokens(x, 3), [[6, 7, 8], [9, 3, 0], [4, 5, 6]])
    np.testing.assert_array_equal(last_tokens(x, 8)[:, :6], x)
    assert last_tokens(x, 8).shape == (3, 8) and last_tokens(x, 3).dtype == np.int32
    with pytest.raises(ValueError, match="k must"):
        last_tokens(x, 0)
    with pytest.raises(ValueError, match="x must"):
        last_tokens(x[0], 2)


def test_embedding_bag_classifier_averages_over_real_tokens():
    from course_lib.rnn import embedding_bag_classifier

    model = embedding_bag_classifier(30, 5, 4)
    assert model.count_params() == 30 * 4 + 4 + 1
    embedding, output = model.get_layer("embedding"), model.get_layer("output")
    x = np.array([[3, 4, 0, 0, 0]], "int32")
    table = embedding.get_weights()[0]
    kernel, bias = output.get_weights()
    expected = 1 / (1 + np.exp(-(table[[3, 4]].mean(axis=0) @ kernel + bias)))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected[None], rtol=1e-5)
    with pytest.raises(ValueError, match="embed_dim"):
        embedding_bag_classifier(30, 5, 0)


def test_time_steps_are_the_slices_in_order():
    import keras

    from course_lib.rnn import time_steps

    x = np.arange(2 * 5 * 3, dtype="float32").reshape(2, 5, 3)
    steps = [keras.ops.convert_to_numpy(s) for s in time_steps(x)]
    assert len(steps) == 5
    for t, x_t in enumerate(steps):
        np.testing.assert_array_equal(x_t, x[:, t])
