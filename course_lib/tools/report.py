"""build/report.json and docs/results.md.

`course run` merges one entry per lesson into report.json with `merge_report_entry`, under a file
lock (report.json.lock beside it), so several runs into one folder keep each other's lessons.
`course report --markdown` (`make results`) turns the report into docs/results.md with
`results_markdown`: the versions, machine and date of the run, then seconds, self-checks and
headline metrics per lesson. Nothing here imports Keras; `lesson_environment` does, when a lesson
kernel calls it.
"""

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from course_lib.files import atomic_write_text
from course_lib.paths import REPO_ROOT, build_dir, lesson_notebooks

try:  # POSIX; without it (Windows) runs into one folder must not overlap
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

REPORT_NAME = "report.json"
RESULTS_PATH = REPO_ROOT / "docs" / "results.md"


class ReportError(ValueError):
    """report.json is missing or unreadable; the message names the fix."""


# report.json: reading, locking, merging


def lock_path(report_path: Path) -> Path:
    """The lock file beside a report: report.json.lock."""
    report_path = Path(report_path)
    return report_path.with_name(report_path.name + ".lock")


@contextlib.contextmanager
def report_lock(report_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `report_path` (fcntl.flock on its .lock file) for the block."""
    path = lock_path(report_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def load_report(report_path: Path, missing_ok: bool = False) -> dict:
    """The parsed report {lesson: entry}; {} for a missing file if `missing_ok`, else ReportError.
    A file that is not a JSON object of entries is a ReportError too."""
    report_path = Path(report_path)
    if not report_path.is_file():
        if missing_ok:
            return {}
        raise ReportError(f"no {report_path}: run make run first")
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReportError(
            f"{report_path} is not valid JSON ({err}): delete it and run make run first"
        ) from err
    if not isinstance(report, dict) or not all(isinstance(e, dict) for e in report.values()):
        raise ReportError(
            f"{report_path} is not a report ({{lesson: entry}}): delete it and run make run first"
        )
    return report


def merge_report_entry(report_path: Path, name: str, entry: dict) -> dict:
    """Put `entry` under `name` in the report at `report_path`; returns the report written.

    Under the report's lock the file is read again and written back atomically, so concurrent
    `course run` processes never overwrite each other's lessons with a stale copy."""
    report_path = Path(report_path)
    with report_lock(report_path):
        report = load_report(report_path, missing_ok=True)
        report[name] = entry
        atomic_write_text(report_path, json.dumps(report, indent=2, ensure_ascii=False))
    return report


# The environment of a run: what results.md says about versions and machine


def lesson_environment() -> dict:
    """What a lesson ran on, for its report entry: `environment_report()` (versions, machine,
    devices) without the interpreter's path."""
    from course_lib.tools.env import environment_report

    environment = environment_report()
    environment.pop("executable", None)
    return environment


# docs/results.md

_FIELDS = ("profile", "backend", "keras", "python", "machine")
_LABELS = {
    "profile": "Profile",
    "backend": "Backend",
    "keras": "Keras",
    "python": "Python",
    "machine": "Machine",
}


def lesson_order(folder: Path | None = None) -> list[str]:
    """The lessons of lessons/ (or `folder`), in lesson order."""
    return [path.stem for path in lesson_notebooks(folder)]


def _machine_text(env: dict) -> str | None:
    """'Linux x86_64, 2 CPUs (model), no GPU' from an entry's environment; None if unknown."""
    if not env.get("platform"):
        return None
    text = env["platform"]
    if env.get("cpu_count"):
        text += f", {env['cpu_count']} CPUs"
    if env.get("cpu_model"):
        text += f" ({env['cpu_model']})"
    if "devices" in env:  # 'GPU:0 NVIDIA H100 80GB HBM3' -> 'NVIDIA H100 80GB HBM3'
        gpus = [d.partition(" ")[2] or d for d in env["devices"] if d.startswith("GPU")]
        text += f", GPU: {', '.join(gpus)}" if gpus else ", no GPU"
    return text


def run_facts(entry: dict) -> dict:
    """The facts of one entry that results.md shows: profile, backend (with its version),
    Keras and Python versions, machine; None where the entry does not say."""
    env = entry.get("environment") or {}
    backend = entry.get("backend") or env.get("backend")
    if backend and env.get("backend_version"):
        backend = f"{backend} {env['backend_version']}"
    return {
        "profile": entry.get("profile"),
        "backend": backend,
        "keras": env.get("keras"),
        "python": env.get("python"),
        "machine": _machine_text(env),
    }


def _cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _number(value) -> str:
    """A metric value as results.md shows it (4 significant digits), 'missing' for None."""
    if value is None:
        return "missing"
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)


