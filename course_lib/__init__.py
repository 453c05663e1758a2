"""course_lib: the shared helper library of the Keras deep-learning course.

It is built in three floors; a module imports only from its own floor or the ones below.

1. Ground floor: `validation` (argument checks), `backends` (the one place the Keras backends
   differ: autodiff, seeding, which backend is active), `files` (atomic writes, the TOML
   loader) and `paths` (where lessons, data and build outputs live).
2. The concepts the lessons teach, one module each (`activations`, `optimizers`, `pca`,
   `training`, `cnn`, `rnn`, `attention`, `transformer`, ...), and `data/`, the offline,
   verified dataset loaders.
3. `tools/`: the machinery that runs, checks, reports, publishes and grades the course (the
   `course` command). Nothing outside tools/ imports it, except this file, which re-exports
   the few calls a lesson makes: `setup_lesson`, `budget`, `record`, `check_targets`, ...

Import it before Keras: it silences TensorFlow's C++ log lines for the lessons.
Heavy modules (Keras, TensorFlow) load only when a function that needs them is called.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from course_lib.backends import set_seed  # noqa: E402
from course_lib.tools.checks import check_targets, lesson_targets, record  # noqa: E402
from course_lib.tools.data_commands import format_data_status  # noqa: E402
from course_lib.tools.env import environment_report, format_environment_report  # noqa: E402
from course_lib.tools.lesson import progress, setup_lesson  # noqa: E402
from course_lib.tools.profiles import PROFILES, active_profile, budget, fit_verbose  # noqa: E402

__all__ = [
    "PROFILES",
    "active_profile",
    "budget",
    "check_targets",
    "environment_report",
    "fit_verbose",
    "format_data_status",
    "format_environment_report",
    "lesson_targets",
    "progress",
    "record",
    "set_seed",
    "setup_lesson",
]
