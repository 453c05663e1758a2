import numpy as np
import pytest

import course_lib  # noqa: F401  (quiet TensorFlow logs before Keras loads)
from course_lib.optimizers import (
    RULES,
    adagrad_step,
    adam_step,
    keras_trajectory,
    rmsprop_step,
    sgd_step,
    trajectory,
)


def _quadratic_gradient(w):
    # E(w) = w_1^2 / 20 + w_2^2, an elongated valley.
    return np.array([w[0] / 10, 2 * w[1]])


def test_first_steps_by_hand():
    g = np.array([3.0, -4.0])
    w = np.array([1.0, 1.0])
    np.testing.assert_allclose(sgd_step(w, g, learning_rate=0.1)[0], [0.7, 1.4])
    w1, state = sgd_step(w, g, learning_rate=0.1, momentum=0.5)
    w2, _ = sgd_step(w1, g, state, learning_rate=0.1, momentum=0.5)
    np.testing.assert_allclose(w2, w - 0.1 * g - (0.5 * 0.1 + 0.1) * g)
    # AdaGrad: r = 0.1 + g^2; RMSProp: r = 0.1 g^2; Adam's first step is eps * sign(g).
    new, state = adagrad_step(w, g, learning_rate=0.1, epsilon=0.0)
    np.testing.assert_allclose(new, w - 0.1 * g / np.sqrt(0.1 + g**2))
    np.testing.assert_allclose(state["r"], 0.1 + g**2)
    new, _ = rmsprop_step(w, g, learning_rate=0.1, epsilon=0.0)
    np.testing.assert_allclose(new, w - 0.1 * g / np.sqrt(0.1 * g**2))
    new, state = adam_step(w, g, learning_rate=0.1, epsilon=0.0)
    np.testing.assert_allclose(new, w - 0.1 * np.sign(g))
    assert state["t"] == 1


def test_steps_do_not_modify_their_inputs():
    w, g = np.ones(3), np.full(3, 2.0)
    _, state = adam_step(w, g)
    saved = {k: np.copy(v) for k, v in state.items()}
    adam_step(w, g, state)
    np.testing.assert_array_equal(w, np.ones(3))
    for key, value in saved.items():
        np.testing.assert_array_equal(state[key], value)


@pytest.mark.parametrize(
    ("rule", "hyperparameters", "keras_name", "keras_kwargs"),
    [
        ("sgd", {"learning_rate": 0.05}, "SGD", {}),
        ("sgd", {"learning_rate": 0.05, "momentum": 0.9}, "SGD", {"momentum": 0.9}),
        ("adagrad", {"learning_rate": 0.05}, "Adagrad", {}),
        ("rmsprop", {"learning_rate": 0.05, "rho": 0.8}, "RMSprop", {"rho": 0.8}),
        ("adam", {"learning_rate": 0.05}, "Adam", {}),
    ],
)
def test_trajectories_match_keras(rule, hyperparameters, keras_name, keras_kwargs):
    import keras

    optimizer = getattr(keras.optimizers, keras_name)(
        learning_rate=hyperparameters["learning_rate"], **keras_kwargs
    )
    start = np.array([-7.0, 2.0])
    ours = trajectory(rule, start, _quadratic_gradient, 8, **hyperparameters)
    theirs = keras_trajectory(optimizer, start, _quadratic_gradient, 8)
    assert ours.shape == theirs.shape == (9, 2)
    np.testing.assert_allclose(ours[0], start)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.abs(ours[-1] - ours[0]).max() > 0.1  # the weights really moved


def test_trajectory_of_zero_steps_is_the_start():
    assert trajectory("adam", [1.0, 2.0], _quadratic_gradient, 0).tolist() == [[1.0, 2.0]]
    assert set(RULES) == {"sgd", "adagrad", "rmsprop", "adam"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sgd_step(np.ones(2), np.ones(3)), "shape"),
        (lambda: sgd_step(np.ones(2), np.ones(2), learning_rate=0.0), "learning_rate"),
        (lambda: sgd_step(np.ones(2), np.ones(2), momentum=1.0), "momentum"),
        (lambda: rmsprop_step(np.ones(2), np.ones(2), rho=-0.1), "rho"),
        (lambda: adam_step(np.ones(2), np.ones(2), beta_2=1.5), "beta_2"),
        (lambda: adagrad_step(np.ones(2), np.ones(2), initial_accumulator=-1), "initial"),
        (lambda: trajectory("nadam", [0.0], lambda w: w, 3), "unknown rule"),
        (lambda: trajectory("sgd", [0.0], lambda w: w, -1), "steps"),
    ],
)
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_keras_trajectory_rejects_negative_steps():
    import keras

    with pytest.raises(ValueError, match="steps"):
        keras_trajectory(keras.optimizers.SGD(), [0.0], lambda w: w, 1.5)
