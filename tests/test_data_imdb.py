"""IMDB loaders: archive and folder sources, verification, unsafe archives, caches, sequences."""

import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
from datafiles import SPLITS, entries, make_archive, make_folder, member

from course_lib.data import DataError, imdb, imdb_sequences, load_imdb_sequences, load_imdb_text

pytestmark = pytest.mark.usefixtures("data")


def review(split_label: str, i: int) -> str:
    split, label = split_label.split("/")
    mood = "wonderful moving" if label == "pos" else "dreadful boring"
    extra = " onlyintest" if split == "test" else ""  # a word the vocabulary must not know
    return f"A {mood} film number {i}.<br /><br />Seen in {split}{extra}."


def reviews(n: int = 4, skip=()) -> dict[str, str]:
    """{member name: text} in the aclImdb layout, n per split folder."""
    files = {"aclImdb/README": "readme", "aclImdb/imdb.vocab": "the\nfilm\n"}
    for split_label in SPLITS:
        if split_label not in skip:
            for i in range(n):
                files[f"aclImdb/{split_label}/{i}_{7 if 'pos' in split_label else 2}.txt"] = review(
                    split_label, i
                )
    return files


UNSAFE = {
    "absolute": (member("/tmp/evil.txt"), r"'/tmp/evil\.txt' has an absolute path"),
    "dotdot": (member("aclImdb/../../evil.txt"), r"'aclImdb/\.\./\.\./evil\.txt' has a '\.\.'"),
    "symlink": (
        member("aclImdb/train/pos/99_9.txt", tarfile.SYMTYPE, "/etc/passwd"),
        r"'aclImdb/train/pos/99_9\.txt' is a symlink",
    ),
    "hardlink": (
        member("aclImdb/train/neg/99_1.txt", tarfile.LNKTYPE, "aclImdb/README"),
        r"'aclImdb/train/neg/99_1\.txt' is a hardlink",
    ),
    "device": (member("aclImdb/dev", tarfile.CHRTYPE), r"'aclImdb/dev' is a device file"),
}


def test_load_from_archive(data):
    make_archive(data / "aclImdb_v1.tar.gz", reviews(4))
    (train, y_train), (test, y_test) = load_imdb_text()
    assert len(train) == len(test) == 8 and all(isinstance(t, str) for t in train)
    assert y_train.dtype == y_test.dtype == np.int64
    assert y_train.sum() == y_test.sum() == 4  # balanced
    assert sorted(train) == sorted(review(s, i) for s in SPLITS[:2] for i in range(4))
    pairs = zip(train + test, [*y_train, *y_test], strict=True)
    assert all(("wonderful" in text) == bool(label) for text, label in pairs)
    assert list(y_train) != sorted(y_train)  # shuffled, not grouped by label


def test_order_is_deterministic(data):
    make_archive(data / "aclImdb_v1.tar.gz", reviews(6))
    first = load_imdb_text()
    imdb._load_text.cache_clear()
    second = load_imdb_text()
    assert first[0][0] == second[0][0] and np.array_equal(first[1][1], second[1][1])


def test_folder_wins_over_archive_and_skips_unsup(data):
    make_archive(data / "aclImdb_v1_labeled.tar.gz", reviews(2))
    files = reviews(3)
    files["aclImdb/train/unsup/0_0.txt"] = "unlabeled"
    make_folder(data, files)
    (train, y_train), (test, _) = load_imdb_text()
    assert len(train) == len(test) == 6 and "unlabeled" not in train
    assert y_train.sum() == 3


def test_returns_copies(data):
    make_archive(data / "aclImdb_v1.tar.gz", reviews(2))
    (train, y_train), _ = load_imdb_text()
    first = train[0]
    train.clear()
    y_train[:] = 5
    (train2, y_train2), _ = load_imdb_text()
    assert train2[0] == first and len(train2) == 4 and set(y_train2) == {0, 1}


def test_offline_not_found(data):
    with pytest.raises(DataError, match="IMDB reviews not found") as info:
        load_imdb_text()
    assert "course data import PATH" in str(info.value)
    assert "course data fetch imdb" in str(info.value)
    assert entries(data) == []


@pytest.mark.parametrize(
    "skip, match",
    [
        (("test/neg",), r"no reviews in test/neg"),
        (("train/pos", "train/neg"), r"no reviews in train/pos, train/neg"),
    ],
)
def test_missing_split(data, skip, match):
    make_archive(data / "aclImdb_v1.tar.gz", reviews(2, skip=skip))
    with pytest.raises(DataError, match=match):
        load_imdb_text()
    assert entries(data) == ["aclImdb_v1.tar.gz"]


