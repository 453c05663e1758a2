"""Where the course keeps its lessons, data cache and build outputs."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent  # course_lib/
REPO_ROOT = PACKAGE_DIR.parent


def lessons_dir() -> Path:
    """The folder of lesson notebooks (`lessons/` beside course_lib)."""
    return REPO_ROOT / "lessons"


def lesson_notebooks(folder: Path | None = None) -> list[Path]:
    """The lesson notebooks NN_name.ipynb of lessons/ (or `folder`), in lesson order."""
    return sorted(Path(folder or lessons_dir()).glob("[0-9][0-9]_*.ipynb"))


def build_dir() -> Path:
    """Executed notebooks, HTML pages and report.json go here (`$COURSE_BUILD_DIR` or `build/`)."""
    return Path(os.environ.get("COURSE_BUILD_DIR") or REPO_ROOT / "build")


def data_dir() -> Path:
    """The dataset cache: $COURSE_DATA_DIR, else the checkout's data/, else ~/.cache/course_lib."""
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    if (REPO_ROOT / "data").is_dir() and (REPO_ROOT / "pyproject.toml").is_file():
        return REPO_ROOT / "data"
    return Path.home() / ".cache" / "course_lib"
