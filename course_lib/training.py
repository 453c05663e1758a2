"""Training the lessons' classifiers (lessons 12-16): a disjoint fit / validation split, image
standardization, and one call that compiles a model with Adam under a cosine-decayed learning
rate and fits it. The lessons build their models with keras.layers (or a course_lib builder,
which returns an uncompiled model, as Keras examples do) and train them with `train_model`."""

import time
from dataclasses import dataclass

import numpy as np

from course_lib.validation import positive_int


def fit_validation_split(x, y, n_fit: int, n_val: int):
    """The first n_fit samples to fit and the last n_val to validate on (disjoint):
    returns ((x_fit, y_fit), (x_val, y_val))."""
    for name, value in (("n_fit", n_fit), ("n_val", n_val)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if n_fit + n_val > len(x):
        raise ValueError(f"n_fit + n_val = {n_fit + n_val} exceeds the {len(x)} samples")
    return (x[:n_fit], y[:n_fit]), (x[-n_val:], y[-n_val:])


@dataclass(frozen=True)
class Standardizer:
    """uint8 images (n, 28, 28) -> float32 (n, 28, 28, 1) with (x / 255 - mean) / std, where
    mean and std are the pixel statistics of the images it was fitted on (`Standardizer.fit`)."""

    mean: float
    std: float

    @classmethod
    def fit(cls, images) -> "Standardizer":
        """Pixel mean and standard deviation of `images` (scaled to [0, 1])."""
        scaled = np.asarray(images, dtype=np.float64) / 255.0
        if scaled.size == 0 or scaled.std() == 0:
            raise ValueError("images must be non-empty and not constant to standardize")
        return cls(float(scaled.mean()), float(scaled.std()))

    def __call__(self, images) -> np.ndarray:
        scaled = np.asarray(images, dtype=np.float64) / 255.0
        return ((scaled - self.mean) / self.std).astype("float32")[..., None]


def train_model(
    model,
    x,
    y,
    *,
    epochs: int,
    learning_rate: float,
    batch_size: int = 128,
    loss: str = "sparse_categorical_crossentropy",
    metrics=("accuracy",),
    validation_data=None,
    verbose: int = 0,
):
    """Compile `model` with Adam, its learning rate falling from `learning_rate` to 0 along a
    cosine over all `epochs` (keras.optimizers.schedules.CosineDecay), `loss` and `metrics`, then
    fit it on (x, y), validating on `validation_data` if given. verbose is Keras' fit(verbose=)
    (lessons pass cl.fit_verbose()). Returns the Keras History, with `seconds_per_epoch` (the
    wall time of fit divided by epochs) added."""
    import keras

    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    number = isinstance(learning_rate, (int, float, np.floating)) and not isinstance(
        learning_rate, bool
    )
    if not number or not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a number > 0, got {learning_rate!r}")
    if len(x) < 1:
        raise ValueError("x is empty: nothing to train on")
    steps = epochs * int(np.ceil(len(x) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, metrics=list(metrics))
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        validation_data=validation_data,
        epochs=epochs,
        batch_size=batch_size,
        validation_batch_size=1000,
        verbose=verbose,
    )
    history.seconds_per_epoch = (time.perf_counter() - start) / epochs
    return history
