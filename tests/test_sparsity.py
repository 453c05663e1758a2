import keras
import numpy as np
import pytest
from keras import ops

from course_lib.backends import gradients
from course_lib.sparsity import (
    KLSparsity,
    bernoulli_kl,
    bernoulli_kl_derivative,
    filter_locality,
)

RHO = 0.05


def numpy_kl(rho, rho_hat):
    return rho * np.log(rho / rho_hat) + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))


@pytest.fixture
def activations():
    rng = np.random.default_rng(0)
    return rng.uniform(0.01, 0.6, size=(16, 5)).astype(np.float32)


def test_kl_is_zero_at_target_and_positive_elsewhere():
    grid = np.linspace(0.001, 0.999, 999)
    kl = np.asarray(bernoulli_kl(RHO, grid))
    np.testing.assert_allclose(kl, numpy_kl(RHO, grid), rtol=1e-5, atol=1e-6)
    assert abs(float(bernoulli_kl(RHO, RHO))) < 1e-7
    away = np.abs(grid - RHO) > 1e-3
    assert np.all(kl[away] > 0)


def test_kl_clips_rho_hat_so_extremes_stay_finite():
    kl = np.asarray(bernoulli_kl(RHO, np.array([0.0, 1.0], dtype=np.float32)))
    assert np.all(np.isfinite(kl)) and np.all(kl > 0)


def test_derivative_matches_autodiff_eq_5_4():
    grid = np.linspace(0.01, 0.99, 99)
    rho_hat = keras.Variable(grid.astype(np.float32))
    (autodiff,) = gradients(lambda: ops.sum(bernoulli_kl(RHO, rho_hat.value)), [rho_hat])
    closed_form = -RHO / grid + (1 - RHO) / (1 - grid)
    np.testing.assert_allclose(bernoulli_kl_derivative(RHO, grid), closed_form)
    np.testing.assert_allclose(autodiff, closed_form, rtol=1e-5, atol=1e-6)  # float32
    assert bernoulli_kl_derivative(RHO, RHO) == pytest.approx(0.0, abs=1e-12)


def test_layer_loss_is_beta_times_sum_kl_of_batch_means(activations):
    layer = KLSparsity(sparsity_target=RHO, beta=0.7, momentum=0.0)
    out = layer(activations, training=True)
    np.testing.assert_array_equal(np.asarray(out), activations)
    expected = 0.7 * numpy_kl(RHO, activations.astype(np.float64).mean(axis=0)).sum()
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(expected, rel=1e-5)


def test_layer_loss_uses_the_running_average(activations):
    layer = KLSparsity(sparsity_target=RHO, beta=2.0, momentum=0.9)
    layer(activations, training=False)  # builds; mean_activation starts at rho
    mixed = 0.9 * RHO + 0.1 * activations.astype(np.float64).mean(axis=0)
    layer(activations, training=True)
    assert float(layer.losses[0]) == pytest.approx(2.0 * numpy_kl(RHO, mixed).sum(), rel=1e-5)


def test_running_average_updates_only_in_training(activations):
    layer = KLSparsity(sparsity_target=RHO, beta=1.0, momentum=0.8)
    layer(activations[:4], training=False)
    start = np.asarray(layer.mean_activation).copy()
    np.testing.assert_allclose(start, RHO)
    layer(activations, training=False)
    layer(activations)  # training=None counts as inference
    np.testing.assert_array_equal(np.asarray(layer.mean_activation), start)

    expected = start.astype(np.float64)
    for batch in (activations[:8], activations[8:]):
        layer(batch, training=True)
        expected = 0.8 * expected + 0.2 * batch.mean(axis=0)
        np.testing.assert_allclose(np.asarray(layer.mean_activation), expected, rtol=1e-6)


def test_predict_leaves_running_average_alone(activations):
    layer = KLSparsity(sparsity_target=RHO, beta=1.0, momentum=0.5)
    model = keras.Sequential([keras.Input((5,)), layer])
    model.predict(activations, verbose=0)
    np.testing.assert_allclose(np.asarray(layer.mean_activation), RHO)


