"""The one place where backends differ: autodiff, steps_per_execution, tensors to NumPy.

Run under each backend (KERAS_BACKEND=tensorflow | jax | torch); the results must agree."""

import keras
import numpy as np
import pytest

import course_lib  # noqa: F401  (quiet TensorFlow logs before Keras loads)
from course_lib.backends import BACKENDS, backend_name, gradients, steps_per_execution, to_numpy


def test_backend_name_is_the_active_keras_backend():
    assert backend_name() == keras.backend.backend() and backend_name() in BACKENDS


def test_gradient_of_a_quadratic_is_closed_form():
    v = keras.Variable(np.array([1.0, -2.0, 3.0], dtype="float32"))
    w = keras.Variable(np.array([0.5, 1.0, 2.0], dtype="float32"), trainable=False)
    dv, dw = gradients(lambda: keras.ops.sum(w.value * v.value**2), [v, w])
    np.testing.assert_allclose(dv, [1.0, -4.0, 12.0])  # 2 w v
    np.testing.assert_allclose(dw, [1.0, 4.0, 9.0])  # v^2, also for a non-trainable variable
    assert dv.dtype == np.float32 and isinstance(dv, np.ndarray)


def test_gradient_of_a_dense_layer_matches_backprop_by_hand():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3)).astype("float32")
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    kernel, bias = layer.get_weights()
    # E = mean over samples of 0.5 * ||x W + b||^2  ->  dE/dW = x^T (x W + b) / n
    dkernel, dbias = gradients(
        lambda: keras.ops.mean(0.5 * keras.ops.sum(layer(x) ** 2, axis=1)),
        [layer.kernel, layer.bias],
    )
    out = x @ kernel + bias
    np.testing.assert_allclose(dkernel, x.T @ out / len(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dbias, out.mean(axis=0), rtol=1e-5, atol=1e-6)


def test_gradients_leave_variables_unchanged():
    v = keras.Variable(np.ones(4, dtype="float32"))
    gradients(lambda: keras.ops.sum(keras.ops.exp(v.value)), [v])
    np.testing.assert_array_equal(to_numpy(v), np.ones(4))


def test_same_errors_on_every_backend():
    v = keras.Variable(np.ones(3, dtype="float32"), name="used")
    unused = keras.Variable(np.ones(2, dtype="float32"), name="unused")
    with pytest.raises(ValueError, match=r"does not depend on variables \['unused'\]"):
        gradients(lambda: keras.ops.sum(v.value), [v, unused])
    with pytest.raises(ValueError, match="does not depend"):
        gradients(lambda: keras.ops.sum(keras.ops.ones_like(v.value)), [v])
    with pytest.raises(ValueError, match="scalar"):
        gradients(lambda: v.value * 2.0, [v])
    with pytest.raises(ValueError, match="variables is empty"):
        gradients(lambda: keras.ops.sum(v.value), [])
    with pytest.raises(ValueError, match="keras.Variable"):
        gradients(lambda: keras.ops.sum(v.value), [np.ones(3)])


def test_steps_per_execution_is_one_on_torch_only():
    expected = 1 if backend_name() == "torch" else 10
    assert steps_per_execution(10) == expected
    assert steps_per_execution(1) == 1
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="steps_per_execution"):
            steps_per_execution(bad)


def test_to_numpy_reads_tensors_and_variables():
    v = keras.Variable(np.arange(3, dtype="float32"))
    np.testing.assert_array_equal(to_numpy(v), [0, 1, 2])
    np.testing.assert_array_equal(to_numpy(keras.ops.ones((2,))), [1, 1])


def test_enable_determinism_gives_repeatable_training():
    from course_lib.backends import enable_determinism

    def train_once():
        keras.utils.set_random_seed(1)
        enable_determinism()
        x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
        net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
        net.compile(optimizer="adam", loss="mse")
        net.fit(x, x[:, :1], epochs=2, batch_size=16, verbose=0)
        return net.get_weights()

    for first, second in zip(train_once(), train_once(), strict=True):
        np.testing.assert_array_equal(first, second)


def test_exact_float32_turns_tensorfloat32_off():
    from course_lib.backends import exact_float32, tensorfloat32_enabled

    exact_float32()
    assert not tensorfloat32_enabled()


def test_setup_lesson_sets_exact_float32_once(monkeypatch):
    import course_lib.backends as backends
    from course_lib.backends import set_seed
    from course_lib.tools.lesson import setup_lesson

    calls = []
    monkeypatch.setattr(backends, "exact_float32", lambda: calls.append(1))
    setup_lesson("00_setup")
    set_seed(1)  # lessons reseed often; the precision is set once, at the start
    assert calls == [1]
