"""What `course data status|fetch|import` do: report, download and import the datasets."""

import filecmp
import fnmatch
import functools
import os
import shutil
import time
from pathlib import Path

from course_lib.data import fashion_mnist as fm
from course_lib.data import imdb
from course_lib.data._store import DataError, atomic_copy, atomic_path, offline
from course_lib.paths import data_dir

FETCHABLE = ("fashion_mnist", "imdb")

GET = {
    "fashion_mnist": (
        "sudo apt-get install dataset-fashion-mnist  (or: course data fetch fashion_mnist)"
    ),
    "imdb": "course data import PATH/aclImdb_v1.tar.gz  (or: course data fetch imdb)",
    "digits": "pip install scikit-learn",
    "image_patches": "pip install scikit-image",
}


def _row(name, found=False, location=None, verified=False, detail=""):
    return {
        "name": name,
        "found": found,
        "location": str(location) if location else None,
        "verified": verified,
        "detail": detail,
        "get": GET[name],
    }


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__


def _fashion_status() -> dict:
    folder = fm.find_fashion_mnist()
    if folder is None:
        return _row(
            "fashion_mnist", detail="not in " + ", ".join(map(str, fm.fashion_mnist_dirs()))
        )
    try:
        (x_train, _), (x_test, _) = fm.load_fashion_mnist()
    except DataError as err:
        return _row("fashion_mnist", True, folder, detail=_first_line(err))
    return _row("fashion_mnist", True, folder, True, f"{len(x_train)} train + {len(x_test)} test")


def _imdb_status() -> dict:
    source = imdb.find_imdb()
    if source is None:
        return _row("imdb", detail=f"no aclImdb folder or {imdb.IMDB_ARCHIVE_GLOB} in {data_dir()}")
    try:
        (train, _), (test, _) = imdb.load_imdb_text()
    except DataError as err:
        return _row("imdb", True, source, detail=_first_line(err))
    return _row("imdb", True, source, True, f"{len(train)} train + {len(test)} test reviews")


def _digits_status() -> dict:
    try:
        import sklearn.datasets

        from course_lib.data.small import load_digits

        images, _ = load_digits()
    except Exception as err:  # not installed or broken install: report, don't crash doctor
        return _row("digits", detail=_first_line(err))
    location = Path(sklearn.datasets.__file__).parent / "data" / "digits.csv.gz"
    return _row("digits", True, location, True, f"{len(images)} images 8x8")


def _patches_status() -> dict:
    try:
        import skimage.data

        from course_lib.data.small import PATCH_IMAGES, gray_photos

        images = gray_photos()
    except Exception as err:  # a photo that needs a download (pooch) lands here too
        return _row("image_patches", detail=_first_line(err))
    location = Path(skimage.data.__file__).parent
    return _row(
        "image_patches", True, location, True, f"{len(images)} photos: {', '.join(PATCH_IMAGES)}"
    )


def data_status() -> list[dict]:
    """One dict per dataset: name, found, location, verified, detail, get (how to get it)."""
    return [_fashion_status(), _imdb_status(), _digits_status(), _patches_status()]


def format_data_status(rows: list[dict] | None = None) -> str:
    """data_status() as a table (dataset, status, detail), each row followed by where it is
    found or, for a missing or unverified dataset, the command that gets it."""
    rows = data_status() if rows is None else rows
    lines = [f"{'dataset':<15}{'status':<14}detail"]
    for r in rows:
        status = "verified" if r["verified"] else ("UNVERIFIED" if r["found"] else "MISSING")
        lines.append(f"{r['name']:<15}{status:<14}{r['detail']}".rstrip())
        if r["verified"]:
            lines.append(f"{'':<15}at {r['location']}")
        else:
            lines.append(f"{'':<15}get it: {r['get']}")
    return "\n".join(lines)


def fetch(name: str | None = None) -> list[Path]:
    """Download fashion_mnist and/or imdb (default both) into data_dir(); return where they are."""
    names = FETCHABLE if name is None else (name,)
    unknown = [n for n in names if n not in FETCHABLE]
    if unknown:
        raise DataError(f"cannot fetch {unknown[0]!r}: choose one of {', '.join(FETCHABLE)}")
    if offline():
        raise DataError(
            "downloads are off (COURSE_OFFLINE is set); unset it on a machine with network, "
            "or bring the files over and use `course data import PATH`"
        )
    paths = []
    for item in names:
        if item == "fashion_mnist":
            paths.append(fm.download_fashion_mnist())
        else:
            paths.append(_fetch_imdb())
    return paths


