"""Datasets of the course: loaders that work offline, verify what they read and explain fixes.

Every loader looks in data_dir() (``$COURSE_DATA_DIR`` or the checkout's data/) first; see
``course data status`` for where each dataset was found.
"""

from course_lib.data._store import DataError
from course_lib.data.fashion_mnist import (
    FASHION_MNIST_CLASS_NAMES,
    FASHION_MNIST_CLASS_NAMES_JA,
    load_fashion_mnist,
    read_idx,
)
from course_lib.data.imdb import load_imdb_text
from course_lib.data.imdb_sequences import load_imdb_sequences
from course_lib.data.small import load_digits, sample_image_patches

__all__ = [
    "FASHION_MNIST_CLASS_NAMES",
    "FASHION_MNIST_CLASS_NAMES_JA",
    "DataError",
    "load_digits",
    "load_fashion_mnist",
    "load_imdb_sequences",
    "load_imdb_text",
    "read_idx",
    "sample_image_patches",
]
