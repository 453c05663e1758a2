"""Denoising autoencoders (岡谷『深層学習』p.76-77; Vincent et al. 2010): the three input
corruptions (additive Gaussian, masking, salt-and-pepper), the error of a reconstruction
against the clean input, and how much of the input noise survives in a model's output.
NumPy only: the corruptions take a `seed` (int, None or numpy Generator) and act on whole
arrays at once; every sample gets its own noise."""

import numpy as np


def _rng(seed) -> np.random.Generator:
    return np.random.default_rng(seed)  # a Generator passes through unchanged


def _check_fraction(fraction) -> float:
    fraction = float(fraction)
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    return fraction


def gaussian_noise(x, sigma, seed=None) -> np.ndarray:
    """x~ = x + dx, dx ~ N(0, sigma^2 I) (p.77): x of any shape, same shape and float dtype out."""
    sigma = float(sigma)
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma}")
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
    return (x + sigma * _rng(seed).standard_normal(x.shape)).astype(dtype)


def _chosen_positions(shape, fraction, rng) -> np.ndarray:
    """Boolean mask (n, d...) with exactly round(fraction * d) True entries in each sample,
    chosen uniformly without replacement (d = the size of one sample)."""
    n, d = shape[0], int(np.prod(shape[1:]))
    count = int(round(fraction * d))
    chosen = np.zeros((n, d), dtype=bool)
    if count > 0:
        # The `count` smallest of d uniform keys are a uniformly random subset of the positions.
        smallest = np.argpartition(rng.random((n, d)), count - 1, axis=1)[:, :count]
        chosen[np.arange(n)[:, None], smallest] = True
    return chosen.reshape(shape)


def masking_noise(x, fraction, seed=None) -> np.ndarray:
    """Masking noise (Vincent et al. 2010): a random `fraction` of each sample's (n, d...)
    entries, exactly round(fraction * d) of them, forced to 0. Same shape and dtype out."""
    fraction = _check_fraction(fraction)
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (n, d, ...), got {x.shape}")
    return np.where(_chosen_positions(x.shape, fraction, _rng(seed)), 0, x).astype(x.dtype)


def salt_and_pepper_noise(x, fraction, seed=None, low=0.0, high=1.0) -> np.ndarray:
    """Salt-and-pepper noise (Vincent et al. 2010): a random `fraction` of each sample's (n, d...)
    entries, exactly round(fraction * d), set to `low` or `high` with probability 1/2 each."""
    fraction = _check_fraction(fraction)
    if not low < high:
        raise ValueError(f"low must be below high, got low={low}, high={high}")
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (n, d, ...), got {x.shape}")
    rng = _rng(seed)
    chosen = _chosen_positions(x.shape, fraction, rng)
    salt = rng.random(x.shape) < 0.5
    return np.where(chosen, np.where(salt, high, low), x).astype(x.dtype)


CORRUPTIONS = {
    "gaussian": gaussian_noise,
    "masking": masking_noise,
    "salt_and_pepper": salt_and_pepper_noise,
}


def corrupt(x, kind: str, level, seed=None) -> np.ndarray:
    """One of CORRUPTIONS by name: level is sigma for "gaussian", the fraction for the others."""
    if kind not in CORRUPTIONS:
        raise ValueError(f"kind must be one of {sorted(CORRUPTIONS)}, got {kind!r}")
    return CORRUPTIONS[kind](x, level, seed=seed)


def denoising_errors(model, x_noisy, x_clean, batch_size: int = 1024) -> np.ndarray:
    """Mean squared error per sample, shape (n,), between model(x_noisy) and the clean x (n, d)."""
    x_noisy = np.asarray(x_noisy, dtype=np.float32)
    x_clean = np.asarray(x_clean, dtype=np.float32)
    if x_noisy.shape != x_clean.shape:
        raise ValueError(f"x_noisy {x_noisy.shape} and x_clean {x_clean.shape} differ in shape")
    x_hat = np.asarray(model.predict(x_noisy, batch_size=batch_size, verbose=0))
    if x_hat.shape != x_clean.shape:
        raise ValueError(f"model output {x_hat.shape} does not match its input {x_clean.shape}")
    return ((x_hat - x_clean) ** 2).reshape(len(x_clean), -1).mean(axis=1)


def noise_survival(x_clean, x_noisy, output_clean, output_noisy) -> float:
    """Share of the input noise dx = x_noisy - x_clean that reaches the output: the least-squares
    slope sum <output_noisy - output_clean, dx> / sum ||dx||^2 over all samples (arrays (n, d...)).
    1 = the model copies the noise (identity map), 0 = the output does not follow it."""
    arrays = [
        np.asarray(a, dtype=np.float64) for a in (x_clean, x_noisy, output_clean, output_noisy)
    ]
    if len({a.shape for a in arrays}) != 1:
        raise ValueError(f"all four arrays must have one shape, got {[a.shape for a in arrays]}")
    noise = arrays[1] - arrays[0]
    energy = float(np.sum(noise**2))
    if energy == 0.0:
        raise ValueError("x_noisy equals x_clean: there is no noise to follow")
    return float(np.sum((arrays[3] - arrays[2]) * noise) / energy)


def filter_smoothness(kernel, image_shape) -> float:
    """Mean over filters of the neighbour correlation sum_pairs a*b / sum_pairs (a^2 + b^2) / 2
    over horizontally and vertically adjacent weights of each mean-removed filter: kernel
    (d, units) with d = prod(image_shape); 1 = smooth, about 0 = white noise, -1 = checkerboard."""
    kernel = np.asarray(kernel, dtype=np.float64)
    image_shape = tuple(int(s) for s in image_shape)
    if len(image_shape) != 2 or min(image_shape) < 2:
        raise ValueError(f"image_shape must be (height, width), both >= 2, got {image_shape}")
    if kernel.ndim != 2 or kernel.shape[0] != image_shape[0] * image_shape[1]:
        raise ValueError(
            f"kernel must have shape (prod(image_shape), units) = "
            f"({image_shape[0] * image_shape[1]}, units), got {kernel.shape}"
        )
    filters = kernel.T.reshape(-1, *image_shape)
    filters = filters - filters.mean(axis=(1, 2), keepdims=True)
    pairs = [(filters[:, :, 1:], filters[:, :, :-1]), (filters[:, 1:, :], filters[:, :-1, :])]
    products = sum((a * b).sum(axis=(1, 2)) for a, b in pairs)
    energies = sum(0.5 * (a**2 + b**2).sum(axis=(1, 2)) for a, b in pairs)
    flat = energies == 0  # a constant filter: no pattern to be smooth or rough
    return float(np.mean(np.where(flat, 0.0, products / np.where(flat, 1.0, energies))))
