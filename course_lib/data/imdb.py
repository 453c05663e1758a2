"""IMDB reviews (Maas et al. 2011): 25,000 train + 25,000 test texts, labels 1 = pos, 0 = neg."""

import functools
import gzip
import hashlib
import json
import os
import re
import tarfile
import time
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from course_lib.data._store import DataError, atomic_path, check_member, download, offline
from course_lib.paths import data_dir

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_ARCHIVE_GLOB = "aclImdb_v1*.tar.gz"
IMDB_SPLITS = ("train/pos", "train/neg", "test/pos", "test/neg")
SHUFFLE_SEED = 20110619  # fixed: every run and every machine sees the same order
CACHE_AFTER_S = 3.0  # reading slower than this writes the parsed texts to data_dir()/cache
_CACHE_VERSION = 1
_REVIEW_NAME = re.compile(r"(\d+)_(\d+)\.txt")

_GET_IT = (
    "Get a good copy one of these ways:\n"
    "  course data fetch imdb                       (downloads aclImdb_v1.tar.gz; needs network)\n"
    "  course data import PATH                      (an aclImdb_v1*.tar.gz or an aclImdb folder)"
)

Texts = tuple[list[str], np.ndarray]


def find_imdb() -> Path | None:
    """data_dir()/aclImdb if it is a folder, else data_dir()/aclImdb_v1*.tar.gz, or None."""
    folder = data_dir() / "aclImdb"
    if folder.is_dir():
        return folder
    archives = sorted(p for p in data_dir().glob(IMDB_ARCHIVE_GLOB) if p.is_file())
    return archives[0] if archives else None


def fingerprint(source: Path) -> str:
    """A string that changes when the source is replaced: path, size and mtime (of every file)."""
    source = Path(source).resolve()
    if source.is_dir():
        # A folder has no single size/mtime: hash the stat of each review file instead.
        digest = hashlib.sha256()
        for split in IMDB_SPLITS:
            folder = source / split
            if folder.is_dir():
                for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                    st = entry.stat(follow_symlinks=False)
                    digest.update(f"{split}/{entry.name}:{st.st_size}:{st.st_mtime_ns};".encode())
        return json.dumps({"path": str(source), "files": digest.hexdigest()})
    st = source.stat()
    return json.dumps({"path": str(source), "size": st.st_size, "mtime_ns": st.st_mtime_ns})


def _review_key(split: str, label: str, name: str) -> tuple[str, int, int] | None:
    """(split, label, id) for 'train', 'pos', '123_8.txt'; None for anything the course skips."""
    match = _REVIEW_NAME.fullmatch(name)
    if split not in ("train", "test") or label not in ("pos", "neg") or not match:
        return None  # train/unsup, README, imdb.vocab, *.feat, urls_*.txt
    return split, 1 if label == "pos" else 0, int(match.group(1))


