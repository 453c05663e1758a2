"""Optimizer update rules in NumPy, one step at a time (lesson 02): SGD with momentum,
AdaGrad, RMSProp and Adam exactly as keras.optimizers computes them, with Keras' defaults.

Each step function takes the weights w, the gradient g of the same shape and the state the
previous step returned (None before the first step) and returns (new weights, new state);
nothing is modified in place. In the formulas, lr is the learning rate (the slides' epsilon) and
delta the small constant that keeps a division finite (Keras' and these functions' `epsilon`)."""

import numpy as np

RULES = ("sgd", "adagrad", "rmsprop", "adam")


def _check(weights, gradient, learning_rate: float, **rates) -> tuple[np.ndarray, np.ndarray]:
    """Weights and gradient as float64 arrays of one shape; the rates checked."""
    weights = np.asarray(weights, dtype=np.float64)
    gradient = np.asarray(gradient, dtype=np.float64)
    if weights.shape != gradient.shape:
        raise ValueError(f"gradient shape {gradient.shape} differs from weights {weights.shape}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    for name, value in rates.items():
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be in [0, 1), got {value}")
    return weights, gradient


def sgd_step(weights, gradient, state=None, learning_rate=0.01, momentum=0.0):
    """m <- mu m - lr g, w <- w + m (plain SGD when mu = 0); state {'m'}, like keras SGD."""
    weights, gradient = _check(weights, gradient, learning_rate, momentum=momentum)
    velocity = np.zeros_like(weights) if state is None else state["m"]
    velocity = momentum * velocity - learning_rate * gradient
    return weights + velocity, {"m": velocity}


def adagrad_step(
    weights, gradient, state=None, learning_rate=0.001, initial_accumulator=0.1, epsilon=1e-7
):
    """r <- r + g^2 (r starts at initial_accumulator), w <- w - lr g / sqrt(r + delta)."""
    weights, gradient = _check(weights, gradient, learning_rate)
    if initial_accumulator < 0 or epsilon < 0:
        raise ValueError("initial_accumulator and epsilon must be >= 0")
    accumulator = np.full_like(weights, initial_accumulator) if state is None else state["r"]
    accumulator = accumulator + gradient**2
    return weights - learning_rate * gradient / np.sqrt(accumulator + epsilon), {"r": accumulator}


def rmsprop_step(weights, gradient, state=None, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    """r <- rho r + (1 - rho) g^2, w <- w - lr g / sqrt(r + delta); state {'r'}."""
    weights, gradient = _check(weights, gradient, learning_rate, rho=rho)
    average = np.zeros_like(weights) if state is None else state["r"]
    average = rho * average + (1 - rho) * gradient**2
    return weights - learning_rate * gradient / np.sqrt(average + epsilon), {"r": average}


def adam_step(
    weights, gradient, state=None, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7
):
    """m, v: running means of g and g^2; w <- w - alpha_t m / (sqrt(v) + delta), where
    alpha_t = lr sqrt(1 - beta_2^t) / (1 - beta_1^t) holds the bias correction (Keras' form)."""
    weights, gradient = _check(weights, gradient, learning_rate, beta_1=beta_1, beta_2=beta_2)
    if state is None:
        state = {"m": np.zeros_like(weights), "v": np.zeros_like(weights), "t": 0}
    m = beta_1 * state["m"] + (1 - beta_1) * gradient
    v = beta_2 * state["v"] + (1 - beta_2) * gradient**2
    t = state["t"] + 1
    alpha = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return weights - alpha * m / (np.sqrt(v) + epsilon), {"m": m, "v": v, "t": t}


STEP_FUNCTIONS = {
    "sgd": sgd_step,
    "adagrad": adagrad_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
}


def trajectory(rule: str, start, gradient_fn, steps: int, **hyperparameters) -> np.ndarray:
    """Weights before and after each of `steps` updates of a rule in RULES, with the gradient
    gradient_fn(w) at the current weights: start (n,) -> float64 array (steps + 1, n)."""
    if rule not in STEP_FUNCTIONS:
        raise ValueError(f"unknown rule {rule!r}; choose one of {RULES}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps}")
    step = STEP_FUNCTIONS[rule]
    weights, state = np.asarray(start, dtype=np.float64), None
    path = [weights]
    for _ in range(steps):
        weights, state = step(weights, gradient_fn(weights), state, **hyperparameters)
        path.append(weights)
    return np.array(path)


def keras_trajectory(optimizer, start, gradient_fn, steps: int) -> np.ndarray:
    """The same as `trajectory`, but a keras.optimizers instance updates a float32
    keras.Variable with gradient_fn(w) at its current value: (steps + 1, n) float64."""
    import keras

    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps}")
    variable = keras.Variable(np.asarray(start, dtype="float32"))
    path = [np.asarray(start, dtype=np.float64)]
    for _ in range(steps):
        current = np.asarray(keras.ops.convert_to_numpy(variable), dtype=np.float64)
        gradient = keras.ops.convert_to_tensor(np.asarray(gradient_fn(current)), dtype="float32")
        optimizer.apply_gradients([(gradient, variable)])
        path.append(np.asarray(keras.ops.convert_to_numpy(variable), dtype=np.float64))
    return np.array(path)
