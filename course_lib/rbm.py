"""Bernoulli restricted Boltzmann machines in NumPy (lesson 11; 岡谷・齋藤『ディープラーニング
チュートリアル』生成モデル: RBM, contrastive divergence, persistent CD, DBN).

Notation of the slides: visible v (V,), hidden h (H,), both binary; weights W (V, H), visible
bias b (V,), hidden bias c (H,); E(v, h) = -b.v - c.h - v W h, p(v, h) = exp(-E) / Z.
Batches are rows: v (n, V), h (n, H). Everything is float64 NumPy (Keras has no RBM)."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logsumexp

# log Z enumerates 2^H hidden states: 2^24 (16.7 million) is the most this module accepts.
MAX_EXACT_HIDDEN = 24


@dataclass
class RBM:
    """Parameters of a Bernoulli RBM: weights W (V, H), visible_bias b (V,), hidden_bias c (H,)."""

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray

    @property
    def n_visible(self) -> int:
        return self.weights.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.weights.shape[1]

    def copy(self) -> "RBM":
        """An independent copy (training updates the arrays in place)."""
        return RBM(self.weights.copy(), self.visible_bias.copy(), self.hidden_bias.copy())


def _positive(value, name: str) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return value


def _count(value, name: str, minimum: int = 1) -> int:
    if int(value) != value or int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def _units(x, size: int, name: str, binary: bool) -> np.ndarray:
    """x as a float64 batch (n, size); binary=True also demands 0/1 values, else [0, 1]."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != size:
        raise ValueError(f"{name} must have shape (n, {size}), got {np.shape(x)}")
    if binary and not np.all((x == 0) | (x == 1)):
        raise ValueError(f"{name} must be binary (0/1 values); binarize it, e.g. (x > 0.5)")
    if not binary and not np.all((x >= 0) & (x <= 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    return x


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)), stable and about twice as fast as np.logaddexp(0, x)."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def init_rbm(n_visible: int, n_hidden: int, seed: int = 0, weight_scale: float = 0.01) -> RBM:
    """W ~ N(0, weight_scale^2) of shape (n_visible, n_hidden), zero biases (as scikit-learn)."""
    n_visible, n_hidden = _count(n_visible, "n_visible"), _count(n_hidden, "n_hidden")
    weight_scale = _positive(weight_scale, "weight_scale")
    weights = np.random.default_rng(seed).normal(0.0, weight_scale, size=(n_visible, n_hidden))
    return RBM(weights, np.zeros(n_visible), np.zeros(n_hidden))


def energy(rbm: RBM, v, h) -> np.ndarray:
    """E(v, h) = -b.v - c.h - v W h per row: binary v (n, V), h (n, H) -> (n,)."""
    v = _units(v, rbm.n_visible, "v", binary=True)
    h = _units(h, rbm.n_hidden, "h", binary=True)
    return -v @ rbm.visible_bias - h @ rbm.hidden_bias - np.sum((v @ rbm.weights) * h, axis=1)


def free_energy(rbm: RBM, v) -> np.ndarray:
    """F(v) = -log sum_h exp(-E(v, h)) = -b.v - sum_j log(1 + exp(c_j + (v W)_j)), (n,V) -> (n,)."""
    v = _units(v, rbm.n_visible, "v", binary=True)
    return _free_energy(rbm, v)


def _free_energy(rbm: RBM, v: np.ndarray) -> np.ndarray:
    return -v @ rbm.visible_bias - _softplus(v @ rbm.weights + rbm.hidden_bias).sum(axis=1)


def hidden_probs(rbm: RBM, v) -> np.ndarray:
    """p(h_j = 1 | v) = sigmoid(c_j + sum_i v_i W_ij): v (n, V) in [0, 1] -> (n, H)."""
    v = _units(v, rbm.n_visible, "v", binary=False)
    return expit(v @ rbm.weights + rbm.hidden_bias)


def visible_probs(rbm: RBM, h) -> np.ndarray:
    """p(v_i = 1 | h) = sigmoid(b_i + sum_j W_ij h_j): h (n, H) in [0, 1] -> (n, V)."""
    h = _units(h, rbm.n_hidden, "h", binary=False)
    return expit(h @ rbm.weights.T + rbm.visible_bias)


