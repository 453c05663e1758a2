"""`course data status|fetch|import`: the status table, downloads and verified imports."""

import os
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
from datafiles import (
    FASHION_FILES,
    SPLITS,
    entries,
    make_archive,
    make_folder,
    member,
    write_fashion_set,
    write_idx,
)

from course_lib.data import DataError, imdb, load_fashion_mnist, load_imdb_text
from course_lib.data import fashion_mnist as fm
from course_lib.tools.data_commands import GET, data_status, fetch, format_data_status, import_data

pytestmark = pytest.mark.usefixtures("data")


@pytest.fixture(scope="module")
def fashion_dir(tmp_path_factory):
    """Four full-size files with the official names and all-zero images."""
    return write_fashion_set(tmp_path_factory.mktemp("fashion"))


def imdb_files(n: int = 2, skip=()) -> dict[str, bytes]:
    files = {"aclImdb/README": b"readme"}
    for split in SPLITS:
        if split not in skip:
            for i in range(n):
                files[f"aclImdb/{split}/{i}_5.txt"] = f"{split} review {i}".encode()
    return files


def test_status_with_nothing_downloaded(data):
    rows = {row["name"]: row for row in data_status()}
    assert list(rows) == ["fashion_mnist", "imdb", "digits", "image_patches"]
    assert rows["fashion_mnist"]["found"] is False and rows["fashion_mnist"]["location"] is None
    assert "apt-get install dataset-fashion-mnist" in rows["fashion_mnist"]["get"]
    assert rows["imdb"]["found"] is False and "course data import" in rows["imdb"]["get"]
    assert rows["digits"]["verified"] and rows["image_patches"]["verified"]
    assert set(rows["digits"]) == {"name", "found", "location", "verified", "detail", "get"}
    assert entries(data) == []


def test_status_table_is_aligned(data):
    text = format_data_status()
    lines = text.splitlines()
    assert lines[0].split() == ["dataset", "status", "detail"]
    assert [line.split()[:2] for line in lines[1::2]] == [
        ["fashion_mnist", "MISSING"],
        ["imdb", "MISSING"],
        ["digits", "verified"],
        ["image_patches", "verified"],
    ]
    assert lines[2].split(maxsplit=2) == ["get", "it:", GET["fashion_mnist"]]
    assert "sudo apt-get install dataset-fashion-mnist" in lines[2]
    assert lines[6].strip().startswith("at ") and "get it" not in "\n".join(lines[5:])


def test_status_with_data_present(data, fashion_dir):
    shutil.copytree(fashion_dir, data / "fashion-mnist")
    make_archive(data / "aclImdb_v1.tar.gz", imdb_files())
    rows = {row["name"]: row for row in data_status()}
    assert rows["fashion_mnist"]["verified"] and rows["imdb"]["verified"]
    assert rows["fashion_mnist"]["location"] == str(data / "fashion-mnist")
    assert rows["imdb"]["location"] == str(data / "aclImdb_v1.tar.gz")
    assert "60000 train + 10000 test" in rows["fashion_mnist"]["detail"]


def test_status_reports_damage(data, fashion_dir):
    shutil.copytree(fashion_dir, data / "fashion-mnist")
    target = data / "fashion-mnist" / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:100])
    row = data_status()[0]
    assert row["found"] and not row["verified"] and "truncated or corrupt" in row["detail"]


def test_fetch_offline_and_unknown(data):
    with pytest.raises(DataError, match="COURSE_OFFLINE"):
        fetch()
    with pytest.raises(DataError, match="cannot fetch 'mnist'"):
        fetch("mnist")
    assert entries(data) == []