def _read_archive(path: Path) -> dict:
    """{(split, label, id): text} straight from the tar stream, nothing written to disk."""
    reviews = {}
    hint = f"\n{_GET_IT}"
    try:
        # Our own GzipFile under a "r|" stream: tarfile's "r|gz" ends quietly on a truncated
        # file, GzipFile raises EOFError. Members are checked and read in order, never extracted.
        with gzip.open(path, "rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
            for member in tar:
                check_member(member, path, hint)
                parts = PurePosixPath(member.name).parts
                if not member.isfile() or len(parts) != 4 or parts[0] != "aclImdb":
                    continue
                key = _review_key(*parts[1:])
                if key is not None:
                    data = tar.extractfile(member).read()
                    reviews[key] = data.decode("utf-8", errors="replace")
            while gz.read(1 << 20):  # to the end of the stream, where GzipFile checks the CRC
                pass
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise DataError(f"{path} is truncated or corrupt ({err}).{hint}") from err
    return reviews


def _read_folder(folder: Path, refuse_links: bool = False) -> dict:
    """{(split, label, id): text} from an extracted aclImdb folder."""
    reviews = {}
    for split_label in IMDB_SPLITS:
        split, label = split_label.split("/")
        sub = folder / split_label
        if not sub.is_dir():
            continue
        for entry in os.scandir(sub):
            if refuse_links and entry.is_symlink():
                raise DataError(f"refusing {folder}: {split_label}/{entry.name} is a symlink")
            key = _review_key(split, label, entry.name)
            if key is not None and entry.is_file():
                with open(entry.path, "rb") as f:
                    reviews[key] = f.read().decode("utf-8", errors="replace")
    return reviews


def _check_splits(reviews: dict, source: Path) -> None:
    counts = {s: 0 for s in IMDB_SPLITS}
    for split, label, _ in reviews:
        counts[f"{split}/{'pos' if label else 'neg'}"] += 1
    missing = [s for s, n in counts.items() if n == 0]
    if missing:
        raise DataError(
            f"{source} is incomplete: no reviews in {', '.join(missing)} "
            f"(train/pos, train/neg, test/pos and test/neg must all hold reviews).\n{_GET_IT}"
        )
    for split in ("train", "test"):
        pos, neg = counts[f"{split}/pos"], counts[f"{split}/neg"]
        if pos != neg:
            raise DataError(
                f"{source} is unbalanced: {split}/pos has {pos} reviews, {split}/neg has {neg}; "
                f"a copy of the dataset is damaged.\n{_GET_IT}"
            )


def _assemble(reviews: dict) -> tuple[Texts, Texts]:
    """Sort by split/label/id, then shuffle with a fixed seed: prefixes stay balanced."""
    out = []
    for split in ("train", "test"):
        keys = sorted(k for k in reviews if k[0] == split)
        order = np.random.default_rng(SHUFFLE_SEED).permutation(len(keys))
        texts = [reviews[keys[i]] for i in order]
        labels = np.array([keys[i][1] for i in order], dtype=np.int64)
        out.append((texts, labels))
    return out[0], out[1]


def read_imdb_source(source: Path, strict: bool = False) -> tuple[Texts, Texts]:
    """Read and verify an aclImdb folder or archive; `strict` also refuses symlinks in a folder."""
    source = Path(source)
    reviews = _read_folder(source, strict) if source.is_dir() else _read_archive(source)
    _check_splits(reviews, source)
    return _assemble(reviews)


def _text_cache_path() -> Path:
    return data_dir() / "cache" / "imdb_text.npz"


def _load_text_cache(fp: str) -> tuple[Texts, Texts] | None:
    try:
        with np.load(_text_cache_path(), allow_pickle=False) as npz:
            if str(npz["fingerprint"]) != fp or int(npz["version"]) != _CACHE_VERSION:
                return None
            blob, ends, labels = npz["blob"].tobytes(), npz["ends"], npz["labels"]
            n_train = int(npz["n_train"])
    except Exception:  # missing, stale or damaged cache: read the source again
        return None
    starts = np.concatenate([[0], ends[:-1]])
    texts = [blob[a:b].decode("utf-8") for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    return (texts[:n_train], labels[:n_train]), (texts[n_train:], labels[n_train:])


def save_text_cache(fp: str, train: Texts, test: Texts) -> None:
    """Keep parsed texts in data_dir()/cache/imdb_text.npz for the source with fingerprint `fp`."""
    # One UTF-8 blob plus end offsets: loads without pickle in a fraction of the tar time.
    # Uncompressed: zlib would take longer to write (5 s) than the tar takes to read.
    encoded = [t.encode("utf-8") for t in train[0] + test[0]]
    ends = np.cumsum([len(e) for e in encoded], dtype=np.int64)
    try:
        with atomic_path(_text_cache_path()) as tmp, open(tmp, "wb") as f:
            np.savez(
                f,
                version=_CACHE_VERSION,
                fingerprint=np.array(fp),
                blob=np.frombuffer(b"".join(encoded), dtype=np.uint8),
                ends=ends,
                labels=np.concatenate([train[1], test[1]]),
                n_train=len(train[0]),
            )
    except OSError:
        pass  # a read-only data folder only costs speed, never correctness


@functools.lru_cache(maxsize=1)
def _load_text(source: str, fp: str) -> tuple[Texts, Texts]:
    cached = _load_text_cache(fp)
    if cached is not None:
        return cached
    start = time.perf_counter()
    train, test = read_imdb_source(Path(source))
    if time.perf_counter() - start > CACHE_AFTER_S:
        save_text_cache(fp, train, test)
    return train, test


def download_imdb(folder: Path | None = None) -> Path:
    """Download the official aclImdb_v1.tar.gz into `folder` (default data_dir()), verified."""
    dest = (Path(folder) if folder is not None else data_dir()) / "aclImdb_v1.tar.gz"
    download([IMDB_URL], dest, read_imdb_source, "IMDB reviews (about 84 MB)")
    return dest


def imdb_source() -> Path:
    """The IMDB source to read, downloading it if it is nowhere (unless $COURSE_OFFLINE)."""
    source = find_imdb()
    if source is not None:
        return source
    looked = (
        f"IMDB reviews not found. Looked for {data_dir() / 'aclImdb'} (extracted folder) "
        f"and {data_dir() / IMDB_ARCHIVE_GLOB}."
    )
    if offline():
        raise DataError(f"{looked}\nDownloads are off (COURSE_OFFLINE is set).\n{_GET_IT}")
    try:
        return download_imdb()
    except DataError as err:
        raise DataError(f"{looked}\n{err}\n{_GET_IT}") from err


def load_imdb_text() -> tuple[Texts, Texts]:
    """((train_texts, train_labels (25000,)), (test_texts, test_labels (25000,))), labels int64.

    Texts are lists of str; 1 = positive, 0 = negative. The order is fixed and shuffled, so any
    prefix is roughly balanced. Parsed once per process (and cached on disk when reading is slow).
    """
    source = imdb_source()
    (train_texts, train_labels), (test_texts, test_labels) = _load_text(
        str(source), fingerprint(source)
    )
    # Copies: the caller may shuffle or edit them without touching the process cache.
    return (list(train_texts), train_labels.copy()), (list(test_texts), test_labels.copy())
