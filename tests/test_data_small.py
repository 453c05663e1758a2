"""Digits and natural-image patches: shapes, ranges, determinism and how patches are sampled."""

import numpy as np
import pytest

from course_lib.data import load_digits, sample_image_patches, small


def test_digits_shapes_and_range():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    assert set(labels.tolist()) == set(range(10))


def test_patches_shape_range_and_determinism():
    patches = sample_image_patches(patch_size=8, n_patches=500, seed=0)
    assert patches.shape == (500, 8, 8) and patches.dtype == np.float32
    assert 0.0 <= patches.min() and patches.max() <= 1.0
    assert patches.std() > 0.05  # real image content, not a constant
    assert np.array_equal(patches, sample_image_patches(8, 500, seed=0))
    assert not np.array_equal(patches, sample_image_patches(8, 500, seed=1))
    assert sample_image_patches(patch_size=16, n_patches=3).shape == (3, 16, 16)


def test_patches_are_windows_spread_over_all_images(monkeypatch):
    # Synthetic images whose every pixel value is unique: a patch's corner tells where it came from.
    shapes = [(20, 30), (25, 25), (40, 16)]
    images, offset = [], 0
    for h, w in shapes:
        images.append(np.arange(offset, offset + h * w, dtype=np.float32).reshape(h, w))
        offset += h * w
    monkeypatch.setattr(small, "gray_photos", lambda: tuple(images))
    patches = sample_image_patches(patch_size=5, n_patches=3000, seed=3)
    origins = []
    for patch in patches:
        corner = int(patch[0, 0])
        index = next(i for i, image in enumerate(images) if image[0, 0] <= corner <= image[-1, -1])
        r, c = np.argwhere(images[index] == corner)[0]
        assert np.array_equal(patch, images[index][r : r + 5, c : c + 5])
        origins.append((index, r, c))
    counts = np.bincount([o[0] for o in origins], minlength=3)
    assert np.array_equal(counts, [1000, 1000, 1000])  # evenly spread over the images
    rows = [r for i, r, _ in origins if i == 2]
    assert min(rows) == 0 and max(rows) == 40 - 5  # the whole range of positions is used


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"patch_size": 1}, "patch_size must be between 2 and 300"),
        ({"patch_size": 301}, "patch_size must be between 2 and 300"),
        ({"n_patches": 0}, "n_patches must be an integer >= 1"),
        ({"patch_size": 4.0}, "patch_size must be an integer"),
    ],
)
def test_patch_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample_image_patches(**kwargs)
