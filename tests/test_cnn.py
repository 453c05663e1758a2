import keras
import numpy as np
import pytest

from course_lib.backends import to_numpy
from course_lib.cnn import (
    L2Pooling2D,
    classifier_head,
    conv2d_naive,
    conv_base,
    copy_conv_base,
    fashion_cnn,
    pool_naive,
)


def test_conv2d_naive_closed_form():
    # 3x3 image 0..8, 2x2 kernel of ones: each output is the sum of a 2x2 window
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    out = conv2d_naive(x, np.ones((2, 2, 1, 1)), bias=[0.5])
    np.testing.assert_allclose(out[0, :, :, 0], [[8.5, 12.5], [20.5, 24.5]])
    # cross-correlation, not flipped convolution: a kernel picking the top-left pixel
    pick = np.zeros((2, 2, 1, 1))
    pick[0, 0] = 1.0
    np.testing.assert_allclose(conv2d_naive(x, pick)[0, :, :, 0], [[0, 1], [3, 4]])


def test_conv2d_naive_channels_stride_and_padding_shapes():
    x = np.ones((2, 7, 7, 3))
    kernel = np.ones((3, 3, 3, 4))
    assert conv2d_naive(x, kernel).shape == (2, 5, 5, 4)
    assert conv2d_naive(x, kernel, strides=2).shape == (2, 3, 3, 4)
    assert conv2d_naive(x, kernel, padding="same").shape == (2, 7, 7, 4)
    assert conv2d_naive(x, kernel, strides=2, padding="same").shape == (2, 4, 4, 4)
    # all ones: every 'valid' output sums 3 * 3 * 3 ones
    np.testing.assert_allclose(conv2d_naive(x, kernel), 27.0)


@pytest.mark.parametrize(("strides", "padding"), [(1, "valid"), (2, "valid"), (2, "same")])
def test_conv2d_naive_matches_keras(strides, padding):
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 8, 9, 3)).astype("float32")
    kernel = rng.normal(size=(3, 2, 3, 5)).astype("float32")
    bias = rng.normal(size=5).astype("float32")
    layer = keras.layers.Conv2D(5, (3, 2), strides=strides, padding=padding)
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    expected = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(
        conv2d_naive(x, kernel, bias, strides, padding), expected, rtol=1e-5, atol=1e-5
    )


def test_max_pool_naive_closed_form_and_keras():
    import keras

    x = np.arange(16.0).reshape(1, 4, 4, 1)
    np.testing.assert_allclose(pool_naive_max(x)[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_allclose(pool_naive_max(x, 3, strides=1)[0, :, :, 0], [[10, 11], [14, 15]])
    y = np.random.default_rng(1).normal(size=(2, 7, 6, 3)).astype("float32")
    for pool_size, strides in [(2, None), (3, 2), ((2, 3), 1)]:
        layer = keras.layers.MaxPooling2D(pool_size, strides=strides)
        expected = keras.ops.convert_to_numpy(layer(y))
        np.testing.assert_allclose(pool_naive_max(y, pool_size, strides), expected, atol=1e-6)


def test_naive_error_paths():
    with pytest.raises(ValueError, match="kernel"):
        conv2d_naive(np.ones((1, 5, 5, 2)), np.ones((3, 3, 1, 4)))
    with pytest.raises(ValueError, match="padding"):
        conv2d_naive(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), padding="full")
    with pytest.raises(ValueError, match="strides"):
        conv2d_naive(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1)), strides=0)
    with pytest.raises(ValueError, match="larger than the image"):
        conv2d_naive(np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match="pool_size"):
        pool_naive_max(np.ones((1, 4, 4, 1)), pool_size=0)
    with pytest.raises(ValueError, match="x must be"):
        pool_naive_max(np.ones((4, 4)))


def test_fashion_cnn_layers_shapes_and_params():
    model = fashion_cnn(filters=(16, 32), dense_units=128)
    names = [layer.name for layer in model.layers]
    assert names == [
        "image", "conv1", "pool1", "conv2", "pool2", "flatten", "dense", "dropout", "output"
    ]  # fmt: skip
    assert model.output_shape == (None, 10)
    assert model.get_layer("pool2").output.shape == (None, 5, 5, 32)  # 28-26-13-11-5
    # (3*3*1 + 1)*16 + (3*3*16 + 1)*32 + (5*5*32 + 1)*128 + (128 + 1)*10
    assert model.count_params() == 160 + 4640 + 102528 + 1290
    same = fashion_cnn(filters=(8,), padding="same", pooling="average")
    assert same.get_layer("pool1").__class__.__name__ == "AveragePooling2D"
    assert same.get_layer("pool1").output.shape == (None, 14, 14, 8)


