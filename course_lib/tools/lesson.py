"""Lesson start-up: quiet logs, one seed for everything, the profile's budget, progress bars."""

import contextlib
import importlib.util
import logging
import os
import sys

from course_lib.tools import checks
from course_lib.tools.profiles import active_profile, budget


@contextlib.contextmanager
def _stderr_silenced():
    """Point file descriptor 2 at /dev/null: C++ libraries write there, not to sys.stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_logs() -> None:
    """Silence TensorFlow's C++ and Python log noise in lessons.

    TF_CPP_MIN_LOG_LEVEL does not cover the absl lines TensorFlow prints while it loads
    (e.g. 'Could not find cuda drivers'), so TensorFlow is imported with stderr silenced, on
    every backend: keras.utils.set_random_seed imports it wherever it is installed, and a line
    on stderr would cost an nbgrader test cell its points."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" not in sys.modules and importlib.util.find_spec("tensorflow") is not None:
        with _stderr_silenced():
            import tensorflow  # noqa: F401
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)


def setup_lesson(lesson: str, seed: int = 0):
    """Start a lesson: quiet logs, full float32 on GPUs (course_lib.backends.exact_float32), seed
    everything, reset metrics; returns its budget namespace."""
    quiet_logs()
    import keras

    from course_lib.backends import backend_name, exact_float32, set_seed

    exact_float32()
    set_seed(seed)
    checks.start_lesson(lesson)
    lesson_budget = budget(lesson)
    print(
        f"lesson {lesson} | profile {active_profile()} | "
        f"keras {keras.__version__} ({backend_name()}) | seed {seed}"
    )
    print("budget:", ", ".join(f"{k}={v}" for k, v in vars(lesson_budget).items()))
    return lesson_budget


def progress(iterable=None, **kwargs):
    """tqdm.auto progress bar for long loops; hidden in the smoke profile."""
    from tqdm.auto import tqdm

    kwargs.setdefault("disable", active_profile() == "smoke")
    return tqdm(iterable, **kwargs)
