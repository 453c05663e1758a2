"""Convolutional networks (lessons 12-13): convolution and max / average / L2 pooling in NumPy,
an L2 pooling layer, the Fashion-MNIST CNN of the slides' Keras demo ML9-1, its convolutional
base and classifier head (for frozen features and transfer learning). The data split,
standardization and training both lessons use are in course_lib.training."""

import keras
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

POOLING_KINDS = ("max", "average", "l2")
PADDINGS = ("valid", "same")


def _pair(value, name: str) -> tuple[int, int]:
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < 1 for v in pair):
        raise ValueError(f"{name} must be a positive integer or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """Zeros before/after one axis for Keras' padding='same' (output ceil(size / stride))."""
    total = max((-(-size // stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def conv2d_naive(x, kernel, bias=None, strides=1, padding: str = "valid") -> np.ndarray:
    """u_ij = sum_p sum_q sum_c x_(i s + p, j s + q, c) h_pqc + b (cross-correlation, like Conv2D):
    x (n, H, W, C_in), kernel (kh, kw, C_in, C_out), bias (C_out,) -> (n, H', W', C_out)."""
    x, kernel = np.asarray(x), np.asarray(kernel)
    if x.ndim != 4 or kernel.ndim != 4 or x.shape[3] != kernel.shape[2]:
        raise ValueError(
            f"x must be (n, H, W, C_in) and kernel (kh, kw, C_in, C_out), got {x.shape} and "
            f"{kernel.shape}"
        )
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    (sh, sw), (kh, kw) = _pair(strides, "strides"), kernel.shape[:2]
    if padding == "same":
        pads = [_same_padding(x.shape[1], kh, sh), _same_padding(x.shape[2], kw, sw)]
        x = np.pad(x, [(0, 0), *pads, (0, 0)])
    if x.shape[1] < kh or x.shape[2] < kw:
        raise ValueError(f"kernel {kernel.shape[:2]} is larger than the image {x.shape[1:3]}")
    # windows[n, i, j, c, p, q] = x[n, i * sh + p, j * sw + q, c]
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    out = np.einsum("nijcpq,pqco->nijo", windows, kernel)
    return out if bias is None else out + np.asarray(bias)


def pool_naive(x, kind: str = "max", pool_size=2, strides=None) -> np.ndarray:
    """Pooling of each window P_ij per channel, padding 'valid': 'max' max z, 'average' mean z,
    'l2' sqrt(mean z^2); x (n, H, W, C) -> (n, H', W', C); strides default to pool_size."""
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be (n, H, W, C), got shape {x.shape}")
    if kind not in POOLING_KINDS:
        raise ValueError(f"kind must be one of {POOLING_KINDS}, got {kind!r}")
    ph, pw = _pair(pool_size, "pool_size")
    sh, sw = _pair(pool_size if strides is None else strides, "strides")
    if x.shape[1] < ph or x.shape[2] < pw:
        raise ValueError(f"pool_size {(ph, pw)} is larger than the image {x.shape[1:3]}")
    windows = sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
    if kind == "max":
        return windows.max(axis=(-2, -1))
    if kind == "average":
        return windows.mean(axis=(-2, -1))
    return np.sqrt(np.mean(np.square(windows), axis=(-2, -1)))


@keras.saving.register_keras_serializable(package="course_lib")
class L2Pooling2D(keras.layers.Layer):
    """L2 pooling sqrt(mean of z^2 over each window + epsilon), i.e. AveragePooling2D of z^2 then
    sqrt; epsilon > 0 keeps the gradient finite on all-zero windows (ReLU outputs)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
        if not epsilon >= 0.0:
            raise ValueError(f"epsilon must be >= 0, got {epsilon}")
        self.padding, self.epsilon = padding, float(epsilon)

    def call(self, inputs):
        ops = keras.ops
        mean_square = ops.average_pool(
            ops.square(inputs), self.pool_size, self.strides, padding=self.padding
        )
        return ops.sqrt(mean_square + self.epsilon)

    def compute_output_shape(self, input_shape):
        pool = keras.layers.AveragePooling2D(self.pool_size, self.strides, self.padding)
        return pool.compute_output_shape(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "strides": self.strides,
            "padding": self.padding,
            "epsilon": self.epsilon,
        }


def fashion_cnn(
    filters=(32, 64),
    kernel_size: int = 3,
    pooling: str = "max",
    dense_units: int = 128,
    dropout: float = 0.5,
    padding: str = "valid",
    flip: bool = False,
    block_dropout: float = 0.0,
    input_shape=(28, 28, 1),
    num_classes: int = 10,
    name: str = "fashion_cnn",
):
    """CNN of ML9-1: [Conv(f, k, ReLU) - Pool(2)] per entry of `filters`, then Flatten - Dense(ReLU)
    - Dropout - Dense(softmax); pooling 'max', 'average' or 'l2' (L2Pooling2D). Layers are named
    conv1, pool1, conv2, pool2, ... (the convolutional base, see conv_base) and flatten, dense,
    dropout, output (the classifier head, see classifier_head). flip=True puts a RandomFlip layer
    ('flip') first: while training, each image is mirrored left-right with probability 1/2 (data
    augmentation); at inference it passes images through unchanged. block_dropout > 0 adds a
    Dropout layer after each pooling layer (pool1_dropout, ...), part of the convolutional base."""
    filters = [int(f) for f in np.atleast_1d(filters)]
    if not filters or min(filters) < 1:
        raise ValueError(f"filters must be a non-empty list of positive integers, got {filters}")
    if int(kernel_size) < 1:
        raise ValueError(f"kernel_size must be a positive integer, got {kernel_size}")
    if pooling not in POOLING_KINDS:
        raise ValueError(f"pooling must be one of {POOLING_KINDS}, got {pooling!r}")
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    if int(dense_units) < 1:
        raise ValueError(f"dense_units must be a positive integer, got {dense_units}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if not 0.0 <= block_dropout < 1.0:
        raise ValueError(f"block_dropout must be in [0, 1), got {block_dropout}")
    pool_layer = {
        "max": keras.layers.MaxPooling2D,
        "average": keras.layers.AveragePooling2D,
        "l2": L2Pooling2D,
    }[pooling]

    inputs = keras.Input(tuple(input_shape), name="image")
    h = keras.layers.RandomFlip("horizontal", name="flip")(inputs) if flip else inputs
    for block, n_filters in enumerate(filters, start=1):
        h = keras.layers.Conv2D(
            n_filters, int(kernel_size), padding=padding, activation="relu", name=f"conv{block}"
        )(h)
        h = pool_layer(2, name=f"pool{block}")(h)
        if block_dropout > 0:
            h = keras.layers.Dropout(block_dropout, name=f"pool{block}_dropout")(h)
    h = keras.layers.Flatten(name="flatten")(h)
    h = keras.layers.Dense(int(dense_units), activation="relu", name="dense")(h)
    h = keras.layers.Dropout(dropout, name="dropout")(h)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="output")(h)
    return keras.Model(inputs, outputs, name=name)


def conv_base(model, name: str = "conv_base"):
    """The convolutional base of a fashion_cnn model: image -> last pooling output (n, h, w, f),
    after its block dropout if any, sharing the model's layers, so `conv_base(model).trainable =
    False` freezes them in model."""
    pools = [layer for layer in model.layers if layer.name.startswith("pool")]
    if not pools:
        raise ValueError(f"model {model.name!r} has no layer named pool1, pool2, ...")
    return keras.Model(model.inputs, pools[-1].output, name=name)


HEAD_LAYERS = ("flatten", "dense", "dropout", "output")


def classifier_head(model, name: str = "classifier_head"):
    """The classifier head of a fashion_cnn model: conv_base features (n, h, w, f) -> class
    probabilities, sharing the model's flatten, dense, dropout and output layers, so training
    the head on precomputed features trains the model on top of a frozen base."""
    names = [layer.name for layer in model.layers]
    missing = [n for n in HEAD_LAYERS if n not in names]
    if missing:
        raise ValueError(f"model {model.name!r} has no layers {missing}: not a fashion_cnn model")
    features = keras.Input(tuple(conv_base(model).output.shape[1:]), name="features")
    h = features
    for layer_name in HEAD_LAYERS:
        h = model.get_layer(layer_name)(h)
    return keras.Model(features, h, name=name)


def copy_conv_base(source, target) -> int:
    """Copy the weights of conv1, conv2, ... from one fashion_cnn model into another (same
    filters and kernel sizes; the heads may differ); returns the number of layers copied."""
    convs = [layer for layer in source.layers if layer.name.startswith("conv")]
    if not convs:
        raise ValueError(f"model {source.name!r} has no layer named conv1, conv2, ...")
    target_names = {layer.name for layer in target.layers}
    for layer in convs:
        if layer.name not in target_names:
            raise ValueError(f"target {target.name!r} has no layer {layer.name!r}")
        mine = target.get_layer(layer.name)
        shapes = [tuple(w.shape) for w in layer.weights]
        if [tuple(w.shape) for w in mine.weights] != shapes:
            raise ValueError(f"{layer.name}: weight shapes differ, source {shapes}")
        mine.set_weights(layer.get_weights())
    return len(convs)