def test_fetch_downloads_both(data, fashion_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE")
    monkeypatch.setattr(fm, "DOWNLOAD_URLS", (fashion_dir.as_uri() + "/",))
    archive = make_archive(tmp_path / "mirror" / "aclImdb_v1.tar.gz", imdb_files(3))
    monkeypatch.setattr(imdb, "IMDB_URL", archive.as_uri())
    assert fetch() == [data / "fashion-mnist", data / "aclImdb_v1.tar.gz"]
    assert (data / "aclImdb_v1.tar.gz").read_bytes() == archive.read_bytes()
    assert len(load_imdb_text()[0][0]) == 6
    assert load_fashion_mnist()[0][0].shape == (60000, 28, 28)


def test_fetch_failure_leaves_nothing(data, tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE")
    bad = make_archive(tmp_path / "mirror" / "a.tar.gz", imdb_files(2, skip=("test/neg",)))
    monkeypatch.setattr(imdb, "IMDB_URL", bad.as_uri())
    with pytest.raises(DataError, match=r"(?s)could not download IMDB.*no reviews in test/neg"):
        fetch("imdb")
    assert entries(data) == []


def test_import_fashion_folder_and_file(data, fashion_dir, tmp_path):
    written = import_data(fashion_dir)
    assert written == [data / "fashion-mnist" / name for name in FASHION_FILES]
    assert load_fashion_mnist()[1][0].shape == (10000, 28, 28)
    other = tmp_path / "other" / "train-labels-idx1-ubyte.gz"
    write_idx(other, 2049, np.full(60000, 4, np.uint8))
    assert import_data(other) == [data / "fashion-mnist" / other.name]
    assert set(load_fashion_mnist()[0][1].tolist()) == {4}


def test_import_archive_as_is(data, tmp_path):
    archive = make_archive(tmp_path / "aclImdb_v1_labeled.tar.gz", imdb_files())
    assert import_data(archive) == [data / "aclImdb_v1_labeled.tar.gz"]
    assert (data / archive.name).read_bytes() == archive.read_bytes()
    assert load_imdb_text()[1][1].sum() == 2


@pytest.mark.parametrize("source", ["archive", "folder"])
def test_slow_import_primes_the_text_cache(data, tmp_path, monkeypatch, source):
    monkeypatch.setattr(imdb, "CACHE_AFTER_S", -1.0)  # every read counts as slow
    path = make_archive(tmp_path / "aclImdb_v1.tar.gz", imdb_files(3))
    if source == "folder":
        with tarfile.open(path) as tar:
            tar.extractall(tmp_path / "x", filter="data")
        path = tmp_path / "x" / "aclImdb"
    import_data(path)
    assert (data / "cache" / "imdb_text.npz").is_file()
    monkeypatch.setattr(imdb, "read_imdb_source", lambda *a: pytest.fail("cache not used"))
    (train, _), (test, y_test) = load_imdb_text()
    assert len(train) == len(test) == 6 and y_test.sum() == 3


def test_import_extracted_folder(data, tmp_path):
    files = imdb_files(3)
    files["aclImdb/train/unsup/0_0.txt"] = b"unlabeled"
    make_folder(tmp_path / "src", files)
    assert import_data(tmp_path / "src") == [data / "aclImdb"]  # the parent folder works too
    assert (data / "aclImdb" / "train" / "pos" / "2_5.txt").read_text() == "train/pos review 2"
    assert not (data / "aclImdb" / "train" / "unsup").exists()
    assert len(load_imdb_text()[0][0]) == 6
    assert [p.name for p in data.iterdir()] == ["aclImdb"]  # no temp folder left


def _bad_fashion(folder: Path, kind: str) -> tuple[Path, str]:
    path = folder / "train-labels-idx1-ubyte.gz"
    if kind == "truncated":
        good = write_idx(path, 2049, np.zeros(60000, np.uint8)).read_bytes()
        path.write_bytes(good[: len(good) - 20])
        return path, "truncated or corrupt"
    if kind == "magic":
        return write_idx(path, 2051, np.zeros(60000, np.uint8)), "wrong IDX magic number 2051"
    return write_idx(path, 2049, np.zeros(600, np.uint8)), "wrong item count 600, expected 60000"


@pytest.mark.parametrize("kind", ["truncated", "magic", "count"])
def test_import_bad_fashion_file_leaves_nothing(data, tmp_path, kind):
    path, match = _bad_fashion(tmp_path / "in", kind)
    with pytest.raises(DataError, match=match):
        import_data(path)
    assert entries(data) == []


def test_import_folder_with_one_bad_file_copies_none(data, fashion_dir, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(fashion_dir, folder)
    _bad_fashion(folder, "count")
    with pytest.raises(DataError, match="wrong item count"):
        import_data(folder)
    assert entries(data) == []


BAD_ARCHIVES = {
    "missing split": ({"skip": ("test/neg",)}, [], r"no reviews in test/neg"),
    "absolute": ({}, [tarfile.TarInfo("/etc/evil")], r"'/etc/evil' has an absolute path"),
    "dotdot": ({}, [tarfile.TarInfo("aclImdb/../x")], r"'aclImdb/\.\./x' has a '\.\.'"),
    "symlink": (
        {},
        [member("aclImdb/test/pos/9_9.txt", tarfile.SYMTYPE, "/etc/passwd")],
        r"'aclImdb/test/pos/9_9\.txt' is a symlink",
    ),
    "hardlink": (
        {},
        [member("aclImdb/test/pos/9_9.txt", tarfile.LNKTYPE, "aclImdb/README")],
        r"'aclImdb/test/pos/9_9\.txt' is a hardlink",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ARCHIVES))
def test_import_bad_archive_leaves_nothing(data, tmp_path, kind):
    options, extra, match = BAD_ARCHIVES[kind]
    archive = make_archive(tmp_path / "aclImdb_v1.tar.gz", imdb_files(**options), extra)
    with pytest.raises(DataError, match=match):
        import_data(archive)
    assert entries(data) == []


def test_import_folder_with_symlink_is_refused(data, tmp_path):
    folder = make_folder(tmp_path, imdb_files())
    os.symlink("/etc/passwd", folder / "test" / "neg" / "7_1.txt")
    with pytest.raises(DataError, match=r"test/neg/7_1\.txt is a symlink"):
        import_data(folder)
    assert entries(data) == []


def test_import_folder_missing_split_leaves_nothing(data, tmp_path):
    folder = make_folder(tmp_path, imdb_files(skip=("train/neg",)))
    with pytest.raises(DataError, match="no reviews in train/neg"):
        import_data(folder)
    assert entries(data) == []


def test_import_unknown_or_missing(data, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="don't know how to import"):
        import_data(tmp_path / "notes.txt")
    with pytest.raises(DataError, match="does not exist"):
        import_data(tmp_path / "nothing")
    assert entries(data) == []
