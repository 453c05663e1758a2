"""`course run`: execute lessons headless; executed notebooks, report.json and the site."""

import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_lib.paths import build_dir, lesson_notebooks
from course_lib.tools.env import machine_info
from course_lib.tools.profiles import CELL_TIMEOUT, active_profile, check_profile
from course_lib.tools.report import REPORT_NAME, merge_report_entry, report_lock

INLINE_FIGURES = "module://matplotlib_inline.backend_inline"


class CurrentEnvKernelSpecs(KernelSpecManager):
    """Every kernel name maps to this interpreter, so lessons run in the course's own venv."""

    def get_kernel_spec(self, kernel_name):
        import ipykernel.kernelspec

        return KernelSpec(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


def lesson_paths(names=None, folder: Path | None = None) -> list[Path]:
    """Resolve lesson names ('00', '00_setup', 'lessons/00_setup.ipynb'); none means all."""
    available = lesson_notebooks(folder)
    if not names:
        return available
    chosen = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            chosen.append(path)
            continue
        matches = [p for p in available if p.stem == name or p.stem.split("_", 1)[0] == name]
        if len(matches) != 1:
            listing = ", ".join(p.stem for p in available)
            raise ValueError(f"no single lesson matches {name!r}; lessons: {listing}")
        chosen.append(matches[0])
    return chosen


def execute_notebook(nb, cwd: Path, env: dict | None = None, timeout: int = 900):
    """Run every cell of `nb` in a fresh kernel of this interpreter; returns the executed nb.
    Raises nbclient's CellExecutionError on the first failing cell (nb keeps the outputs)."""
    km = KernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnvKernelSpecs())
    client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute(env={**os.environ, **(env or {})}, cwd=str(cwd))
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return nb


def run_lesson(path: Path, profile: str, out: Path) -> dict:
    """Execute one lesson in `profile`; returns its report entry: seconds, metrics, checks, the
    environment its kernel reported (only the machine if it never reached its self-check) and
    when it finished (ISO date-time, UTC)."""
    metrics_dir = out / "metrics"
    metrics_file = metrics_dir / f"{path.stem}.json"
    metrics_file.unlink(missing_ok=True)
    nb = nbformat.read(path, as_version=4)
    env = {
        "COURSE_PROFILE": profile,
        "COURSE_REPORT_DIR": str(metrics_dir),
        "MPLBACKEND": INLINE_FIGURES,  # figures go into the executed notebook and the site
    }
    start = time.perf_counter()
    error = None
    try:
        execute_notebook(nb, cwd=path.parent, env=env, timeout=CELL_TIMEOUT[profile])
    except CellExecutionError as err:
        error = f"{err.ename}: {err.evalue}"
    seconds = round(time.perf_counter() - start, 1)
    (out / "executed").mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out / "executed" / path.name)
    entry = {"profile": profile, "backend": None, "seconds": seconds, "metrics": {}, "checks": []}
    if metrics_file.is_file():
        entry.update(json.loads(metrics_file.read_text(encoding="utf-8")))
    entry["seconds"] = seconds
    entry.setdefault("environment", machine_info())
    entry["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    entry["passed"] = (
        error is None and bool(entry["checks"]) and all(c["passed"] for c in entry["checks"])
    )
    if error:
        entry["error"] = error
    return entry


def run_lessons(
    names=None, profile: str | None = None, out: Path | None = None, echo=print
) -> dict:
    """Run lessons and merge each entry into `<build>/report.json` as soon as it finishes (under
    the report's lock, so runs in parallel into one folder keep every lesson); returns the new
    entries."""
    profile = check_profile(profile) if profile else active_profile()
    out = Path(out or build_dir())
    out.mkdir(parents=True, exist_ok=True)
    report_path = out / REPORT_NAME
    results = {}
    for path in lesson_paths(names):
        echo(f"running {path.stem} ({profile}) ...")
        results[path.stem] = entry = run_lesson(path, profile, out)
        merge_report_entry(report_path, path.stem, entry)
        if "error" in entry:
            echo(f"  failed: {entry['error'][:300]}")
    echo("")
    echo(format_results(results))
    echo("")
    from course_lib.tools.site import build_site

    with report_lock(report_path):  # one site build at a time, from a report nobody is writing
        index = build_site(out)
    echo(f"report: {report_path}")
    echo(f"site:   {index}")
    return results


def format_results(results: dict) -> str:
    """A table: lesson, seconds, checks passed / total, status."""
    lines = [f"{'lesson':<36} {'seconds':>8} {'checks':>8}  status"]
    for lesson, entry in results.items():
        checks = f"{sum(c['passed'] for c in entry['checks'])}/{len(entry['checks'])}"
        status = "ok" if entry["passed"] else "FAILED"
        lines.append(f"{lesson:<36} {entry['seconds']:>8.1f} {checks:>8}  {status}")
    total = sum(e["seconds"] for e in results.values())
    lines.append(f"{'total':<36} {total:>8.1f}")
    return "\n".join(lines)
