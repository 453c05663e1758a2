import numpy as np
import pytest

from course_lib.denoising import (
    CORRUPTIONS,
    corrupt,
    denoising_errors,
    filter_smoothness,
    gaussian_noise,
    masking_noise,
    noise_survival,
    salt_and_pepper_noise,
)


@pytest.fixture
def images():
    return np.random.default_rng(0).uniform(0.2, 0.8, size=(400, 50)).astype(np.float32)


def test_gaussian_noise_adds_zero_mean_noise_of_std_sigma(images):
    noisy = gaussian_noise(images, 0.3, seed=1)
    assert noisy.shape == images.shape and noisy.dtype == np.float32
    noise = noisy.astype(np.float64) - images
    assert abs(noise.mean()) < 0.005  # 20,000 draws: standard error 0.3 / sqrt(20000) = 0.002
    assert noise.std() == pytest.approx(0.3, rel=0.02)
    np.testing.assert_array_equal(gaussian_noise(images, 0.0, seed=1), images)


def test_gaussian_noise_is_seeded_and_fresh_per_sample(images):
    np.testing.assert_array_equal(gaussian_noise(images, 0.3, 5), gaussian_noise(images, 0.3, 5))
    assert not np.array_equal(gaussian_noise(images, 0.3, 5), gaussian_noise(images, 0.3, 6))
    rng = np.random.default_rng(7)
    first, second = gaussian_noise(images, 0.3, rng), gaussian_noise(images, 0.3, rng)
    assert not np.array_equal(first, second)  # a Generator moves on between calls
    same = np.tile(images[:1], (2, 1))
    noise = gaussian_noise(same, 0.3, 0) - same
    assert not np.allclose(noise[0], noise[1])


def test_gaussian_noise_of_integers_is_float():
    assert gaussian_noise(np.zeros((2, 3), dtype=np.uint8), 1.0, 0).dtype == np.float32


@pytest.mark.parametrize("fraction", [0.0, 0.25, 0.5, 1.0])
def test_masking_noise_zeroes_exactly_the_fraction_of_each_sample(images, fraction):
    masked = masking_noise(images, fraction, seed=0)
    assert masked.shape == images.shape and masked.dtype == images.dtype
    zeros = (masked == 0).sum(axis=1)
    np.testing.assert_array_equal(zeros, round(fraction * images.shape[1]))
    kept = masked != 0
    np.testing.assert_array_equal(masked[kept], images[kept])


def test_masking_noise_picks_positions_uniformly(images):
    masked = masking_noise(np.ones((4000, 10)), 0.3, seed=0)
    assert ((masked == 0).sum(axis=1) == 3).all()
    share = (masked == 0).mean(axis=0)  # each position masked with probability 0.3
    np.testing.assert_allclose(share, 0.3, atol=0.03)


def test_masking_noise_keeps_image_shape():
    x = np.ones((3, 4, 4), dtype=np.float32)
    masked = masking_noise(x, 0.5, seed=0)
    assert masked.shape == (3, 4, 4)
    np.testing.assert_array_equal((masked == 0).sum(axis=(1, 2)), 8)


def test_salt_and_pepper_sets_the_fraction_to_low_or_high_half_each(images):
    noisy = salt_and_pepper_noise(images, 0.2, seed=3)
    changed = noisy != images
    np.testing.assert_array_equal(changed.sum(axis=1), 10)  # images avoid 0 and 1
    assert set(np.unique(noisy[changed])) == {0.0, 1.0}
    assert (noisy[changed] == 1.0).mean() == pytest.approx(0.5, abs=0.05)
    shifted = salt_and_pepper_noise(images, 1.0, seed=3, low=-1.0, high=2.0)
    assert set(np.unique(shifted)) == {-1.0, 2.0}


def test_corrupt_dispatches_by_name(images):
    for kind, function in CORRUPTIONS.items():
        np.testing.assert_array_equal(corrupt(images, kind, 0.3, 4), function(images, 0.3, 4))
    with pytest.raises(ValueError, match="kind"):
        corrupt(images, "blur", 0.3)


@pytest.mark.parametrize("sigma", [-0.1, np.inf, np.nan])
def test_gaussian_noise_rejects_a_bad_sigma(images, sigma):
    with pytest.raises(ValueError, match="sigma"):
        gaussian_noise(images, sigma)


