"""Datasets shipped inside installed packages: 8x8 digits and patches of natural photographs."""

import functools

import numpy as np

# scikit-image's bundled photos that load without a network; colour ones are made grayscale.
PATCH_IMAGES = (
    "astronaut",
    "camera",
    "chelsea",
    "coffee",
    "grass",
    "gravel",
    "brick",
    "moon",
    "rocket",
    "coins",
)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """(images float32 (1797, 8, 8) in [0, 1], labels int64 (1797,)) from scikit-learn."""
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    # Pixel values are counts 0..16 (4x4 blocks of a 32x32 bitmap), so /16 maps them onto [0, 1].
    images = (bunch.images / 16.0).astype(np.float32)
    return images, bunch.target.astype(np.int64)


@functools.cache
def gray_photos() -> tuple[np.ndarray, ...]:
    """The PATCH_IMAGES as read-only float32 grayscale arrays (H, W) in [0, 1]."""
    from skimage import data
    from skimage.color import rgb2gray
    from skimage.util import img_as_float32

    images = []
    for name in PATCH_IMAGES:
        image = getattr(data, name)()
        image = rgb2gray(image) if image.ndim == 3 else img_as_float32(image)
        image = np.clip(image.astype(np.float32), 0.0, 1.0)
        image.flags.writeable = False  # shared by every call; patches are copied out of it
        images.append(image)
    return tuple(images)


def sample_image_patches(patch_size: int = 8, n_patches: int = 10000, seed: int = 0) -> np.ndarray:
    """float32 (n_patches, patch_size, patch_size) grayscale patches in [0, 1] of natural photos.

    Positions are uniform within each image and the patches are spread evenly over the images;
    the same seed gives the same patches.
    """
    images = gray_photos()
    largest = min(min(image.shape) for image in images)
    if isinstance(patch_size, bool) or not isinstance(patch_size, (int, np.integer)):
        raise ValueError(f"patch_size must be an integer, got {patch_size!r}")
    if not 2 <= patch_size <= largest:
        raise ValueError(f"patch_size must be between 2 and {largest}, got {patch_size}")
    if isinstance(n_patches, bool) or not isinstance(n_patches, (int, np.integer)) or n_patches < 1:
        raise ValueError(f"n_patches must be an integer >= 1, got {n_patches!r}")

    rng = np.random.default_rng(seed)
    # Each image gets n_patches / n_images patches (give or take one), in shuffled output slots.
    owner = rng.permutation(np.arange(n_patches) % len(images))
    patches = np.empty((n_patches, patch_size, patch_size), dtype=np.float32)
    for index, image in enumerate(images):
        slots = np.flatnonzero(owner == index)
        windows = np.lib.stride_tricks.sliding_window_view(image, (patch_size, patch_size))
        rows = rng.integers(0, windows.shape[0], size=slots.size)
        cols = rng.integers(0, windows.shape[1], size=slots.size)
        patches[slots] = windows[rows, cols]  # fancy indexing copies all of them at once
    return patches
