"""Self-checks: lessons record named metrics, the last cell compares them with the [targets]
table of the lesson's config file (course_lib/config/<lesson>.toml)."""

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

from course_lib.backends import backend_name
from course_lib.files import atomic_write_text
from course_lib.tools.profiles import active_profile, check_profile, config_table, profile_value

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


def _target_entry(entry):
    """A target entry without its `headline` mark: a string, or a {smoke, quick, full} table;
    a headline with one target for every profile is written { target = "...", headline = true }."""
    if isinstance(entry, dict) and "headline" in entry:
        entry = {key: value for key, value in entry.items() if key != "headline"}
        return entry["target"] if set(entry) == {"target"} else entry
    return entry


def lesson_targets(lesson: str, profile: str | None = None, path: Path | None = None) -> dict:
    """The lesson's {metric: Target} for the profile, from the [targets] table of its config file
    (or of the file `path`)."""
    profile = check_profile(profile) if profile else active_profile()
    return {
        name: parse_target(profile_value(_target_entry(entry), profile, f"[{lesson}] {name}"))
        for name, entry in config_table(lesson, "targets", path).items()
    }


def headline_metrics(lesson: str, path: Path | None = None) -> list[str]:
    """The metrics marked `headline = true` in the lesson's [targets] (docs/results.md)."""
    return [
        name
        for name, entry in config_table(lesson, "targets", path).items()
        if isinstance(entry, dict) and entry.get("headline") is True
    ]


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


def check_targets(
    lesson: str | None = None, profile: str | None = None, path: Path | None = None
) -> None:
    """Compare recorded metrics with the lesson's targets, print the table, raise on a miss.

    Writes `$COURSE_REPORT_DIR/<lesson>.json` when that variable is set (used by `course run`):
    profile, backend, metrics, the table's rows and the environment the lesson ran in (versions,
    machine; course_lib.tools.report.lesson_environment).
    """
    lesson = lesson or _state["lesson"]
    if lesson is None:
        raise RuntimeError("no lesson started: call course_lib.setup_lesson('NN_name') first")
    profile = check_profile(profile) if profile else active_profile()
    rows = evaluate(_metrics, lesson_targets(lesson, profile, path))
    print(f"self-check: lesson {lesson}, profile {profile}")
    print(format_table(rows))
    report_dir = os.environ.get("COURSE_REPORT_DIR")
    if report_dir:
        from course_lib.tools.report import lesson_environment

        payload = {
            "profile": profile,
            "backend": backend_name(),
            "metrics": recorded_metrics(),
            "checks": rows,
            "environment": lesson_environment(),
        }
        path = Path(report_dir) / f"{lesson}.json"
        atomic_write_text(path, json.dumps(payload, indent=2, allow_nan=True))
    missed = [row["name"] for row in rows if not row["passed"]]
    if missed:
        raise AssertionError(f"{lesson} ({profile}): targets missed: {', '.join(missed)}")
    print(f"all {len(rows)} checks passed")