def _fetch_imdb() -> Path:
    source = imdb.find_imdb()
    if source is not None:
        try:
            imdb.load_imdb_text()
            return source  # already here and verified: no 84 MB download
        except DataError:
            pass  # damaged: fetch a good copy (it only replaces the old one once verified)
    return imdb.download_imdb()


def _check_tree(folder: Path) -> None:
    """Refuse symlinks and anything but plain files and folders anywhere under `folder`."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            if path.is_symlink():
                raise DataError(f"refusing {folder}: {path.relative_to(folder)} is a symlink")
            if not (path.is_dir() or path.is_file()):
                raise DataError(
                    f"refusing {folder}: {path.relative_to(folder)} is not a plain file"
                )


def _keep_texts(dest: Path, texts, seconds: float) -> None:
    # Verifying read every review; a slow read would happen again on the first load: keep it.
    if seconds > imdb.CACHE_AFTER_S:
        imdb.save_text_cache(imdb.fingerprint(dest), *texts)


def _import_imdb_archive(path: Path) -> Path:
    start = time.perf_counter()
    texts = imdb.read_imdb_source(path)  # the whole archive checked before anything is written
    seconds = time.perf_counter() - start
    dest = atomic_copy(path, data_dir() / path.name, lambda tmp: _same_bytes(path, tmp))
    _keep_texts(dest, texts, seconds)
    return dest


def _import_imdb_folder(folder: Path) -> Path:
    _check_tree(folder)  # before any copying, so a refused folder leaves nothing behind
    dest = data_dir() / "aclImdb"
    with atomic_path(dest, directory=True) as tmp:
        # train/unsup holds 50,000 unlabeled reviews the loaders never read: not worth copying.
        shutil.copytree(
            folder,
            tmp,
            symlinks=True,
            dirs_exist_ok=True,
            ignore=lambda d, names: ["unsup"] if Path(d) == folder / "train" else [],
        )
        start = time.perf_counter()
        texts = imdb.read_imdb_source(tmp, strict=True)
        seconds = time.perf_counter() - start
    _keep_texts(dest, texts, seconds)
    return dest


def _same_bytes(src: Path, copy: Path) -> None:
    # The archive was verified in place; byte equality makes that hold for the copy too.
    if not filecmp.cmp(src, copy, shallow=False):
        raise DataError(f"copying {src} gave a different file; nothing was imported")


def _verify_as(name: str):
    """A check of a temporary copy as the Fashion-MNIST file `name`."""
    return functools.partial(fm.read_fashion_mnist_file, name=name)


def _import_fashion_folder(folder: Path) -> list[Path]:
    missing = [n for n in fm.FASHION_MNIST_FILES if not (folder / n).is_file()]
    if missing:
        raise DataError(f"{folder} lacks {', '.join(missing)}; nothing was imported")
    for name in fm.FASHION_MNIST_FILES:  # all four verified before any is copied
        fm.read_fashion_mnist_file(folder / name)
    dest = data_dir() / "fashion-mnist"
    return [atomic_copy(folder / n, dest / n, _verify_as(n)) for n in fm.FASHION_MNIST_FILES]


def import_data(path: Path) -> list[Path]:
    """Verify a dataset file or folder and copy it into data_dir(); return the destination(s).

    Accepts a folder with the four Fashion-MNIST .gz files, one such .gz file, an
    aclImdb_v1*.tar.gz archive (copied as is) or an extracted aclImdb folder. Anything bad
    raises DataError and leaves data_dir() as it was.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(f"{path} does not exist")
    if path.is_dir():
        if any((path / n).exists() for n in fm.FASHION_MNIST_FILES):
            return _import_fashion_folder(path)
        if (path / "aclImdb").is_dir() and not (path / "train").exists():
            path = path / "aclImdb"  # the folder the archive was extracted into
        if (path / "train").is_dir() or (path / "test").is_dir():
            return [_import_imdb_folder(path)]
    elif path.name in fm.FASHION_MNIST_FILES:
        fm.read_fashion_mnist_file(path)
        dest = data_dir() / "fashion-mnist" / path.name
        return [atomic_copy(path, dest, _verify_as(path.name))]
    elif fnmatch.fnmatch(path.name, imdb.IMDB_ARCHIVE_GLOB):
        return [_import_imdb_archive(path)]
    raise DataError(
        f"don't know how to import {path}. Accepted: a folder with "
        f"{', '.join(fm.FASHION_MNIST_FILES)}; one of those files; an {imdb.IMDB_ARCHIVE_GLOB} "
        "archive; or an extracted aclImdb folder"
    )
