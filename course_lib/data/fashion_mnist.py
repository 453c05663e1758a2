"""Fashion-MNIST: 70,000 uint8 images (28, 28) of clothing in 10 classes, from the IDX files."""

import functools
import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from course_lib.data._store import DataError, download, offline
from course_lib.paths import data_dir

FASHION_MNIST_CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
FASHION_MNIST_CLASS_NAMES_JA = (
    "Tシャツ/トップ",
    "ズボン",
    "プルオーバー",
    "ドレス",
    "コート",
    "サンダル",
    "シャツ",
    "スニーカー",
    "バッグ",
    "アンクルブーツ",
)

IDX_LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
IDX_IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions

# The four official file names, with the IDX magic number and array shape each must have.
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte.gz": (IDX_IMAGES_MAGIC, (60000, 28, 28)),
    "train-labels-idx1-ubyte.gz": (IDX_LABELS_MAGIC, (60000,)),
    "t10k-images-idx3-ubyte.gz": (IDX_IMAGES_MAGIC, (10000, 28, 28)),
    "t10k-labels-idx1-ubyte.gz": (IDX_LABELS_MAGIC, (10000,)),
}

# Module-level so tests (and unusual installs) can point them elsewhere.
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
DOWNLOAD_URLS = (
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)

_GET_IT = (
    "Get a good copy one of these ways:\n"
    "  sudo apt-get install dataset-fashion-mnist   (Debian/Ubuntu package, works offline)\n"
    "  course data fetch fashion_mnist              (downloads the official files; needs network)\n"
    "  course data import PATH                      (a folder holding the four .gz files)"
)


def keras_cache_dirs() -> list[Path]:
    """Where keras.datasets.fashion_mnist.load_data() keeps its downloads, in Keras 3's order."""
    # keras.src.backend.config: $KERAS_HOME, else ~/.keras (or /tmp/.keras if home is read-only);
    # keras.src.utils.file_utils.get_file then falls back to /tmp/.keras when that is read-only.
    home = os.environ.get("KERAS_HOME")
    if home:
        base = Path(home).expanduser()
    else:
        user_home = Path.home()
        base = (user_home if os.access(user_home, os.W_OK) else Path("/tmp")) / ".keras"
    dirs = [base / "datasets" / "fashion-mnist", Path("/tmp/.keras/datasets/fashion-mnist")]
    return list(dict.fromkeys(dirs))


def fashion_mnist_dirs() -> list[Path]:
    """The folders searched for the four .gz files, first match wins."""
    return [data_dir() / "fashion-mnist", *keras_cache_dirs(), DEBIAN_DIR]


def find_fashion_mnist() -> Path | None:
    """The first folder holding all four official .gz files, or None."""
    for folder in fashion_mnist_dirs():
        if all((folder / name).is_file() for name in FASHION_MNIST_FILES):
            return folder
    return None


