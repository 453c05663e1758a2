"""`course run` end to end: a seeded smoke lesson twice gives the same metrics (4 decimals),
report.json has the documented shape, failures are reported, not hidden."""

import json

import nbformat
import pytest

from course_lib.tools import runner


@pytest.fixture(scope="module")
def two_smoke_runs(tmp_path_factory):
    reports = []
    for i in range(2):
        out = tmp_path_factory.mktemp(f"build{i}")
        results = runner.run_lessons(["00_setup"], profile="smoke", out=out, echo=lambda *a: None)
        reports.append((out, results))
    return reports


def test_seeded_smoke_lesson_is_repeatable(two_smoke_runs):
    (_, first), (_, second) = two_smoke_runs
    a, b = first["00_setup"]["metrics"], second["00_setup"]["metrics"]
    assert set(a) == {"fashion_mnist_images", "digits_test_accuracy", "exercise_dense_params"}
    assert {k: round(v, 4) for k, v in a.items()} == {k: round(v, 4) for k, v in b.items()}


def test_report_json_shape_and_outputs(two_smoke_runs):
    out, results = two_smoke_runs[0]
    report = json.loads((out / "report.json").read_text())
    entry = report["00_setup"]
    assert entry["profile"] == "smoke" and entry["backend"] in {"tensorflow", "jax", "torch"}
    assert 0 < entry["seconds"] < 120
    assert entry["passed"] is True and "error" not in entry
    assert [c["name"] for c in entry["checks"]] == [
        "fashion_mnist_images",
        "digits_test_accuracy",
        "exercise_dense_params",
    ]
    assert all(set(c) == {"name", "value", "target", "passed"} for c in entry["checks"])
    assert results["00_setup"] == entry
    executed = nbformat.read(out / "executed" / "00_setup.ipynb", as_version=4)
    assert any(c.get("outputs") for c in executed.cells if c.cell_type == "code")
    page = (out / "site" / "00_setup.html").read_text()
    assert "セルフチェックの結果" in page and "exercise_dense_params" in page
    table = runner.format_results(results)
    assert "00_setup" in table and "3/3" in table and "ok" in table


def _notebook(tmp_path, name, sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def test_failing_lesson_is_reported(tmp_path):
    path = _notebook(tmp_path, "98_broken", ["x = 1", "raise ValueError('boom')", "y = 2"])
    entry = runner.run_lesson(path, "smoke", tmp_path / "build")
    assert entry["passed"] is False
    assert entry["error"].startswith("ValueError: boom")
    assert (tmp_path / "build" / "executed" / "98_broken.ipynb").is_file()


def test_lesson_without_self_check_does_not_pass(tmp_path):
    path = _notebook(tmp_path, "97_unchecked", ["print('no checks here')"])
    entry = runner.run_lesson(path, "smoke", tmp_path / "build")
    assert entry["passed"] is False and entry["checks"] == []


def test_lesson_names_resolve():
    assert [p.stem for p in runner.lesson_paths(["00"])] == ["00_setup"]
    assert [p.stem for p in runner.lesson_paths(["00_setup"])] == ["00_setup"]
    with pytest.raises(ValueError, match="no single lesson matches 'zz'"):
        runner.lesson_paths(["zz"])


def _writes_its_own_result(name: str, sleep: float) -> list[str]:
    """Cells of a Keras-free lesson that waits, then leaves the entry check_targets would."""
    entry = {
        "profile": "smoke",
        "backend": "none",
        "metrics": {"x": 1.0},
        "checks": [{"name": "x", "value": 1.0, "target": ">= 0", "passed": True}],
    }
    return [
        "import json, os, pathlib, time",
        f"time.sleep({sleep})",
        "folder = pathlib.Path(os.environ['COURSE_REPORT_DIR'])",
        "folder.mkdir(parents=True, exist_ok=True)",
        f"(folder / '{name}.json').write_text(json.dumps({entry!r}))",
    ]


def test_two_course_runs_into_one_folder_keep_every_lesson(tmp_path):
    # Two `course run` at once (two terminals, or an instructor's script) into one --out: each
    # lesson's entry is merged when it finishes, so neither run writes back a stale report.
    import subprocess
    import sys

    out = tmp_path / "build"
    runs = {"a": ["91_a_one", "92_a_two"], "b": ["93_b_one", "94_b_two"]}
    paths = {
        key: [_notebook(tmp_path, name, _writes_its_own_result(name, 1.5)) for name in names]
        for key, names in runs.items()
    }
    command = [
        sys.executable,
        "-c",
        "from course_lib.tools.cli import main; raise SystemExit(main())",
        "run",
    ]
    processes = [
        subprocess.Popen(
            [*command, "--profile", "smoke", "--out", str(out), *map(str, paths[key])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key in runs
    ]
    errors = [p.communicate(timeout=300)[1] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], errors
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert sorted(report) == ["91_a_one", "92_a_two", "93_b_one", "94_b_two"]
    assert all(entry["passed"] and entry["checks"][0]["value"] == 1.0 for entry in report.values())
