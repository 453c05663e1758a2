"""Profiles (smoke | quick | full) and the per-lesson budgets they set (budgets.toml)."""

import os
from pathlib import Path
from types import SimpleNamespace

from course_lib.tools.files import load_toml
from course_lib.tools.paths import PACKAGE_DIR

PROFILES = ("smoke", "quick", "full")
DEFAULT_PROFILE = "quick"
BUDGETS_FILE = PACKAGE_DIR / "budgets.toml"
# Seconds one notebook cell may run (nbclient in `course run`, nbval in `make test`): the longest
# full-profile cell on the 2-core CPU (lesson 12's CNN training) takes about 20 minutes.
CELL_TIMEOUT = {"smoke": 600, "quick": 900, "full": 3600}


def check_profile(name: str) -> str:
    """Return `name` if it is a known profile, else raise ValueError listing the valid ones."""
    if name not in PROFILES:
        raise ValueError(
            f"unknown COURSE_PROFILE {name!r}; valid profiles: {', '.join(PROFILES)} "
            f"(default {DEFAULT_PROFILE})"
        )
    return name


def active_profile() -> str:
    """The profile in force: `$COURSE_PROFILE`, default 'quick'."""
    return check_profile(os.environ.get("COURSE_PROFILE", "").strip() or DEFAULT_PROFILE)


def profile_value(entry, profile: str, where: str):
    """One profile's value from a `{smoke = .., quick = .., full = ..}` table; a scalar fits all."""
    if not isinstance(entry, dict):
        return entry
    missing = [p for p in PROFILES if p not in entry]
    unknown = [k for k in entry if k not in PROFILES]
    if missing or unknown:
        raise ValueError(
            f"{where}: needs exactly the keys {PROFILES}; missing {missing}, unknown {unknown}"
        )
    return entry[profile]


def budget(lesson: str, profile: str | None = None, path: Path = BUDGETS_FILE) -> SimpleNamespace:
    """A lesson's budget (sample counts, epochs, ...) for the active profile, from budgets.toml."""
    profile = check_profile(profile) if profile else active_profile()
    table = load_toml(Path(path))
    if lesson not in table:
        raise KeyError(f"no budget for lesson {lesson!r} in {path.name}; add a [{lesson}] table")
    values = {
        key: profile_value(entry, profile, f"{path.name} [{lesson}] {key}")
        for key, entry in table[lesson].items()
    }
    return SimpleNamespace(**values)


def fit_verbose(profile: str | None = None) -> int:
    """Keras `fit(verbose=...)` for the profile: silent in smoke, one line per epoch otherwise."""
    return 0 if (profile or active_profile()) == "smoke" else 2
