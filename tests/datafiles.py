"""Fake dataset files for the data tests: IDX files, Fashion-MNIST sets and aclImdb archives."""

import gzip
import io
import struct
import tarfile
from pathlib import Path

import numpy as np

FASHION_FILES = {
    "train-images-idx3-ubyte.gz": (2051, (60000, 28, 28)),
    "train-labels-idx1-ubyte.gz": (2049, (60000,)),
    "t10k-images-idx3-ubyte.gz": (2051, (10000, 28, 28)),
    "t10k-labels-idx1-ubyte.gz": (2049, (10000,)),
}
SPLITS = ("train/pos", "train/neg", "test/pos", "test/neg")


def idx_bytes(magic: int, array: np.ndarray, dims=None) -> bytes:
    """IDX bytes: big-endian magic and dims (default: the array's shape), then uint8 data."""
    dims = array.shape if dims is None else dims
    return struct.pack(f">I{len(dims)}I", magic, *dims) + array.astype(np.uint8).tobytes()


def write_gz(path: Path, payload: bytes) -> Path:
    """Gzip `payload` to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(payload)
    return path


def write_idx(path: Path, magic: int, array: np.ndarray) -> Path:
    """A gzipped IDX file of `array` at `path`."""
    return write_gz(path, idx_bytes(magic, array))


def write_fashion_set(folder: Path, marker: int = 0) -> Path:
    """Four full-size files: zero images except pixel [0, 0, 0] = marker; labels i % 10."""
    for name, (magic, shape) in FASHION_FILES.items():
        array = np.zeros(shape, np.uint8)
        if len(shape) == 3:
            array[0, 0, 0] = marker
        else:
            array[:] = np.arange(shape[0]) % 10
        write_idx(folder / name, magic, array)
    return folder


def add_file(tar: tarfile.TarFile, name: str, content: str | bytes) -> None:
    """Add a regular file holding `content` (str as UTF-8) to an open tar archive."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def make_archive(path: Path, files: dict[str, str | bytes], extra=()) -> Path:
    """A .tar.gz of `files`, then the hand-made TarInfo members in `extra` (unsafe ones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, content in files.items():
            add_file(tar, name, content)
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return path


def make_folder(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (str as UTF-8) under `root`; return root / 'aclImdb'."""
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root / "aclImdb"


def member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    """A hand-made tar member: a 1-byte regular file, or a link / device of size 0."""
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    info.size = 1 if kind == tarfile.REGTYPE else 0
    return info


def entries(folder: Path, files_only: bool = False) -> list[str]:
    """Everything under `folder` (only files if files_only), as sorted relative paths."""
    paths = (p for p in folder.rglob("*") if p.is_file() or not files_only)
    return sorted(str(p.relative_to(folder)) for p in paths)