def sample_bernoulli(probs, rng: np.random.Generator) -> np.ndarray:
    """Binary float64 sample of the same shape: 1 where a uniform draw falls below probs."""
    probs = np.asarray(probs, dtype=np.float64)
    return (rng.random(probs.shape) < probs).astype(np.float64)


def gibbs_chain(rbm: RBM, v, steps: int, rng: np.random.Generator):
    """Block Gibbs sampling v -> h -> v, `steps` times from binary v (n, V);
    returns (v_sample, v_probs), both (n, V): the last binary state and the p(v | h) behind it."""
    steps = _count(steps, "steps")
    v = _units(v, rbm.n_visible, "v", binary=True)
    for _ in range(steps):
        h = sample_bernoulli(hidden_probs(rbm, v), rng)
        probs = visible_probs(rbm, h)
        v = sample_bernoulli(probs, rng)
    return v, probs


def cd_gradient(rbm: RBM, v_data, k: int, rng: np.random.Generator, chain=None):
    """CD-k estimate of d(mean log p(v))/d(W, b, c) on a binary batch v_data (n, V):
    <v h>_data - <v h>_model with the model term from k Gibbs steps started at the data (CD-k)
    or at the persistent `chain` (PCD, Tieleman 2008). Returns (dW, db, dc, v_negative)."""
    k = _count(k, "k")
    v_data = _units(v_data, rbm.n_visible, "v_data", binary=True)
    h_data = hidden_probs(rbm, v_data)
    if chain is None:
        h = sample_bernoulli(h_data, rng)
    else:
        h = sample_bernoulli(hidden_probs(rbm, _units(chain, rbm.n_visible, "chain", True)), rng)
    for step in range(k):
        v_model = sample_bernoulli(visible_probs(rbm, h), rng)
        h_model = hidden_probs(rbm, v_model)
        if step < k - 1:
            h = sample_bernoulli(h_model, rng)
    n_data, n_model = len(v_data), len(v_model)
    dW = v_data.T @ h_data / n_data - v_model.T @ h_model / n_model
    db = v_data.mean(axis=0) - v_model.mean(axis=0)
    dc = h_data.mean(axis=0) - h_model.mean(axis=0)
    return dW, db, dc, v_model


def train_rbm(
    rbm: RBM,
    x,
    epochs: int,
    learning_rate: float,
    batch_size: int = 64,
    k: int = 1,
    persistent: bool = False,
    seed: int = 0,
    callback: Callable | None = None,
) -> list:
    """Minibatch gradient ascent with CD-k (persistent=False) or PCD-k (persistent=True, one
    chain per batch row) on binary x (N, V); updates rbm in place. Calls callback(epoch, rbm)
    after each epoch (epoch 0 before training) and returns the list of its return values."""
    x = _units(x, rbm.n_visible, "x", binary=True)
    epochs = _count(epochs, "epochs", minimum=0)
    learning_rate = _positive(learning_rate, "learning_rate")
    batch_size, k = _count(batch_size, "batch_size"), _count(k, "k")
    rng = np.random.default_rng(seed)
    batch_size = min(batch_size, len(x))
    chain = None
    if persistent:  # fantasy particles start from p(v | h = 0), as scikit-learn's
        chain = sample_bernoulli(
            np.broadcast_to(expit(rbm.visible_bias), (batch_size, rbm.n_visible)), rng
        )
    history = [] if callback is None else [callback(0, rbm)]
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            batch = x[order[start : start + batch_size]]
            dW, db, dc, v_model = cd_gradient(rbm, batch, k, rng, chain)
            rbm.weights += learning_rate * dW
            rbm.visible_bias += learning_rate * db
            rbm.hidden_bias += learning_rate * dc
            if persistent:
                chain = v_model
        if callback is not None:
            history.append(callback(epoch, rbm))
    return history


