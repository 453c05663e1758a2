"""Writing files so that a reader never sees half of one, and reading the course's TOML tables.

One place for both: the dataset cache, the self-check reports, `course run`'s report and
`course release`'s notebooks all write through `atomic_path`.
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import tomllib


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


def atomic_write_text(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` through a temporary file beside it and a rename."""
    with atomic_path(Path(path)) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


@cache
def load_toml(path: Path) -> dict:
    """The parsed TOML file at `path` (a lesson config file), read once per process."""
    with open(path, "rb") as f:
        return tomllib.load(f)