def test_fashion_cnn_flip_mirrors_only_while_training():
    model = fashion_cnn(filters=(4, 8, 16), padding="same", dense_units=16, flip=True)
    assert [layer.name for layer in model.layers][:3] == ["image", "flip", "conv1"]
    assert model.get_layer("pool3").output.shape == (None, 3, 3, 16)  # 28-14-7-3
    flip = model.get_layer("flip")
    x = np.random.default_rng(0).random((64, 28, 28, 1)).astype("float32")
    np.testing.assert_array_equal(to_numpy(flip(x, training=False)), x)
    out = to_numpy(flip(x, training=True))
    mirrored = np.all(out == x[:, :, ::-1], axis=(1, 2, 3))
    kept = np.all(out == x, axis=(1, 2, 3))
    assert np.all(mirrored | kept) and 10 <= mirrored.sum() <= 54  # each image: kept or mirrored
    same_start = fashion_cnn(filters=(4, 8, 16), padding="same", dense_units=16)
    assert same_start.count_params() == model.count_params()  # the flip has no weights


def test_fashion_cnn_block_dropout_ends_the_base():
    model = fashion_cnn(filters=(4, 8), dense_units=16, block_dropout=0.2)
    names = [layer.name for layer in model.layers]
    assert names[names.index("pool1") + 1] == "pool1_dropout"
    after_pool2 = names[names.index("pool2") + 1 :]
    assert after_pool2[:2] == ["pool2_dropout", "flatten"]
    assert model.count_params() == fashion_cnn(filters=(4, 8), dense_units=16).count_params()
    base = conv_base(model)
    assert base.layers[-1].name == "pool2_dropout" and base.output_shape == (None, 5, 5, 8)
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    head = classifier_head(model)
    np.testing.assert_allclose(to_numpy(head(base(x))), model.predict(x, verbose=0), rtol=1e-5)
    with pytest.raises(ValueError, match="block_dropout"):
        fashion_cnn(block_dropout=1.0)


def test_conv_base_shares_and_freezes_layers():
    model = fashion_cnn(filters=(4, 8), dense_units=16)
    base = conv_base(model)
    assert base.output_shape == (None, 5, 5, 8)
    assert base.count_params() == (9 + 1) * 4 + (9 * 4 + 1) * 8
    x = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
    inner = keras.Model(model.input, model.get_layer("pool2").output)
    np.testing.assert_allclose(base.predict(x, verbose=0), to_numpy(inner(x)), rtol=1e-6)
    base.trainable = False
    assert not model.get_layer("conv1").trainable and not model.get_layer("conv2").trainable
    assert model.get_layer("dense").trainable
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == model.count_params() - base.count_params()


def test_fashion_cnn_bad_arguments():
    with pytest.raises(ValueError, match="pooling"):
        fashion_cnn(pooling="min")
    with pytest.raises(ValueError, match="filters"):
        fashion_cnn(filters=())
    with pytest.raises(ValueError, match="filters"):
        fashion_cnn(filters=(16, 0))
    with pytest.raises(ValueError, match="dropout"):
        fashion_cnn(dropout=1.0)
    with pytest.raises(ValueError, match="padding"):
        fashion_cnn(padding="full")
    with pytest.raises(ValueError, match="kernel_size"):
        fashion_cnn(kernel_size=0)
    with pytest.raises(ValueError, match="dense_units"):
        fashion_cnn(dense_units=0)


def test_conv_base_needs_pooling_layers():
    import keras

    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="pool1"):
        conv_base(plain)


def test_pool_naive_closed_form_and_keras():
    import keras

    # windows: a spike, a flat window, two columns, zeros
    z = np.array([[0, 0, 2, 2], [0, 4, 2, 2], [1, 7, 0, 0], [1, 7, 0, 0]], float)[None, :, :, None]
    np.testing.assert_allclose(pool_naive(z, "max")[0, :, :, 0], [[4, 2], [7, 0]])
    np.testing.assert_allclose(pool_naive(z, "average")[0, :, :, 0], [[1, 2], [4, 0]])
    np.testing.assert_allclose(pool_naive(z, "l2")[0, :, :, 0], [[2, 2], [5, 0]])
    np.testing.assert_allclose(pool_naive_max(z), pool_naive(z, "max"))
    y = np.random.default_rng(2).normal(size=(2, 7, 6, 3)).astype("float32")
    layers = {
        "max": keras.layers.MaxPooling2D,
        "average": keras.layers.AveragePooling2D,
        "l2": lambda *a, **k: L2Pooling2D(*a, epsilon=0.0, **k),
    }
    for kind, layer in layers.items():
        for pool_size, strides in [(2, None), (3, 2), ((2, 3), 1)]:
            expected = keras.ops.convert_to_numpy(layer(pool_size, strides=strides)(y))
            np.testing.assert_allclose(pool_naive(y, kind, pool_size, strides), expected, atol=1e-5)


