"""course_lib: the shared helper library of the Keras deep-learning course.

Import it before Keras: it silences TensorFlow's C++ log lines for the lessons.
Heavy modules (Keras, TensorFlow) load only when a function that needs them is called.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from course_lib.tools.checks import check_targets, record  # noqa: E402
from course_lib.tools.lesson import progress, set_seed, setup_lesson  # noqa: E402
from course_lib.tools.profiles import PROFILES, active_profile, budget, fit_verbose  # noqa: E402

__all__ = [
    "PROFILES",
    "active_profile",
    "budget",
    "check_targets",
    "fit_verbose",
    "progress",
    "record",
    "set_seed",
    "setup_lesson",
]
