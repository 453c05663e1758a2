"""Fashion-MNIST loader: IDX parsing, source order, copies, faults and offline messages."""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from datafiles import FASHION_FILES, entries, idx_bytes, write_fashion_set, write_gz

from course_lib.data import (
    FASHION_MNIST_CLASS_NAMES,
    FASHION_MNIST_CLASS_NAMES_JA,
    DataError,
    load_fashion_mnist,
    read_idx,
)
from course_lib.data import fashion_mnist as fm

REAL_DEBIAN_DIR = fm.DEBIAN_DIR
REAL_KERAS_CACHE_DIRS = fm.keras_cache_dirs

pytestmark = pytest.mark.usefixtures("data")


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("idx_sets")
    return {marker: write_fashion_set(root / str(marker), marker) for marker in (1, 2, 3)}


def test_class_names_official_order():
    assert len(FASHION_MNIST_CLASS_NAMES) == len(FASHION_MNIST_CLASS_NAMES_JA) == 10
    assert FASHION_MNIST_CLASS_NAMES[0] == "T-shirt/top"
    assert FASHION_MNIST_CLASS_NAMES[9] == "Ankle boot"
    assert FASHION_MNIST_CLASS_NAMES_JA[0] == "Tシャツ/トップ"
    assert FASHION_MNIST_CLASS_NAMES_JA[9] == "アンクルブーツ"


def test_read_idx_small_shapes(tmp_path):
    images = np.arange(60, dtype=np.uint8).reshape(5, 3, 4)
    labels = np.array([3, 1, 4, 1, 5], np.uint8)
    got = read_idx(write_gz(tmp_path / "i.gz", idx_bytes(2051, images)), 2051, (5, 3, 4))
    assert got.dtype == np.uint8 and np.array_equal(got, images)
    got = read_idx(write_gz(tmp_path / "l.gz", idx_bytes(2049, labels)), 2049, (5,))
    assert np.array_equal(got, labels)


@pytest.mark.parametrize(
    "payload, match",
    [
        (idx_bytes(2049, np.zeros((5, 3, 4))), "wrong IDX magic number 2049, expected 2051"),
        (idx_bytes(2051, np.zeros((4, 3, 4))), "wrong item count 4, expected 5"),
        (idx_bytes(2051, np.zeros((5, 4, 3))), "wrong image size 4x3, expected 3x4"),
        (idx_bytes(2051, np.zeros(59), dims=(5, 3, 4)), "payload is 59 bytes, expected 60"),
        (idx_bytes(2051, np.zeros(61), dims=(5, 3, 4)), "payload is 61 bytes, expected 60"),
        (b"\x00\x00", "truncated or corrupt"),
    ],
    ids=["magic", "count", "shape", "short-payload", "long-payload", "no-header"],
)
def test_read_idx_rejects_bad_headers(tmp_path, payload, match):
    path = write_gz(tmp_path / "bad.gz", payload)
    with pytest.raises(DataError, match=match):
        read_idx(path, 2051, (5, 3, 4))


def test_load_shapes_and_dtypes(data, sets):
    shutil.copytree(sets[1], data / "fashion-mnist")
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_train[0, 0, 0] == 1 and x_test[0, 0, 0] == 1
    assert np.array_equal(y_train[:12], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1])


def test_source_order(data, sets, tmp_path):
    shutil.copytree(sets[3], fm.DEBIAN_DIR)
    assert load_fashion_mnist()[0][0][0, 0, 0] == 3
    shutil.copytree(sets[2], fm.keras_cache_dirs()[0])
    assert load_fashion_mnist()[0][0][0, 0, 0] == 2  # the Keras cache beats Debian
    shutil.copytree(sets[1], data / "fashion-mnist")
    assert load_fashion_mnist()[0][0][0, 0, 0] == 1  # COURSE_DATA_DIR beats the Keras cache


def test_incomplete_folder_is_skipped(data, sets):
    shutil.copytree(sets[2], fm.DEBIAN_DIR)
    (data / "fashion-mnist").mkdir()
    shutil.copy(sets[1] / "train-images-idx3-ubyte.gz", data / "fashion-mnist")
    assert load_fashion_mnist()[0][0][0, 0, 0] == 2


def test_keras_cache_honours_keras_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert REAL_KERAS_CACHE_DIRS()[0] == tmp_path / "kh" / "datasets" / "fashion-mnist"
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert REAL_KERAS_CACHE_DIRS()[0] == tmp_path / ".keras" / "datasets" / "fashion-mnist"


