import numpy as np
import pytest

from course_lib.training import Standardizer, fit_validation_split, train_model


def test_fit_validation_split_is_disjoint_and_checked():
    x, y = np.arange(10), np.arange(10) * 10
    (x_fit, y_fit), (x_val, y_val) = fit_validation_split(x, y, 6, 3)
    np.testing.assert_array_equal(x_fit, np.arange(6))
    np.testing.assert_array_equal(x_val, [7, 8, 9])
    np.testing.assert_array_equal(y_val, [70, 80, 90])
    with pytest.raises(ValueError, match="exceeds"):
        fit_validation_split(x, y, 8, 3)
    with pytest.raises(ValueError, match="n_val"):
        fit_validation_split(x, y, 5, 0)


def test_standardizer_uses_the_fit_images_statistics():
    images = np.array([[[0, 255], [255, 0]]], dtype=np.uint8)
    prepare = Standardizer.fit(images)
    assert (prepare.mean, prepare.std) == pytest.approx((0.5, 0.5))
    out = prepare(images)
    assert out.shape == (1, 2, 2, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[0, :, :, 0], [[-1, 1], [1, -1]])
    with pytest.raises(ValueError, match="constant"):
        Standardizer.fit(np.zeros((2, 3, 3), dtype=np.uint8))


def test_train_model_learns_a_separable_problem_and_times_it():
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    history = train_model(net, x, y, epochs=5, learning_rate=0.05, batch_size=32)
    assert len(history.history["loss"]) == 5 and history.seconds_per_epoch > 0
    assert history.history["accuracy"][-1] > 0.9
    assert float(net.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-6)  # cosine to 0
    bad = [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": "0.1"}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
    ]
    for kwargs, name in bad:
        args = {"epochs": 1, "learning_rate": 0.01, **kwargs}
        with pytest.raises(ValueError, match=name):
            train_model(net, x, y, **args)


def test_train_model_takes_the_loss_and_validation_data():
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 3)).astype("float32")
    y = (x.sum(axis=1) > 0).astype("float32")
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    assert not net.compiled
    history = train_model(
        net,
        x[:150],
        y[:150],
        epochs=20,
        learning_rate=0.1,
        batch_size=50,
        loss="binary_crossentropy",
        validation_data=(x[150:], y[150:]),
    )
    assert net.compiled and net.loss == "binary_crossentropy"
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["val_accuracy"][-1] > 0.8