def read_idx(path: Path, magic: int, shape: tuple[int, ...]) -> np.ndarray:
    """Read a gzip'd IDX file into a read-only uint8 array of `shape`, e.g. (60000, 28, 28)."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        raise DataError(f"{path} is truncated or corrupt ({err}).\n{_GET_IT}") from err
    except OSError as err:
        raise DataError(f"cannot read {path}: {err}") from err
    header = 4 + 4 * len(shape)
    if len(raw) < header:
        raise DataError(f"{path} is truncated or corrupt (only {len(raw)} bytes).\n{_GET_IT}")
    (found_magic,) = struct.unpack(">I", raw[:4])
    if found_magic != magic:
        raise DataError(
            f"{path}: wrong IDX magic number {found_magic}, expected {magic} "
            f"(a {len(shape)}-dimensional uint8 file); it is not the file its name says.\n{_GET_IT}"
        )
    dims = struct.unpack(f">{len(shape)}I", raw[4:header])
    if dims[0] != shape[0]:
        raise DataError(f"{path}: wrong item count {dims[0]}, expected {shape[0]}.\n{_GET_IT}")
    if dims[1:] != tuple(shape[1:]):
        raise DataError(
            f"{path}: wrong image size {'x'.join(map(str, dims[1:]))}, "
            f"expected {'x'.join(map(str, shape[1:]))}.\n{_GET_IT}"
        )
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise DataError(
            f"{path}: payload is {len(raw) - header} bytes, expected {expected}; "
            f"the file is truncated or corrupt.\n{_GET_IT}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def read_fashion_mnist_file(path: Path, name: str | None = None) -> np.ndarray:
    """Read and check one official file, e.g. (60000, 28, 28) images; labels must be 0..9.

    `name` (default: the file's own name) says which of the four it is meant to be, so a
    temporary download or copy can be checked before it is renamed.
    """
    path = Path(path)
    name = path.name if name is None else name
    if name not in FASHION_MNIST_FILES:
        raise DataError(
            f"{name!r} is not a Fashion-MNIST file name; expected one of "
            f"{', '.join(FASHION_MNIST_FILES)}"
        )
    magic, shape = FASHION_MNIST_FILES[name]
    array = read_idx(path, magic, shape)
    if magic == IDX_LABELS_MAGIC and array.size and array.max() > 9:
        raise DataError(f"{path}: label {int(array.max())} is outside 0..9.\n{_GET_IT}")
    return array


def _fingerprint(folder: Path) -> tuple:
    stats = [(folder / name).stat() for name in FASHION_MNIST_FILES]
    return tuple((s.st_size, s.st_mtime_ns) for s in stats)


@functools.lru_cache(maxsize=2)
def _load_folder(folder: str, fingerprint: tuple) -> tuple[np.ndarray, ...]:
    # Keyed by the files' size and mtime as well, so a replaced file is read again.
    return tuple(read_fashion_mnist_file(Path(folder) / name) for name in FASHION_MNIST_FILES)


def download_fashion_mnist(folder: Path | None = None) -> Path:
    """Download the official files missing from `folder` (default data_dir()/fashion-mnist)."""
    folder = Path(folder) if folder is not None else data_dir() / "fashion-mnist"
    for name in FASHION_MNIST_FILES:
        if not (folder / name).is_file():
            urls = [base + name for base in DOWNLOAD_URLS]
            verify = functools.partial(read_fashion_mnist_file, name=name)
            download(urls, folder / name, verify, f"Fashion-MNIST {name}")
    return folder


def not_found_message(reason: str = "") -> str:
    """The DataError text for a Fashion-MNIST that is nowhere: where we looked and how to get it."""
    looked = "\n".join(f"  {folder}" for folder in fashion_mnist_dirs())
    return (
        f"Fashion-MNIST not found. Looked for {', '.join(FASHION_MNIST_FILES)} in:\n{looked}\n"
        + (f"{reason}\n" if reason else "")
        + _GET_IT.replace("Get a good copy", "Get it")
    )


def load_fashion_mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((x_train (60000, 28, 28), y_train (60000,)), (x_test (10000, 28, 28), y_test (10000,))).

    All uint8: the contract of keras.datasets.fashion_mnist.load_data(). Looks in
    data_dir()/fashion-mnist, the Keras cache, Debian's /usr/share/datasets/fashion-mnist, then
    downloads (unless $COURSE_OFFLINE). Files are read once per process; each call returns
    fresh copies.
    """
    folder = find_fashion_mnist()
    if folder is None:
        if offline():
            raise DataError(not_found_message("Downloads are off (COURSE_OFFLINE is set)."))
        try:
            folder = download_fashion_mnist()
        except DataError as err:
            raise DataError(not_found_message(str(err))) from err
    x_train, y_train, x_test, y_test = _load_folder(str(folder), _fingerprint(folder))
    # Copies: a lesson that normalises x_train in place must not change the next lesson's data.
    return (x_train.copy(), y_train.copy()), (x_test.copy(), y_test.copy())
