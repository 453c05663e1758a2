"""Plumbing shared by the dataset loaders: the error type, downloads, tar safety.

Atomic writes come from course_lib.files (re-exported here for the loaders)."""

import os
import re
import shutil
import sys
import tarfile
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from course_lib.files import atomic_path

__all__ = ["DataError", "atomic_copy", "atomic_path", "check_member", "download", "offline"]

DOWNLOAD_TIMEOUT_S = 60
_CHUNK = 1 << 20


class DataError(RuntimeError):
    """A dataset is missing, corrupt or unsafe; the message says what to do about it."""


def offline() -> bool:
    """True when $COURSE_OFFLINE asks for no downloads (classrooms, CI, air-gapped machines)."""
    return os.environ.get("COURSE_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


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
