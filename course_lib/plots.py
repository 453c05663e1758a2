"""Plot helpers every lesson uses. Each returns the Figure: assign it (`fig = ...`) so
Jupyter draws it once. Titles and labels in English (Japanese fonts are not everywhere)."""

import math

import matplotlib.pyplot as plt
import numpy as np


def _grid(n: int, ncols: int, cell: float, title_space: float = 0.0):
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(cell * ncols, (cell + title_space) * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    return fig, axes.flat


def show_images(
    images,
    titles=None,
    ncols: int = 10,
    cmap: str = "gray",
    cell: float = 1.3,
    suptitle: str | None = None,
    vmin=None,
    vmax=None,
):
    """Images (n, h, w) or (n, h, w, 3) in a grid with optional per-image titles."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape (n, h, w) or (n, h, w, c), got {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    lines = max((str(t).count("\n") + 1 for t in titles), default=0) if titles is not None else 0
    fig, axes = _grid(len(images), ncols, cell, 0.1 + 0.2 * lines if lines else 0.0)
    for i, (ax, image) in enumerate(zip(axes, images, strict=False)):
        ax.imshow(image.squeeze(), cmap=cmap, vmin=vmin, vmax=vmax)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def plot_history(history, metrics=None, title: str | None = None):
    """Training curves from a Keras History (or its .history dict): one panel per metric,
    training and validation together."""
    logs = getattr(history, "history", history)
    if not logs:
        raise ValueError("history is empty: nothing was trained")
    metrics = metrics or [k for k in logs if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.2), squeeze=False)
    for ax, name in zip(axes.flat, metrics, strict=True):
        if name not in logs:
            raise KeyError(f"metric {name!r} not in history; it has {sorted(logs)}")
        epochs = np.arange(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], marker=".", label="train")
        if f"val_{name}" in logs:
            ax.plot(epochs, logs[f"val_{name}"], marker=".", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_weights(
    weights,
    image_shape=None,
    ncols: int = 10,
    max_filters: int = 100,
    cell: float = 1.0,
    cmap: str = "gray",
    title: str | None = None,
):
    """Filters as images, each scaled to its own range: a Dense kernel (d, units) reshaped to
    `image_shape`, or a Conv2D kernel (kh, kw, in, out) averaged over input channels."""
    weights = np.asarray(weights)
    if weights.ndim == 4:
        filters = weights.mean(axis=2).transpose(2, 0, 1)
    elif weights.ndim == 2:
        if image_shape is None:
            side = math.isqrt(weights.shape[0])
            if side * side != weights.shape[0]:
                raise ValueError(f"give image_shape: {weights.shape[0]} inputs are not a square")
            image_shape = (side, side)
        if math.prod(image_shape) != weights.shape[0]:
            raise ValueError(f"image_shape {image_shape} does not hold {weights.shape[0]} inputs")
        filters = weights.T.reshape(-1, *image_shape)
    else:
        raise ValueError(f"weights must be 2-D (Dense) or 4-D (Conv2D), got shape {weights.shape}")
    filters = filters[:max_filters]
    low = filters.min(axis=(1, 2), keepdims=True)
    span = filters.max(axis=(1, 2), keepdims=True) - low
    scaled = (filters - low) / np.where(span > 0, span, 1.0)
    fig, axes = _grid(len(scaled), ncols, cell)
    for ax, image in zip(axes, scaled, strict=False):
        ax.imshow(image, cmap=cmap, vmin=0.0, vmax=1.0)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
