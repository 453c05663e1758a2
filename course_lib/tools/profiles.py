"""Profiles (smoke | quick | full) and each lesson's config file, course_lib/config/<lesson>.toml:
its [lesson] table (topic, slides, references, prerequisites), its [budget] per profile and its
self-check [targets] (read by course_lib.tools.checks)."""

import os
from pathlib import Path
from types import SimpleNamespace

from course_lib.files import load_toml
from course_lib.paths import PACKAGE_DIR

PROFILES = ("smoke", "quick", "full")
DEFAULT_PROFILE = "quick"
CONFIG_DIR = PACKAGE_DIR / "config"
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


def config_path(lesson: str) -> Path:
    """The config file of a lesson: course_lib/config/<lesson>.toml."""
    return CONFIG_DIR / f"{lesson}.toml"


def lesson_names() -> list[str]:
    """Every lesson with a config file, in lesson order."""
    return sorted(p.stem for p in CONFIG_DIR.glob("[0-9][0-9]_*.toml"))


def lesson_config(lesson: str, path: Path | None = None) -> dict:
    """The parsed config of a lesson (course_lib/config/<lesson>.toml, or the file `path`)."""
    path = Path(path) if path else config_path(lesson)
    if not path.is_file():
        raise KeyError(
            f"no config for lesson {lesson!r}: add {path} with [lesson], [budget] and [targets]"
        )
    return load_toml(path)


def config_table(lesson: str, table: str, path: Path | None = None) -> dict:
    """One table ([lesson], [budget] or [targets]) of a lesson's config; KeyError if absent."""
    config = lesson_config(lesson, path)
    if table not in config:
        where = Path(path) if path else config_path(lesson)
        raise KeyError(f"no [{table}] table for lesson {lesson!r} in {where.name}")
    return config[table]


def budget(lesson: str, profile: str | None = None, path: Path | None = None) -> SimpleNamespace:
    """A lesson's budget (sample counts, epochs, ...) for the active profile, from the [budget]
    table of its config file (or of the file `path`)."""
    profile = check_profile(profile) if profile else active_profile()
    table = config_table(lesson, "budget", path)
    values = {
        key: profile_value(entry, profile, f"[{lesson}] budget {key}")
        for key, entry in table.items()
    }
    return SimpleNamespace(**values)


def fit_verbose(profile: str | None = None) -> int:
    """Keras `fit(verbose=...)` for the profile: silent in smoke, one line per epoch otherwise."""
    return 0 if (profile or active_profile()) == "smoke" else 2