def test_unbalanced_split(data):
    files = reviews(2)
    del files["aclImdb/test/pos/0_7.txt"]
    make_archive(data / "aclImdb_v1.tar.gz", files)
    with pytest.raises(DataError, match="test/pos has 1 reviews, test/neg has 2"):
        load_imdb_text()
    assert entries(data) == ["aclImdb_v1.tar.gz"]


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_unsafe_member_rejects_archive(data, tmp_path, kind):
    info, match = UNSAFE[kind]
    # The bad member comes last: valid reviews before it must not be used either.
    make_archive(data / "aclImdb_v1.tar.gz", reviews(2), extra=[info])
    with pytest.raises(DataError, match=match) as err:
        load_imdb_text()
    assert "nothing was extracted" in str(err.value)
    assert entries(data) == ["aclImdb_v1.tar.gz"]
    assert not list(tmp_path.rglob("evil.txt")) and not Path("/tmp/evil.txt").exists()


def test_truncated_archive(data, tmp_path):
    raw = make_archive(tmp_path / "a.tar.gz", reviews(40)).read_bytes()
    (data / "aclImdb_v1.tar.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match=r"aclImdb_v1\.tar\.gz is truncated or corrupt"):
        load_imdb_text()
    assert entries(data) == ["aclImdb_v1.tar.gz"]


def test_text_cache_written_when_slow_and_invalidated(data, monkeypatch):
    archive = make_archive(data / "aclImdb_v1.tar.gz", reviews(2))
    monkeypatch.setattr(imdb, "CACHE_AFTER_S", -1.0)  # every read counts as slow
    (train, _), _ = load_imdb_text()
    assert entries(data) == ["aclImdb_v1.tar.gz", "cache", "cache/imdb_text.npz"]
    imdb._load_text.cache_clear()
    read = imdb.read_imdb_source
    monkeypatch.setattr(imdb, "read_imdb_source", lambda *a: pytest.fail("cache not used"))
    assert load_imdb_text()[0][0] == train
    monkeypatch.setattr(imdb, "read_imdb_source", read)
    make_archive(archive, reviews(3))  # a replaced source: new size and mtime
    os.utime(archive, ns=(0, archive.stat().st_mtime_ns + 10**9))
    assert len(load_imdb_text()[0][0]) == 6


def test_no_text_cache_when_fast(data):
    make_archive(data / "aclImdb_v1.tar.gz", reviews(2))
    load_imdb_text()
    assert entries(data) == ["aclImdb_v1.tar.gz"]


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"vocab_size": 2}, "vocab_size"),
        ({"sequence_length": 0}, "sequence_length"),
        ({"vocab_size": 10.5}, "vocab_size"),
    ],
)
def test_sequence_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        load_imdb_sequences(**kwargs)


def test_sequences_and_their_cache(data, monkeypatch):
    make_archive(data / "aclImdb_v1.tar.gz", reviews(4))
    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test), vocab = load_imdb_sequences(100, 12)
    first = time.perf_counter() - start
    assert x_train.shape == x_test.shape == (8, 12) and x_train.dtype == np.int32
    (_, text_y_train), (_, text_y_test) = load_imdb_text()
    assert np.array_equal(y_train, text_y_train) and np.array_equal(y_test, text_y_test)
    assert vocab[:2] == ["", "[UNK]"] and "wonderful" in vocab and "film" in vocab
    assert "onlyintest" not in vocab  # fitted on the training texts only
    assert "br" not in vocab  # '<br />' became a space
    assert (x_test == 1).any()  # 'onlyintest' is out of vocabulary
    assert (x_train == 0).any() and x_train.max() < len(vocab)

    # Second call: from the npz, without TextVectorization, identical and much faster.
    monkeypatch.setattr(imdb_sequences, "_vectorize", lambda *a: pytest.fail("cache not used"))
    start = time.perf_counter()
    (x2, y2), (xt2, yt2), vocab2 = load_imdb_sequences(100, 12)
    second = time.perf_counter() - start
    assert second < 2.0 and second < first
    assert np.array_equal(x2, x_train) and np.array_equal(xt2, x_test) and vocab2 == vocab
    assert entries(data / "cache") == ["imdb_sequences_v100_len12.npz"]

    # A new process reads the same cache.
    code = (
        "from course_lib.data import load_imdb_sequences as f; import numpy as np;"
        "(x, _), _, v = f(100, 12); print(int(x.sum()), len(v))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    ).stdout.split()
    assert out == [str(int(x_train.sum())), str(len(vocab))]


def test_sequence_cache_follows_the_source(data):
    archive = make_archive(data / "aclImdb_v1.tar.gz", reviews(2))
    vocab = load_imdb_sequences(100, 5)[2]
    files = reviews(2)
    files["aclImdb/train/pos/0_7.txt"] = "zebra zebra zebra"
    make_archive(archive, files)
    os.utime(archive, ns=(0, archive.stat().st_mtime_ns + 10**9))
    vocab2 = load_imdb_sequences(100, 5)[2]
    assert "zebra" in vocab2 and "zebra" not in vocab
