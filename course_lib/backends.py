"""Where the Keras 3 backends (TensorFlow, JAX, PyTorch) differ, kept in one place.

Lessons and the other course_lib modules call these helpers and never branch on the backend:
- `gradients`: one autodiff call over tf.GradientTape, jax.grad and torch.autograd;
- `steps_per_execution`: PyTorch's trainer runs one batch per call;
- `backend_name`: which backend is active (the one function the course asks);
- `to_numpy`: any backend tensor (or Variable) as a NumPy array;
- `set_seed` / `enable_determinism`: one seed for Python, NumPy and the backend; TensorFlow needs
  op determinism on top of the seeds for repeatable runs;
- `exact_float32`: no TensorFloat-32 on NVIDIA GPUs, where each backend would otherwise multiply
  float32 matrices with a 10-bit mantissa (errors ~1e-3), far above the lessons' 1e-5 checks.
JAX computes in float32 unless x64 is enabled, so checks against float64 NumPy use float32
tolerances on every backend.
"""

import numpy as np

BACKENDS = ("tensorflow", "jax", "torch")


def backend_name() -> str:
    """The active Keras backend: 'tensorflow', 'jax' or 'torch' ($KERAS_BACKEND)."""
    import keras

    name = keras.backend.backend()
    if name not in BACKENDS:
        raise ValueError(f"Keras backend {name!r} is not supported; use one of {BACKENDS}")
    return name


def to_numpy(x) -> np.ndarray:
    """A backend tensor, keras.Variable or array-like as a NumPy array."""
    import keras

    return np.asarray(keras.ops.convert_to_numpy(x))


def steps_per_execution(requested: int) -> int:
    """`compile(steps_per_execution=...)`: `requested` batches per call, 1 on PyTorch.

    Several steps per call cut Python overhead for small models on TensorFlow and JAX;
    Keras' PyTorch trainer supports only one."""
    if isinstance(requested, bool) or not isinstance(requested, (int, np.integer)) or requested < 1:
        raise ValueError(f"steps_per_execution must be an integer >= 1, got {requested!r}")
    return 1 if backend_name() == "torch" else int(requested)


def enable_determinism() -> None:
    """Make repeated runs give the same numbers: TensorFlow needs deterministic ops besides the
    seeds of keras.utils.set_random_seed; JAX is deterministic on the CPU, PyTorch here too."""
    if backend_name() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy and the Keras backend; on TensorFlow also make ops deterministic."""
    import keras

    keras.utils.set_random_seed(seed)
    enable_determinism()


def exact_float32() -> None:
    """Multiply float32 matrices and convolve in full float32 on GPUs (no TensorFloat-32).

    JAX's default matmul precision on NVIDIA GPUs is TF32, as are TensorFlow's and PyTorch's
    cuDNN convolutions: a formula by hand and the Keras layer then differ by ~1e-3 (seen on an
    H200 with JAX: lessons 01, 13, 15, 16 missed their 1e-5 checks). Costs GPU speed; no effect
    on a CPU."""
    name = backend_name()
    if name == "jax":
        import jax

        jax.config.update("jax_default_matmul_precision", "highest")
    elif name == "torch":
        import torch

        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    else:
        import tensorflow as tf

        tf.config.experimental.enable_tensor_float_32_execution(False)


def tensorfloat32_enabled() -> bool:
    """Whether the backend may use TensorFloat-32 on an NVIDIA GPU (see exact_float32)."""
    name = backend_name()
    if name == "jax":
        import jax

        return jax.config.jax_default_matmul_precision != "highest"
    if name == "torch":
        import torch

        return bool(torch.backends.cuda.matmul.allow_tf32 or torch.backends.cudnn.allow_tf32)
    import tensorflow as tf

    return bool(tf.config.experimental.tensor_float_32_execution_enabled())


def _scalar(loss):
    shape = tuple(getattr(loss, "shape", ()))
    if shape not in ((), (1,)):
        raise ValueError(f"loss_fn must return a scalar, got shape {shape}: reduce it with a mean")
    import keras

    return keras.ops.reshape(loss, ())


def _tensorflow_gradients(loss_fn, variables):
    import tensorflow as tf

    values = [v.value for v in variables]
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        for value in values:
            tape.watch(value)
        loss = _scalar(loss_fn())
    return tape.gradient(loss, values)


def _torch_gradients(loss_fn, variables):
    import torch

    values = [v.value for v in variables]
    was_tracked = [value.requires_grad for value in values]
    try:
        for value in values:  # non-trainable variables (e.g. a frozen layer) too
            value.requires_grad_(True)
        with torch.enable_grad():
            loss = _scalar(loss_fn())
            if not loss.requires_grad:
                return [None] * len(values)
            return list(torch.autograd.grad(loss, values, allow_unused=True))
    finally:
        for value, tracked in zip(values, was_tracked, strict=True):
            value.requires_grad_(tracked)


def _jax_gradients(loss_fn, variables):
    import jax
    import keras
    from jax.interpreters import partial_eval

    def loss_of(values):
        # Under JAX, variables are immutable arrays: map each to a traced value for this call,
        # and collect add_loss() terms so that `layer.losses` works inside loss_fn.
        mapping = list(zip(variables, values, strict=True))
        with keras.StatelessScope(state_mapping=mapping, collect_losses=True):
            return _scalar(loss_fn())

    values = [v.value for v in variables]
    # jax.grad returns zeros for an input the loss never reads; the other backends return
    # None. Dead-code elimination of the traced loss tells which inputs it really reads.
    traced = jax.make_jaxpr(loss_of)(values)
    _, used = partial_eval.dce_jaxpr(traced.jaxpr, [True])
    grads = jax.grad(loss_of)(values)
    return [g if reads else None for g, reads in zip(grads, used, strict=True)]


_GRADIENTS = {
    "tensorflow": _tensorflow_gradients,
    "jax": _jax_gradients,
    "torch": _torch_gradients,
}


def gradients(loss_fn, variables) -> list[np.ndarray]:
    """dE/dv for each keras.Variable v, where E = loss_fn() is a scalar computed from them.

    loss_fn takes no arguments and reads the variables (model weights, or a
    `keras.Variable(array)` made for an input). Returns one NumPy array per variable, of its
    shape. Raises ValueError if E is not a scalar or does not depend on some variable."""
    import keras

    variables = list(variables)
    if not variables:
        raise ValueError("variables is empty: pass the keras.Variable objects to differentiate")
    wrong = [type(v).__name__ for v in variables if not isinstance(v, keras.Variable)]
    if wrong:
        raise ValueError(
            f"variables must be keras.Variable objects, got {wrong}; wrap an array a with "
            "keras.Variable(a) and read it inside loss_fn"
        )
    grads = _GRADIENTS[backend_name()](loss_fn, variables)
    unused = [v.path for v, g in zip(variables, grads, strict=True) if g is None]
    if unused:
        raise ValueError(f"the loss does not depend on variables {unused}: check loss_fn")
    return [to_numpy(g) for g in grads]
