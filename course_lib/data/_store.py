"""Plumbing shared by the dataset loaders: the error type, atomic writes, downloads, tar safety."""

import contextlib
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

DOWNLOAD_TIMEOUT_S = 60
_CHUNK = 1 << 20


class DataError(RuntimeError):
    """A dataset is missing, corrupt or unsafe; the message says what to do about it."""


def offline() -> bool:
    """True when $COURSE_OFFLINE asks for no downloads (classrooms, CI, air-gapped machines)."""
    return os.environ.get("COURSE_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _missing_parents(path: Path) -> list[Path]:
    """The ancestors of `path` that do not exist yet, deepest first."""
    missing = []
    for parent in path.parents:
        if parent.exists():
            break
        missing.append(parent)
    return missing


def _remove_if_empty(folders: Sequence[Path]) -> None:
    for folder in folders:  # deepest first, so a parent empties after its child goes
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def atomic_path(dest: Path, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; rename it onto `dest` if the block succeeds.

    On any failure the temporary file (or folder) is deleted, and so are folders this call
    created, so the cache never holds a partial or unverified file. The temporary name starts
    with '.' and ends in '.tmp', so no loader's file pattern ever matches it.
    """
    dest = Path(dest)
    created = _missing_parents(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        if directory:
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            os.close(fd)
            tmp = Path(name)
    except BaseException:
        _remove_if_empty(created)
        raise
    try:
        yield tmp
        if directory:
            _replace_dir(tmp, dest)
        else:
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; cached data should be readable like a copy
            os.replace(tmp, dest)
    except BaseException:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        _remove_if_empty(created)
        raise


def _replace_dir(tmp: Path, dest: Path) -> None:
    """Swap folder `tmp` in at `dest`; os.replace cannot overwrite a non-empty folder."""
    if not dest.exists():
        os.replace(tmp, dest)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", suffix=".tmp", dir=dest.parent))
    os.replace(dest, old / dest.name)
    os.replace(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)


def atomic_copy(src: Path, dest: Path, verify: Callable[[Path], object] | None = None) -> Path:
    """Copy file `src` to `dest` through a temporary file, verifying the copy before the rename."""
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
        if verify is not None:
            verify(tmp)
    return dest


def download(urls: Sequence[str], dest: Path, verify: Callable[[Path], object], what: str) -> Path:
    """Download the first of `urls` that works to `dest`, verified before it gets its name.

    Raises DataError when downloads are off ($COURSE_OFFLINE) or every URL failed.
    """
    if offline():
        raise DataError(f"downloads are off (COURSE_OFFLINE is set), so {what} was not fetched")
    failures = []
    for url in urls:
        print(f"Downloading {what} from {url}", file=sys.stderr)
        try:
            with atomic_path(dest) as tmp:
                with (
                    urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response,
                    open(tmp, "wb") as out,
                ):
                    shutil.copyfileobj(response, out, _CHUNK)
                verify(tmp)
            return dest
        except (OSError, ValueError, DataError) as err:  # URLError and timeouts are OSErrors
            failures.append(f"  {url}: {err}")
    raise DataError(f"could not download {what}:\n" + "\n".join(failures))


_DRIVE = re.compile(r"^[A-Za-z]:")


def check_member(member: tarfile.TarInfo, archive: Path, hint: str = "") -> None:
    """Raise DataError naming `member` unless it is a plain file or folder inside the archive.

    Refused: absolute paths, any '..' component, symlinks, hardlinks, devices and FIFOs. The
    caller rejects the whole archive on the first refusal and uses nothing from it.
    """
    name = member.name
    reason = None
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        reason = "has an absolute path"
    elif ".." in PurePosixPath(name).parts or ".." in PureWindowsPath(name).parts:
        reason = "has a '..' path component"
    elif member.issym():
        reason = f"is a symlink (to {member.linkname!r})"
    elif member.islnk():
        reason = f"is a hardlink (to {member.linkname!r})"
    elif member.isdev():
        reason = "is a device file or FIFO"
    elif not (member.isfile() or member.isdir()):
        reason = "is not a plain file or folder"
    if reason:
        raise DataError(
            f"unsafe archive {archive}: member {name!r} {reason}. "
            f"The whole archive was rejected and nothing was extracted from it.{hint}"
        )