@pytest.mark.parametrize("function", [masking_noise, salt_and_pepper_noise])
@pytest.mark.parametrize("fraction", [-0.01, 1.01])
def test_fractions_outside_0_1_are_rejected(images, function, fraction):
    with pytest.raises(ValueError, match="fraction"):
        function(images, fraction)


def test_bad_shapes_and_levels_are_rejected(images):
    with pytest.raises(ValueError, match="shape"):
        masking_noise(np.ones(5), 0.5)
    with pytest.raises(ValueError, match="low"):
        salt_and_pepper_noise(images, 0.5, low=1.0, high=0.0)


class Halve:
    """A stand-in model: predict(x) = x / 2."""

    def predict(self, x, batch_size=None, verbose=0):
        return np.asarray(x) / 2


def test_denoising_errors_compare_the_output_with_the_clean_input(images):
    noisy = gaussian_noise(images, 0.1, 0)
    errors = denoising_errors(Halve(), noisy, images)
    np.testing.assert_allclose(errors, ((noisy / 2 - images) ** 2).mean(axis=1), rtol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        denoising_errors(Halve(), noisy[:, :10], images)


def test_noise_survival_closed_forms(images):
    noisy = gaussian_noise(images, 0.2, 0)
    assert noise_survival(images, noisy, images, noisy) == pytest.approx(1.0)  # identity
    assert noise_survival(images, noisy, images / 2, noisy / 2) == pytest.approx(0.5)
    constant = np.zeros_like(images)
    assert noise_survival(images, noisy, constant, constant) == 0.0
    # Brute force: one dot product per sample, summed, over the summed squared noise.
    rng = np.random.default_rng(1)
    out_clean, out_noisy = rng.normal(size=images.shape), rng.normal(size=images.shape)
    dots = sum(
        float(np.dot(out_noisy[i] - out_clean[i], noisy[i] - images[i])) for i in range(len(images))
    )
    energy = sum(
        float(np.dot(noisy[i] - images[i], noisy[i] - images[i])) for i in range(len(images))
    )
    ratio = noise_survival(images, noisy, out_clean, out_noisy)
    assert ratio == pytest.approx(dots / energy, rel=1e-5)


def test_noise_survival_needs_noise_and_one_shape(images):
    with pytest.raises(ValueError, match="no noise"):
        noise_survival(images, images, images, images)
    with pytest.raises(ValueError, match="shape"):
        noise_survival(images, images + 1, images[:5], images[:5])


def test_filter_smoothness_closed_forms():
    rows, cols = np.indices((6, 6))
    checkerboard = np.where((rows + cols) % 2 == 0, 1.0, -1.0).reshape(36, 1)
    stripes = np.where(rows % 2 == 0, 1.0, -1.0).reshape(36, 1)  # equal rows, alternating
    ramp = (rows + cols).astype(float).reshape(36, 1)
    assert filter_smoothness(checkerboard, (6, 6)) == pytest.approx(-1.0)
    assert filter_smoothness(stripes, (6, 6)) == pytest.approx(0.0, abs=1e-12)
    # Ramp: neighbours differ by 1, so sum ab = sum (a^2 + b^2)/2 - (number of pairs)/2.
    centred = ramp - ramp.mean()
    pairs = [(centred.reshape(6, 6)[:, 1:], centred.reshape(6, 6)[:, :-1])] * 2
    energy = sum(0.5 * (a**2 + b**2).sum() for a, b in pairs)
    assert filter_smoothness(ramp, (6, 6)) == pytest.approx(1 - 60 / 2 / energy)
    both = np.concatenate([checkerboard, np.ones((36, 1))], axis=1)  # constant counts as 0
    assert filter_smoothness(both, (6, 6)) == pytest.approx(-0.5)


def test_filter_smoothness_of_white_noise_is_near_zero():
    kernel = np.random.default_rng(0).normal(size=(64, 500))
    assert abs(filter_smoothness(kernel, (8, 8))) < 0.02


def test_filter_smoothness_rejects_bad_shapes():
    with pytest.raises(ValueError, match="kernel"):
        filter_smoothness(np.ones((10, 2)), (3, 3))
    with pytest.raises(ValueError, match="image_shape"):
        filter_smoothness(np.ones((3, 2)), (1, 3))
