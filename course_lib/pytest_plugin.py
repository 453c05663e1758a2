"""pytest plugin (`-p course_lib.pytest_plugin`): seconds per lesson notebook under nbval."""

from collections import defaultdict

_seconds: dict[str, float] = defaultdict(float)
_failed: set[str] = set()


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration
        if report.failed:
            _failed.add(path)


def pytest_terminal_summary(terminalreporter):
    if not _seconds:
        return
    terminalreporter.section("seconds per lesson")
    for path, seconds in sorted(_seconds.items()):
        status = "FAILED" if path in _failed else "ok"
        terminalreporter.write_line(f"{path:<52} {seconds:7.1f} s  {status}")
    terminalreporter.write_line(f"{'total':<52} {sum(_seconds.values()):7.1f} s")