def headline_text(lesson: str, entry: dict, config: Path | None = None) -> str:
    """The lesson's headline metrics as 'name value (target)', joined by '; ', the target being
    the one its run was checked against; a missed one says so. `config` is the lesson's config
    file (default: course_lib/config/<lesson>.toml); a lesson without one shows none."""
    from course_lib.tools.checks import headline_metrics, lesson_targets

    try:
        names = headline_metrics(lesson, config)
    except KeyError:
        return ""
    rows = {row.get("name"): row for row in entry.get("checks", [])}
    metrics = entry.get("metrics", {})
    parts = []
    for name in names:
        row = rows.get(name, {})
        value = row.get("value", metrics.get(name))
        target = row.get("target")
        if target is None and entry.get("profile"):
            with contextlib.suppress(KeyError, ValueError):
                target = lesson_targets(lesson, entry["profile"], config)[name].text
        text = f"{name} {_number(value)}"
        if target is not None:
            missed = ", missed" if row and not row.get("passed") else ""
            text += f" ({target}{missed})"
        parts.append(text)
    return "; ".join(parts)


def _finished_text(entries: list[dict]) -> str:
    """When the entries finished: one ISO time, or the first and the last."""
    stamps = sorted(e["finished"] for e in entries if e.get("finished"))
    if not stamps:
        return "unknown"
    if stamps[0] == stamps[-1]:
        return f"{stamps[0]} (UTC)"
    return f"{stamps[0]} to {stamps[-1]} (UTC)"


def results_markdown(
    report: dict,
    lessons: list[str] | None = None,
    config_dir: Path | None = None,
    source: str = "build/report.json",
) -> str:
    """docs/results.md from a report: title, a do-not-edit line, the run's profile, backend,
    versions, machine and date (facts that differ between lessons are shown per row instead),
    one row per lesson of `lessons` (default: lessons/, in order; 'not run' where the report
    has no entry) with seconds, checks passed / total and headline metrics, then the seconds
    summed. `config_dir` holds the lessons' config files (default: course_lib/config/)."""
    lessons = lesson_order() if lessons is None else list(lessons)
    entries = [report[name] for name in lessons if name in report]
    facts = {name: run_facts(report[name]) for name in lessons if name in report}
    header, per_row = [], []
    for field in _FIELDS:
        values = sorted({f[field] for f in facts.values() if f[field] is not None})
        if len(values) > 1:
            per_row.append(field)
            header.append(
                f"- {_LABELS[field]}: differs between lessons ({', '.join(values)}): see the table"
            )
        else:
            header.append(f"- {_LABELS[field]}: {values[0] if values else 'unknown'}")
    header.append(f"- Finished: {_finished_text(entries)}")

    origin = "build/report.json"
    if source != origin:
        origin += f" (this copy from {source})"
    lines = [
        "# Results",
        "",
        f"Generated by `make results` (`course report --markdown`) from {origin}; do not edit "
        "by hand: run `make run`, then `make results`.",
        "",
        *header,
        "",
    ]
    columns = ["lesson", "seconds", "checks", *(_LABELS[f].lower() for f in per_row), "headline"]
    lines.append("| " + " | ".join(columns) + " |")
    lines.append("|" + "|".join("---:" if c == "seconds" else "---" for c in columns) + "|")
    total, run = 0.0, 0
    for name in lessons:
        entry = report.get(name)
        if entry is None:
            cells = [f"`{name}`", "not run", "", *("" for _ in per_row), ""]
        else:
            seconds = entry.get("seconds")
            if isinstance(seconds, int | float):
                total += seconds
            run += 1
            checks = entry.get("checks", [])
            passed = sum(bool(c.get("passed")) for c in checks)
            status = f"{passed}/{len(checks)}"
            if entry.get("error"):
                status += f" (error: {entry['error'][:80]})"
            config = Path(config_dir) / f"{name}.toml" if config_dir else None
            cells = [
                f"`{name}`",
                f"{seconds:.1f}" if isinstance(seconds, int | float) else "unknown",
                status,
                *(facts[name][f] or "unknown" for f in per_row),
                headline_text(name, entry, config),
            ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += [
        "",
        f"Total: {total:.1f} s ({total / 60:.1f} min) for {run} of {len(lessons)} lessons.",
        "",
    ]
    return "\n".join(lines)


def write_results(
    build: Path | None = None, out: Path | str | None = None, echo=print
) -> Path | None:
    """Write results.md from `<build>/report.json` to `out` (default docs/results.md) atomically,
    or print it for `out == '-'`; returns the path written (None for stdout). ReportError if
    the report is missing or unreadable."""
    build = Path(build or build_dir())
    report_path = build / REPORT_NAME
    report = load_report(report_path)
    with contextlib.suppress(ValueError):
        report_path = report_path.resolve().relative_to(REPO_ROOT)
    text = results_markdown(report, source=str(report_path))
    if str(out) == "-":
        echo(text, end="")
        return None
    path = Path(out or RESULTS_PATH)
    atomic_write_text(path, text)
    return path