def hidden_states(n_hidden: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows start..stop-1 of all 2^n_hidden binary vectors (row r = the bits of r), float64."""
    n_hidden = _count(n_hidden, "n_hidden")
    stop = 2**n_hidden if stop is None else stop
    codes = np.arange(start, stop, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n_hidden)) & 1).astype(np.float64)


def log_partition(rbm: RBM, chunk_size: int = 4096) -> float:
    """Exact log Z = log sum_h exp(c.h + sum_i log(1 + exp(b_i + (W h)_i))): the visibles are
    summed out in closed form, the 2^H hidden states enumerated in chunks (H <= 24)."""
    chunk_size = _count(chunk_size, "chunk_size")
    if rbm.n_hidden > MAX_EXACT_HIDDEN:
        raise ValueError(
            f"rbm has {rbm.n_hidden} hidden units: exact log Z enumerates 2^H states, "
            f"H <= {MAX_EXACT_HIDDEN} only"
        )
    parts = []
    for start in range(0, 2**rbm.n_hidden, chunk_size):
        h = hidden_states(rbm.n_hidden, start, min(start + chunk_size, 2**rbm.n_hidden))
        terms = h @ rbm.hidden_bias + _softplus(h @ rbm.weights.T + rbm.visible_bias).sum(1)
        parts.append(logsumexp(terms))
    return float(logsumexp(parts))


def log_likelihood(rbm: RBM, v, log_z: float | None = None) -> np.ndarray:
    """Exact log p(v) = -F(v) - log Z per row of binary v (n, V) -> (n,); pass log_z to reuse it."""
    v = _units(v, rbm.n_visible, "v", binary=True)
    log_z = log_partition(rbm) if log_z is None else float(log_z)
    return -_free_energy(rbm, v) - log_z


def pseudo_likelihood(rbm: RBM, v, chunk_size: int = 256) -> np.ndarray:
    """log PL(v) = sum_i log p(v_i | v_-i) = sum_i log sigmoid(F(v with bit i flipped) - F(v)),
    exactly over all V bits (scikit-learn's score_samples estimates it from one random bit):
    binary v (n, V) -> (n,). Chunks of chunk_size rows bound the (chunk, V, H) work array."""
    v = _units(v, rbm.n_visible, "v", binary=True)
    chunk_size = _count(chunk_size, "chunk_size")
    out = np.empty(len(v))
    for start in range(0, len(v), chunk_size):
        part = v[start : start + chunk_size]
        pre = part @ rbm.weights + rbm.hidden_bias  # (m, H)
        sign = 1.0 - 2.0 * part  # +1 turns a 0 into 1, -1 turns a 1 into 0
        flipped_pre = pre[:, None, :] + sign[:, :, None] * rbm.weights[None, :, :]  # (m, V, H)
        # F(flipped) - F(v): the visible-bias term changes by -sign_i b_i, the softplus sum too
        delta = -sign * rbm.visible_bias - (
            _softplus(flipped_pre).sum(axis=2) - _softplus(pre).sum(axis=1, keepdims=True)
        )
        out[start : start + chunk_size] = -_softplus(-delta).sum(axis=1)
    return out


def reconstruction_error(rbm: RBM, v) -> float:
    """Mean squared error per pixel between v (n, V) and its mean-field reconstruction
    p(v | h = p(h | v)): what people often monitor, not what CD optimises."""
    v = _units(v, rbm.n_visible, "v", binary=False)
    return float(np.mean((v - visible_probs(rbm, hidden_probs(rbm, v))) ** 2))


def dbn_pretrain(x, hidden_sizes, seed: int = 0, **train_kwargs) -> list:
    """Greedy layer-wise DBN pretraining (Hinton 2006): an RBM on binary x (N, V), then each next
    RBM on a binary sample of p(h | v) of the layer below. train_kwargs go to train_rbm
    (epochs, learning_rate, ...). Returns the list of RBMs, input side first."""
    hidden_sizes = [_count(n, "hidden_sizes") for n in hidden_sizes]
    if not hidden_sizes:
        raise ValueError("hidden_sizes must name at least one layer")
    layer_input = _units(x, np.shape(x)[-1], "x", binary=True)
    rng = np.random.default_rng(seed)
    rbms = []
    for depth, n_hidden in enumerate(hidden_sizes):
        rbm = init_rbm(layer_input.shape[1], n_hidden, seed=seed + depth)
        train_rbm(rbm, layer_input, seed=seed + depth, **train_kwargs)
        rbms.append(rbm)
        layer_input = sample_bernoulli(hidden_probs(rbm, layer_input), rng)
    return rbms