def test_l2_pooling_layer_epsilon_gradient_and_config():
    import keras

    relu = np.maximum(np.random.default_rng(3).normal(size=(2, 6, 6, 4)), 0).astype("float32")
    relu[:, :2, :2] = 0.0  # all-zero windows, as ReLU feature maps have
    layer = L2Pooling2D(epsilon=1e-4)
    out = keras.ops.convert_to_numpy(layer(relu))
    np.testing.assert_allclose(out, np.sqrt(pool_naive(relu, "l2") ** 2 + 1e-4), rtol=1e-5)
    np.testing.assert_allclose(out[:, 0, 0], 1e-2, rtol=1e-5)
    # power means: average <= L2 <= max for non-negative inputs
    average, l2, top = (pool_naive(relu, kind) for kind in ("average", "l2", "max"))
    assert np.all(average <= l2 + 1e-7) and np.all(l2 <= top + 1e-7)
    # a finite gradient through all-zero windows: a 1x1 conv keeps the zeros, then L2 pooling
    conv = keras.layers.Conv2D(4, 1, use_bias=False)
    model = keras.Sequential([keras.Input((6, 6, 4)), conv, L2Pooling2D(), keras.layers.Flatten()])
    conv.set_weights([np.eye(4, dtype="float32")[None, None]])
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(relu, np.ones((2, 36), "float32"))
    kernel = conv.get_weights()[0]
    assert np.all(np.isfinite(kernel)) and not np.allclose(kernel[0, 0], np.eye(4))
    assert layer.compute_output_shape((None, 6, 6, 4)) == (None, 3, 3, 4)
    same = L2Pooling2D(3, strides=2, padding="same")
    assert same(relu).shape == (2, 3, 3, 4)
    clone = L2Pooling2D.from_config(same.get_config())
    assert (clone.pool_size, clone.strides, clone.padding) == ((3, 3), (2, 2), "same")


def test_fashion_cnn_l2_pooling():
    model = fashion_cnn(filters=(16, 32), pooling="l2")
    assert isinstance(model.get_layer("pool1"), L2Pooling2D)
    assert model.get_layer("pool2").output.shape == (None, 5, 5, 32)
    assert model.count_params() == fashion_cnn(filters=(16, 32)).count_params()


def test_classifier_head_shares_layers_with_the_model():
    model = fashion_cnn(filters=(4, 8), dense_units=16, num_classes=5)
    base, head = conv_base(model), classifier_head(model)
    assert head.input_shape == (None, 5, 5, 8) and head.output_shape == (None, 5)
    assert head.count_params() == model.count_params() - base.count_params()
    x = np.random.default_rng(4).random((3, 28, 28, 1)).astype("float32")
    features = base.predict(x, verbose=0)
    np.testing.assert_allclose(head.predict(features, verbose=0), model.predict(x, verbose=0))
    # training the head on frozen features changes the model's head, not its base
    conv_before = model.get_layer("conv1").get_weights()[0].copy()
    dense_before = model.get_layer("dense").get_weights()[0].copy()
    head.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    head.fit(features, np.array([0, 1, 2]), epochs=1, verbose=0)
    np.testing.assert_array_equal(model.get_layer("conv1").get_weights()[0], conv_before)
    assert not np.allclose(model.get_layer("dense").get_weights()[0], dense_before)


def test_copy_conv_base_between_models():
    source = fashion_cnn(filters=(4, 8), dense_units=16, num_classes=5, name="source")
    target = fashion_cnn(filters=(4, 8), dense_units=32, num_classes=3, name="target")
    assert copy_conv_base(source, target) == 2
    for name in ("conv1", "conv2"):
        for mine, theirs in zip(
            target.get_layer(name).get_weights(), source.get_layer(name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(mine, theirs)
    assert target.get_layer("output").get_weights()[0].shape == (32, 3)


def test_pooling_and_transfer_error_paths():
    import keras

    with pytest.raises(ValueError, match="kind"):
        pool_naive(np.ones((1, 4, 4, 1)), "min")
    with pytest.raises(ValueError, match="x must be"):
        pool_naive(np.ones((4, 4)), "l2")
    with pytest.raises(ValueError, match="epsilon"):
        L2Pooling2D(epsilon=-1.0)
    with pytest.raises(ValueError, match="padding"):
        L2Pooling2D(padding="full")
    with pytest.raises(ValueError, match="pool_size"):
        L2Pooling2D(pool_size=0)
    plain = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not a fashion_cnn"):
        classifier_head(plain)
    with pytest.raises(ValueError, match="conv1"):
        copy_conv_base(plain, fashion_cnn(filters=(4,)))
    with pytest.raises(ValueError, match="shapes differ"):
        copy_conv_base(fashion_cnn(filters=(4, 8)), fashion_cnn(filters=(4, 16)))
    with pytest.raises(ValueError, match="no layer 'conv2'"):
        copy_conv_base(fashion_cnn(filters=(4, 8)), fashion_cnn(filters=(4,)))


def pool_naive_max(x, pool_size=2, strides=None):
    return pool_naive(x, "max", pool_size, strides)