def test_returns_copies(data, sets):
    shutil.copytree(sets[1], data / "fashion-mnist")
    (x_train, y_train), (x_test, _) = load_fashion_mnist()
    x_train[:] = 255
    y_train[:] = 7
    x_test //= 2
    (x2, y2), (xt2, _) = load_fashion_mnist()
    assert x2[0, 0, 0] == 1 and x2[1].max() == 0 and xt2[0, 0, 0] == 1
    assert y2[3] == 3
    assert not np.shares_memory(x_train, x2)
    assert x2.flags.writeable


def test_replaced_file_is_read_again(data, sets):
    shutil.copytree(sets[1], data / "fashion-mnist")
    assert load_fashion_mnist()[0][0][0, 0, 0] == 1
    target = data / "fashion-mnist" / "train-images-idx3-ubyte.gz"
    shutil.copy(sets[2] / "train-images-idx3-ubyte.gz", target)
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_fashion_mnist()[0][0][0, 0, 0] == 2


def test_offline_not_found_says_how_to_get_it(data):
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist") as info:
        load_fashion_mnist()
    message = str(info.value)
    assert str(data / "fashion-mnist") in message and str(fm.DEBIAN_DIR) in message
    assert "course data fetch fashion_mnist" in message and "course data import PATH" in message
    assert "COURSE_OFFLINE" in message
    assert entries(data, files_only=True) == []


def _corrupt(folder: Path, kind: str) -> str:
    """Damage one file of a copied set the way `kind` says; return the expected message."""
    labels = folder / "train-labels-idx1-ubyte.gz"
    if kind == "truncated":
        raw = (folder / "train-images-idx3-ubyte.gz").read_bytes()
        (folder / "train-images-idx3-ubyte.gz").write_bytes(raw[: len(raw) // 2])
        return r"(?s)train-images-idx3-ubyte\.gz is truncated or corrupt.*apt-get install"
    if kind == "magic":
        write_gz(labels, idx_bytes(2051, np.zeros(60000)))
        return r"train-labels-idx1-ubyte\.gz: wrong IDX magic number 2051, expected 2049"
    if kind == "count":
        write_gz(labels, idx_bytes(2049, np.zeros(59999)))
        return r"train-labels-idx1-ubyte\.gz: wrong item count 59999, expected 60000"
    write_gz(labels, idx_bytes(2049, np.full(60000, 10)))
    return r"train-labels-idx1-ubyte\.gz: label 10 is outside 0\.\.9"


@pytest.mark.parametrize("kind", ["truncated", "magic", "count", "label"])
def test_damaged_files_raise_and_leave_nothing(data, sets, kind):
    shutil.copytree(sets[1], fm.DEBIAN_DIR)
    match = _corrupt(fm.DEBIAN_DIR, kind)
    with pytest.raises(DataError, match=match):
        load_fashion_mnist()
    assert entries(data, files_only=True) == []


def test_download_falls_back_to_second_mirror(data, sets, monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_OFFLINE")
    monkeypatch.setattr(
        fm, "DOWNLOAD_URLS", ((tmp_path / "nowhere").as_uri() + "/", sets[2].as_uri() + "/")
    )
    (x_train, _), _ = load_fashion_mnist()
    assert x_train[0, 0, 0] == 2
    names = [Path(e).name for e in entries(data, files_only=True)]
    assert sorted(names) == sorted(FASHION_FILES)


def test_bad_download_leaves_nothing(data, sets, monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_OFFLINE")
    mirror = tmp_path / "mirror"
    shutil.copytree(sets[1], mirror)
    _corrupt(mirror, "truncated")
    monkeypatch.setattr(fm, "DOWNLOAD_URLS", (mirror.as_uri() + "/",))
    with pytest.raises(DataError, match=r"(?s)Fashion-MNIST not found.*truncated or corrupt"):
        load_fashion_mnist()
    # The first file failed verification: no file, temp file or new folder is left behind.
    assert list(data.iterdir()) == []


def test_real_debian_files(monkeypatch):
    if not all((REAL_DEBIAN_DIR / name).is_file() for name in FASHION_FILES):
        pytest.skip(f"dataset-fashion-mnist is not installed ({REAL_DEBIAN_DIR})")
    monkeypatch.setattr(fm, "DEBIAN_DIR", REAL_DEBIAN_DIR)
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.array_equal(np.bincount(y_train), [6000] * 10)
    assert np.array_equal(np.bincount(y_test), [1000] * 10)
    assert 0 < x_train.mean() < 255