def test_gradient_is_eq_5_4_at_the_running_estimate(activations):
    # Straight-through: d loss / d y_nj = beta * KL'(rho_hat_t,j) / batch_size.
    layer = KLSparsity(sparsity_target=RHO, beta=3.0, momentum=0.9)
    layer.build(activations.shape)
    x = keras.Variable(activations)

    def loss():
        layer(x.value, training=True)
        return layer.losses[-1]

    (grad,) = gradients(loss, [x])
    rho_hat_t = 0.9 * RHO + 0.1 * activations.astype(np.float64).mean(axis=0)
    expected = 3.0 * bernoulli_kl_derivative(RHO, rho_hat_t) / len(activations)
    np.testing.assert_allclose(grad, np.broadcast_to(expected, grad.shape), rtol=1e-4)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"sparsity_target": 0.0}, "sparsity_target"),
        ({"sparsity_target": 1.0}, "sparsity_target"),
        ({"sparsity_target": -0.1}, "sparsity_target"),
        ({"beta": -0.001}, "beta"),
        ({"beta": float("nan")}, "beta"),
        ({"momentum": 1.0}, "momentum"),
        ({"momentum": -0.1}, "momentum"),
    ],
)
def test_invalid_hyperparameters_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        KLSparsity(**kwargs)


def test_kl_rejects_invalid_target():
    with pytest.raises(ValueError, match="sparsity_target"):
        bernoulli_kl(1.5, 0.2)
    with pytest.raises(ValueError, match="sparsity_target"):
        bernoulli_kl_derivative(0.0, 0.2)


def test_layer_serialises():
    layer = KLSparsity(sparsity_target=0.1, beta=0.5, momentum=0.95, name="kl")
    config = layer.get_config()
    assert (config["sparsity_target"], config["beta"], config["momentum"]) == (0.1, 0.5, 0.95)
    clone = KLSparsity.from_config(config)
    assert (clone.sparsity_target, clone.beta, clone.momentum, clone.name) == (0.1, 0.5, 0.95, "kl")
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(restored, KLSparsity) and restored.beta == 0.5


def test_saved_model_round_trip(tmp_path, activations):
    model = keras.Sequential([keras.Input((5,)), KLSparsity(beta=0.5, momentum=0.5)])
    model(activations, training=True)
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(
        np.asarray(restored.layers[0].mean_activation), np.asarray(model.layers[0].mean_activation)
    )


def test_fit_adds_the_penalty_to_the_training_loss():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(1).normal(size=(64, 6)).astype(np.float32)

    def model_with(beta):
        keras.utils.set_random_seed(0)
        inputs = keras.Input((6,))
        hidden = keras.layers.Dense(8, activation="sigmoid")(inputs)
        hidden = KLSparsity(sparsity_target=RHO, beta=beta, momentum=0.0)(hidden)
        model = keras.Model(inputs, keras.layers.Dense(6)(hidden))
        model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
        return model

    plain, sparse = model_with(0.0), model_with(2.0)
    sparse(x[:4], training=False)
    assert len(sparse.losses) == 1
    mse = plain.fit(x, x, batch_size=64, epochs=1, verbose=0).history["loss"][0]
    total = sparse.fit(x, x, batch_size=64, epochs=1, verbose=0).history["loss"][0]
    hidden_model = keras.Model(sparse.inputs, sparse.layers[1].output)
    rho_hat = np.asarray(hidden_model.predict(x, verbose=0), dtype=np.float64).mean(axis=0)
    assert total - mse == pytest.approx(2.0 * numpy_kl(RHO, rho_hat).sum(), rel=1e-4)


def test_filter_locality():
    point = np.zeros((64, 1))
    point[27] = 1.0
    flat = np.ones((64, 1))
    assert filter_locality(point, (8, 8)) == pytest.approx(1.0)
    assert filter_locality(flat, (8, 8)) == pytest.approx(9 / 64)
    both = np.hstack([point, flat])
    assert filter_locality(both, (8, 8)) == pytest.approx((1 + 9 / 64) / 2)
    assert filter_locality(flat, (8, 8), window=8) == pytest.approx(1.0)


def test_filter_locality_rejects_bad_shapes():
    with pytest.raises(ValueError, match="kernel"):
        filter_locality(np.ones((63, 2)), (8, 8))
    with pytest.raises(ValueError, match="window"):
        filter_locality(np.ones((64, 2)), (8, 8), window=9)
