"""Self-checks: lessons record named metrics, the last cell compares them with targets.toml."""

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from course_lib.tools.files import atomic_write_text, load_toml
from course_lib.tools.paths import PACKAGE_DIR
from course_lib.tools.profiles import active_profile, check_profile, profile_value

TARGETS_FILE = PACKAGE_DIR / "targets.toml"

_metrics: dict[str, float] = {}
_state = {"lesson": None}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_BOUND = re.compile(rf"^\s*(>=|<=)\s*({_NUMBER})\s*$")
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*$")


@dataclass(frozen=True)
class Target:
    """A target: `>= lo`, `<= hi` or the closed range `lo .. hi`."""

    text: str
    low: float = -math.inf
    high: float = math.inf

    def met_by(self, value) -> bool:
        """True if `value` is a finite number inside the target (NaN, inf or None never pass)."""
        try:
            value = float(value)
        except (TypeError, ValueError):
            return False
        return math.isfinite(value) and self.low <= value <= self.high


def parse_target(text: str) -> Target:
    """Parse '>= 0.85', '<= 0.1' or '0.2 .. 0.4' into a Target; anything else is a ValueError."""
    if m := _BOUND.match(str(text)):
        op, number = m.group(1), float(m.group(2))
        return Target(text.strip(), low=number) if op == ">=" else Target(text.strip(), high=number)
    if m := _RANGE.match(str(text)):
        low, high = float(m.group(1)), float(m.group(2))
        if low > high:
            raise ValueError(f"target {text!r}: range start {low} is above its end {high}")
        return Target(text.strip(), low=low, high=high)
    raise ValueError(f"target {text!r} is not '>= x', '<= x' or 'lo .. hi'")


def lesson_targets(lesson: str, profile: str | None = None, path: Path = TARGETS_FILE) -> dict:
    """The lesson's {metric: Target} for the profile, from the course's one targets file."""
    profile = check_profile(profile) if profile else active_profile()
    table = load_toml(Path(path))
    if lesson not in table:
        raise KeyError(f"no targets for lesson {lesson!r} in {Path(path).name}")
    return {
        name: parse_target(profile_value(entry, profile, f"[{lesson}] {name}"))
        for name, entry in table[lesson].items()
    }


def start_lesson(lesson: str) -> None:
    """Forget earlier metrics and remember which lesson is recording."""
    _metrics.clear()
    _state["lesson"] = lesson


def record(name: str, value) -> None:
    """Record metric `name` (a number) for the lesson's self-check."""
    try:
        value = float(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"metric {name!r} must be a number, got {type(value).__name__}") from err
    _metrics[name] = value


def recorded_metrics() -> dict:
    """A copy of the metrics recorded so far."""
    return dict(_metrics)


def evaluate(metrics: dict, targets: dict) -> list[dict]:
    """One row per target: {name, value, target, passed}; a missing or NaN metric fails."""
    rows = []
    for name, target in targets.items():
        value = metrics.get(name)
        rows.append(
            {"name": name, "value": value, "target": target.text, "passed": target.met_by(value)}
        )
    return rows


def format_table(rows: list[dict]) -> str:
    """Rows of `evaluate` as a fixed-width table (metric, value, target, pass)."""
    lines = [f"{'metric':<32} {'value':>12}  {'target':<16} pass"]
    for row in rows:
        value = "missing" if row["value"] is None else f"{row['value']:.4g}"
        mark = "ok" if row["passed"] else "MISS"
        lines.append(f"{row['name']:<32} {value:>12}  {row['target']:<16} {mark}")
    return "\n".join(lines)


def _backend() -> str:
    return os.environ.get("KERAS_BACKEND") or _keras_backend()


def _keras_backend() -> str:
    import keras

    return keras.backend.backend()


def check_targets(lesson: str | None = None, profile: str | None = None) -> None:
    """Compare recorded metrics with the lesson's targets, print the table, raise on a miss.

    Writes `$COURSE_REPORT_DIR/<lesson>.json` when that variable is set (used by `course run`).
    """
    lesson = lesson or _state["lesson"]
    if lesson is None:
        raise RuntimeError("no lesson started: call course_lib.setup_lesson('NN_name') first")
    profile = check_profile(profile) if profile else active_profile()
    rows = evaluate(_metrics, lesson_targets(lesson, profile))
    print(f"self-check: lesson {lesson}, profile {profile}")
    print(format_table(rows))
    report_dir = os.environ.get("COURSE_REPORT_DIR")
    if report_dir:
        payload = {
            "profile": profile,
            "backend": _backend(),
            "metrics": recorded_metrics(),
            "checks": rows,
        }
        path = Path(report_dir) / f"{lesson}.json"
        atomic_write_text(path, json.dumps(payload, indent=2, allow_nan=True))
    missed = [row["name"] for row in rows if not row["passed"]]
    if missed:
        raise AssertionError(f"{lesson} ({profile}): targets missed: {', '.join(missed)}")
    print(f"all {len(rows)} checks passed")
