import numpy as np
import pytest

from course_lib.pretraining import (
    deep_classifier,
    layer_autoencoder,
    pretrain_stack,
    stack_codes,
)


def _sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def _tiny_data(n=64, d=12, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, d)).astype("float32")


def test_stack_codes_is_the_forward_pass():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 4))
    weights = [
        (rng.normal(size=(4, 3)), rng.normal(size=3)),
        (rng.normal(size=(3, 2)), np.zeros(2)),
    ]
    h1, h2 = stack_codes(x, weights, "sigmoid")
    np.testing.assert_allclose(h1, _sigmoid(x @ weights[0][0] + weights[0][1]), rtol=1e-5)
    np.testing.assert_allclose(h2, _sigmoid(h1 @ weights[1][0]), rtol=1e-5)
    relu_codes = stack_codes(x, weights[:1], "relu")[0]
    np.testing.assert_allclose(
        relu_codes, np.maximum(x @ weights[0][0] + weights[0][1], 0), rtol=1e-5
    )
    assert h2.shape == (5, 2) and h2.dtype == np.float32


def test_each_layer_is_trained_on_the_codes_of_the_layer_below():
    x = _tiny_data()
    seen = []

    def spy(h, seed):  # identity corruption: records what each layer's AE is fed
        seen.append((h.copy(), seed))
        return h

    weights, losses = pretrain_stack(x, [8, 4, 3], corrupt=spy, epochs=2, batch_size=16, seed=3)
    assert [w.shape for w, _ in weights] == [(12, 8), (8, 4), (4, 3)]
    assert [b.shape for _, b in weights] == [(8,), (4,), (3,)]
    assert [len(per_layer) for per_layer in losses] == [2, 2, 2]
    assert len(seen) == 6  # one call per layer and epoch, fresh noise each time
    assert len({seed for _, seed in seen}) == 6
    codes = stack_codes(x, weights, "sigmoid")
    np.testing.assert_array_equal(seen[0][0], x)
    np.testing.assert_allclose(seen[2][0], codes[0], atol=1e-6)
    np.testing.assert_allclose(seen[4][0], codes[1], atol=1e-6)


def test_plain_layer_loss_goes_down_and_is_reproducible():
    x = _tiny_data(n=128)
    weights, losses = pretrain_stack(x, [6], epochs=6, batch_size=16, learning_rate=0.01, seed=0)
    assert losses[0][-1] < losses[0][0]
    again, _ = pretrain_stack(x, [6], epochs=6, batch_size=16, learning_rate=0.01, seed=0)
    np.testing.assert_allclose(again[0][0], weights[0][0], atol=1e-5)


def test_corrupt_per_layer_and_unbounded_codes():
    x = _tiny_data(n=32)
    calls = []

    def zero_half(h, seed):
        calls.append(h.shape)
        return np.where(np.arange(h.shape[1]) % 2 == 0, 0.0, h)

    # ReLU codes are not in [0, 1]: the second AE uses a linear output and squared error
    weights, losses = pretrain_stack(
        x, [5, 3], activation="relu", corrupt=[None, zero_half], epochs=1
    )
    assert calls == [(32, 5)]
    assert all(np.isfinite(loss) for per_layer in losses for loss in per_layer)
    model = layer_autoencoder(5, 3, "relu", bounded=False)
    assert model.get_layer("decode").activation.__name__ == "linear"
    assert layer_autoencoder(5, 3).get_layer("decode").activation.__name__ == "sigmoid"


def test_classifier_starts_from_the_pretrained_weights():
    rng = np.random.default_rng(2)
    pretrained = [
        (rng.normal(size=(6, 5)), rng.normal(size=5)),
        (rng.normal(size=(5, 4)), rng.normal(size=4)),
    ]
    model = deep_classifier(6, [5, 4, 4], n_classes=3, pretrained=pretrained, seed=0)
    assert model.output_shape == (None, 3)
    assert len(model.layers) == 4
    for layer, (kernel, bias) in zip(model.layers, pretrained, strict=False):
        np.testing.assert_allclose(layer.get_weights()[0], kernel, rtol=1e-6)
        np.testing.assert_allclose(layer.get_weights()[1], bias, rtol=1e-6)
    x = rng.normal(size=(7, 6)).astype("float32")
    h2 = stack_codes(x, pretrained, "sigmoid")[-1]
    kernel3, bias3 = model.layers[2].get_weights()
    logits = _sigmoid(h2 @ kernel3 + bias3) @ model.layers[3].get_weights()[0]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        model.predict(x, verbose=0), probs / probs.sum(axis=1, keepdims=True), rtol=1e-4, atol=1e-6
    )


def test_classifier_seed_and_initializer():
    a = deep_classifier(6, [5], seed=1).get_weights()
    b = deep_classifier(6, [5], seed=1).get_weights()
    np.testing.assert_array_equal(a[0], b[0])
    relu = deep_classifier(784, [512], activation="relu", kernel_initializer="he_normal", seed=0)
    np.testing.assert_allclose(relu.layers[0].get_weights()[0].std(), np.sqrt(2 / 784), rtol=0.05)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"layer_sizes": []}, "layer_sizes"),
        ({"layer_sizes": [4, 0]}, "layer_sizes"),
        ({"activation": "softmax"}, "activation"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 1.5}, "batch_size"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"corrupt": [None]}, "corrupt"),
        ({"corrupt": "masking"}, "corrupt"),
        ({"x": np.zeros(5)}, "x must"),
        ({"x": np.full((3, 2), np.inf)}, "x must"),
    ],
)
def test_pretrain_stack_rejects_bad_arguments(kwargs, match):
    arguments = {"x": _tiny_data(n=8, d=4), "layer_sizes": [3, 2]} | kwargs
    with pytest.raises(ValueError, match=match):
        pretrain_stack(**arguments)


def test_corrupt_must_keep_the_shape():
    with pytest.raises(ValueError, match="corrupt for layer 0"):
        pretrain_stack(_tiny_data(n=8, d=4), [3], corrupt=lambda h, seed: h[:, :2])


def test_bad_weights_and_pretrained_shapes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="weights"):
        stack_codes(np.zeros((2, 4)), [], "sigmoid")
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        stack_codes(
            np.zeros((2, 4)), [(np.zeros((4, 3)), np.zeros(3)), (np.zeros((2, 2)), np.zeros(2))]
        )
    with pytest.raises(ValueError, match=r"weights\[0\]"):
        stack_codes(np.zeros((2, 4)), [(np.zeros((4, 3)), np.zeros(2))])
    with pytest.raises(ValueError, match="x must"):
        stack_codes(np.zeros((2, 5)), [(np.zeros((4, 3)), np.zeros(3))])
    with pytest.raises(ValueError, match="pretrained"):
        deep_classifier(6, [5, 4], pretrained=[(rng.normal(size=(6, 4)), np.zeros(4))])
    with pytest.raises(ValueError, match="pretrained"):
        deep_classifier(
            6, [5], pretrained=[(np.zeros((6, 5)), np.zeros(5)), (np.zeros((5, 2)), np.zeros(2))]
        )
    with pytest.raises(ValueError, match="n_classes"):
        deep_classifier(6, [5], n_classes=1)
    with pytest.raises(ValueError, match="activation"):
        deep_classifier(6, [5], activation="linear")
