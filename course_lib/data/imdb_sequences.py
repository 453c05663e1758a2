"""IMDB reviews as padded int32 token-id sequences (n, sequence_length), cached on disk."""

import json
from pathlib import Path

import numpy as np

from course_lib.data._store import atomic_path
from course_lib.data.imdb import fingerprint, imdb_source, load_imdb_text
from course_lib.paths import data_dir

_CACHE_VERSION = 1
_BATCH = 2048


def _check_args(vocab_size: int, sequence_length: int) -> None:
    for name, value, low in (
        ("vocab_size", vocab_size, 3),
        ("sequence_length", sequence_length, 1),
    ):
        # 3 = padding '' + '[UNK]' + at least one word; bool is an int but never meant here.
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def _cache_path(vocab_size: int, sequence_length: int) -> Path:
    return data_dir() / "cache" / f"imdb_sequences_v{vocab_size}_len{sequence_length}.npz"


def _clean(texts: list[str]) -> list[str]:
    # The reviews mark line breaks as HTML; left in, 'br' becomes one of the commonest words.
    return [t.replace("<br />", " ") for t in texts]


def _vectorize(train_texts, test_texts, vocab_size, sequence_length):
    """Fit TextVectorization on the training texts only; return (x_train, x_test, vocabulary)."""
    from keras import layers  # imported here: Keras/TensorFlow take seconds to load

    vectorizer = layers.TextVectorization(
        max_tokens=vocab_size, output_sequence_length=sequence_length
    )
    # Train only: a vocabulary that saw the test texts would leak them into the model.
    vectorizer.adapt(np.array(_clean(train_texts), dtype=object), batch_size=_BATCH)

    def encode(texts):
        texts = _clean(texts)
        batches = [
            np.asarray(vectorizer(np.array(texts[i : i + _BATCH], dtype=object)))
            for i in range(0, len(texts), _BATCH)
        ]
        return np.concatenate(batches).astype(np.int32)

    return encode(train_texts), encode(test_texts), [str(t) for t in vectorizer.get_vocabulary()]


def _load_cache(path: Path, key: str):
    try:
        with np.load(path, allow_pickle=False) as npz:
            if str(npz["key"]) != key:
                return None
            return {name: npz[name] for name in ("x_train", "y_train", "x_test", "y_test", "vocab")}
    except Exception:  # missing, stale or damaged cache: build it again
        return None


def load_imdb_sequences(
    vocab_size: int = 20000, sequence_length: int = 200
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], list[str]]:
    """((x_train (25000, L), y_train), (x_test (25000, L), y_test), vocabulary), x int32, y int64.

    L = sequence_length. Token ids come from keras.layers.TextVectorization(max_tokens=vocab_size,
    output_sequence_length=L) adapted on the training texts only; 0 is padding, 1 is '[UNK]',
    vocabulary[i] is the word of id i. Cached in data_dir()/cache, keyed by the source files.
    """
    _check_args(vocab_size, sequence_length)
    source = imdb_source()
    key = json.dumps(
        {
            "version": _CACHE_VERSION,
            "source": fingerprint(source),
            "vocab_size": int(vocab_size),
            "sequence_length": int(sequence_length),
        }
    )
    path = _cache_path(int(vocab_size), int(sequence_length))
    cached = _load_cache(path, key)
    if cached is None:
        (train_texts, y_train), (test_texts, y_test) = load_imdb_text()
        x_train, x_test, vocab = _vectorize(train_texts, test_texts, vocab_size, sequence_length)
        cached = {
            "x_train": x_train,
            "y_train": y_train,
            "x_test": x_test,
            "y_test": y_test,
            "vocab": np.array(vocab, dtype=str),
        }
        try:
            with atomic_path(path) as tmp, open(tmp, "wb") as f:
                np.savez(f, key=np.array(key), **cached)
        except OSError:
            pass  # a read-only data folder only costs speed on the next call
    return (
        (cached["x_train"], cached["y_train"]),
        (cached["x_test"], cached["y_test"]),
        cached["vocab"].tolist(),
    )
