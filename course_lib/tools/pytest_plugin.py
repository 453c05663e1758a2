"""pytest plugin (`-p course_lib.tools.pytest_plugin`): seconds per lesson notebook under nbval.

Prints them at the end of the run, labelled with the Keras backend and the profile, and keeps
them in `<build>/test-seconds/<backend>-<profile>.json`; `python -m
course_lib.tools.pytest_plugin` prints those files as one table (lessons x backends), as CI does.
Under pytest-xdist the controller collects every worker's seconds and writes the file. It also
raises nbval's cell timeout to the profile's (`profiles.CELL_TIMEOUT`).
"""

import json
import os
import sys
from collections import defaultdict

from course_lib.files import atomic_write_text
from course_lib.paths import build_dir

_seconds: dict[str, float] = defaultdict(float)
_failed: set[str] = set()


def _profile() -> str:
    from course_lib.tools.profiles import active_profile

    return active_profile()


def pytest_configure(config):
    # nbval waits --nbval-cell-timeout seconds per cell (600 in pyproject's addopts); a full-profile
    # cell on a CPU may need longer, so the profile's CELL_TIMEOUT raises it (never lowers it).
    from course_lib.tools.profiles import CELL_TIMEOUT

    current = getattr(config.option, "nbval_cell_timeout", None)
    if current is not None:
        needed = CELL_TIMEOUT[_profile()]
        config.option.nbval_cell_timeout = max(float(current), needed)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration
        if report.failed:
            _failed.add(path)


def pytest_terminal_summary(terminalreporter, config):
    # Under pytest-xdist the controller receives every worker's reports; a worker's own
    # summary would hold only its share of the lessons, so it writes nothing.
    if not _seconds or hasattr(config, "workerinput"):
        return
    from course_lib.backends import backend_name

    backend, profile = backend_name(), _profile()
    terminalreporter.section(f"seconds per lesson ({backend}, {profile})")
    for path, seconds in sorted(_seconds.items()):
        status = "FAILED" if path in _failed else "ok"
        terminalreporter.write_line(f"{path:<52} {seconds:7.1f} s  {status}")
    terminalreporter.write_line(f"{'total':<52} {sum(_seconds.values()):7.1f} s")
    rows = {
        os.path.basename(path).removesuffix(".ipynb"): {
            "seconds": round(seconds, 2),
            "passed": path not in _failed,
        }
        for path, seconds in sorted(_seconds.items())
    }
    atomic_write_text(
        build_dir() / "test-seconds" / f"{backend}-{profile}.json", json.dumps(rows, indent=1)
    )


def seconds_table(folder=None) -> str:
    """The saved seconds per lesson as a table: one row per lesson, one column per run."""
    folder = folder or build_dir() / "test-seconds"
    runs = {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}
    if not runs:
        return f"no lesson timings in {folder}"
    lessons = sorted({name for rows in runs.values() for name in rows})
    lines = [f"{'lesson':<36}" + "".join(f"{run:>18}" for run in runs)]
    for lesson in lessons:
        cells = []
        for rows in runs.values():
            row = rows.get(lesson)
            cells.append(
                "-" if row is None else f"{row['seconds']:.1f}" + ("" if row["passed"] else " FAIL")
            )
        lines.append(f"{lesson:<36}" + "".join(f"{c:>18}" for c in cells))
    totals = [sum(r["seconds"] for r in rows.values()) for rows in runs.values()]
    lines.append(f"{'total':<36}" + "".join(f"{t:>18.1f}" for t in totals))
    return "\n".join(lines)


if __name__ == "__main__":
    print(seconds_table())
    sys.exit(0)
