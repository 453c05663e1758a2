"""report.json under concurrent `course run`s (merge under a file lock) and docs/results.md
generated from it (`course report --markdown`), on temporary reports and config files."""

import json
import multiprocessing
import re
from pathlib import Path

import pytest

from course_lib.tools import env, report

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 4
ROUNDS = 40


def _merge_many(report_path: str, worker: int, rounds: int, start) -> None:
    """One process of the concurrency test: merge `rounds` lessons of its own, one at a time."""
    start.wait(timeout=60)
    for i in range(rounds):
        report.merge_report_entry(
            Path(report_path), f"w{worker}_r{i:03d}", {"worker": worker, "round": i}
        )


def test_concurrent_merges_keep_every_entry(tmp_path):
    report_path = tmp_path / "report.json"
    report.merge_report_entry(report_path, "00_before", {"kept": True})
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [
        ctx.Process(target=_merge_many, args=(str(report_path), w, ROUNDS, start))
        for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    merged = json.loads(report_path.read_text(encoding="utf-8"))
    expected = {f"w{w}_r{i:03d}" for w in range(PROCESSES) for i in range(ROUNDS)}
    assert set(merged) == expected | {"00_before"}
    assert merged["00_before"] == {"kept": True}
    assert all(
        merged[f"w{w}_r{i:03d}"] == {"worker": w, "round": i} for w in (0, 3) for i in (0, 39)
    )
    assert report.lock_path(report_path) == tmp_path / "report.json.lock"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.json.lock"]


def test_merge_replaces_the_same_lesson_and_keeps_the_others(tmp_path):
    path = tmp_path / "build" / "report.json"
    report.merge_report_entry(path, "00_setup", {"seconds": 1.0})
    report.merge_report_entry(path, "03_vanishing_gradients", {"seconds": 2.0})
    written = report.merge_report_entry(path, "00_setup", {"seconds": 3.0})
    assert written == {"00_setup": {"seconds": 3.0}, "03_vanishing_gradients": {"seconds": 2.0}}
    assert json.loads(path.read_text(encoding="utf-8")) == written


def test_merge_refuses_a_corrupt_report_and_leaves_it_alone(tmp_path):
    path = tmp_path / "report.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(report.ReportError, match="not valid JSON.*run make run first"):
        report.merge_report_entry(path, "00_setup", {})
    assert path.read_text(encoding="utf-8") == "{not json"


@pytest.mark.parametrize(
    "text, message",
    [(None, r"no .*report.json: run make run first"), ("[1, 2]", "is not a report")],
)
def test_load_report_names_the_fix(tmp_path, text, message):
    path = tmp_path / "report.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(report.ReportError, match=message):
        report.load_report(path)
    if text is None:
        assert report.load_report(path, missing_ok=True) == {}


def test_cpu_model_reads_proc_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Example CPU @ 2.00GHz\nflags\t: fpu\n")
    assert env.cpu_model(cpuinfo) == "Example CPU @ 2.00GHz"


def test_machine_info_has_no_keras_and_says_the_cpu_count():
    import os
    import platform

    info = env.machine_info()
    assert info["python"] == platform.python_version()
    assert info["cpu_count"] == os.cpu_count()
    assert info["platform"] == f"{platform.system()} {platform.machine()}"


# results.md from a temporary report and temporary config files

LESSONS = ["00_alpha", "01_beta", "02_gamma"]
CONFIGS = {
    "00_alpha": """
[targets]
accuracy = { smoke = ">= 0.5", quick = ">= 0.9", full = ">= 0.95", headline = true }
exact = "1 .. 1"
ratio = { target = "<= 0.8", headline = true }
""",
    "01_beta": """
[targets]
loss = { smoke = "<= 1", quick = "<= 0.5", full = "<= 0.4", headline = true }
""",
    "02_gamma": """
[targets]
auc = { target = ">= 0.7", headline = true }
""",
}


def _environment(backend="tensorflow", version="2.20.0", gpus=()):
    return {
        "python": "3.11.7",
        "platform": "Linux x86_64",
        "keras": "3.11.3",
        "backend": backend,
        "backend_version": version,
        "cpu_count": 2,
        "cpu_model": "Example CPU",
        "devices": [f"GPU:{i} {name}" for i, name in enumerate(gpus)] + ["CPU:0"],
    }


def _entry(seconds, checks, backend="tensorflow", version="2.20.0", finished="", gpus=()):
    return {
        "profile": "quick",
        "backend": backend,
        "seconds": seconds,
        "metrics": {c[0]: c[1] for c in checks},
        "checks": [
            {"name": name, "value": value, "target": target, "passed": passed}
            for name, value, target, passed in checks
        ],
        "passed": all(c[3] for c in checks),
        "environment": _environment(backend, version, gpus),
        "finished": finished,
    }


@pytest.fixture
def config_dir(write_config):
    paths = [write_config(text, lesson) for lesson, text in CONFIGS.items()]
    return paths[0].parent


def _rows(text: str) -> dict[str, list[str]]:
    """The table rows of results.md: {lesson: cells after the lesson}."""
    rows = {}
    for line in text.splitlines():
        if m := re.match(r"^\| `(\d\d_[a-z0-9_]+)` \|(.*)\|$", line):
            rows[m.group(1)] = [cell.strip() for cell in m.group(2).split(" | ")]
    return rows


def test_results_rows_values_order_not_run_and_headlines(config_dir):
    runs = {
        "02_gamma": _entry(
            12.34, [("auc", 0.81234, ">= 0.7", True)], finished="2026-12-01T10:05:00+00:00"
        ),
        "00_alpha": _entry(
            3.0,
            [
                ("accuracy", 0.912345, ">= 0.9", True),
                ("exact", 1.0, "1 .. 1", True),
                ("ratio", 0.9, "<= 0.8", False),
            ],
            finished="2026-12-01T10:00:00+00:00",
        ),
    }
    text = report.results_markdown(runs, lessons=LESSONS, config_dir=config_dir)
    rows = _rows(text)
    assert list(rows) == LESSONS
    assert rows["00_alpha"] == [
        "3.0",
        "2/3",
        "accuracy 0.9123 (>= 0.9); ratio 0.9 (<= 0.8, missed)",
    ]
    assert rows["01_beta"][:2] == ["not run", ""]
    assert rows["02_gamma"] == ["12.3", "1/1", "auc 0.8123 (>= 0.7)"]
    assert "Total: 15.3 s (0.3 min) for 2 of 3 lessons." in text
    lines = text.splitlines()
    assert lines[0] == "# Results"
    assert "Generated by `make results`" in text and "from build/report.json" in text
    assert "do not edit by hand" in text
    assert "- Profile: quick" in lines
    assert "- Backend: tensorflow 2.20.0" in lines
    assert "- Keras: 3.11.3" in lines and "- Python: 3.11.7" in lines
    assert "- Machine: Linux x86_64, 2 CPUs (Example CPU), no GPU" in lines
    assert "- Finished: 2026-12-01T10:00:00+00:00 to 2026-12-01T10:05:00+00:00 (UTC)" in lines
    assert "| lesson | seconds | checks | headline |" in lines


def test_results_header_with_mixed_backends_shows_them_per_row(config_dir):
    runs = {
        "00_alpha": _entry(1.0, [("accuracy", 0.95, ">= 0.9", True)]),
        "01_beta": _entry(
            2.0, [("loss", 0.3, "<= 0.5", True)], backend="jax", version="0.7.0", gpus=["H100"]
        ),
    }
    text = report.results_markdown(runs, lessons=LESSONS, config_dir=config_dir)
    lines = text.splitlines()
    assert (
        "- Backend: differs between lessons (jax 0.7.0, tensorflow 2.20.0): see the table" in lines
    )
    assert any(line.startswith("- Machine: differs between lessons") for line in lines)
    assert "- Profile: quick" in lines and "- Keras: 3.11.3" in lines
    assert "| lesson | seconds | checks | backend | machine | headline |" in lines
    rows = _rows(text)
    assert rows["00_alpha"][2:4] == [
        "tensorflow 2.20.0",
        "Linux x86_64, 2 CPUs (Example CPU), no GPU",
    ]
    assert rows["01_beta"][2:4] == ["jax 0.7.0", "Linux x86_64, 2 CPUs (Example CPU), GPU: H100"]
    assert rows["01_beta"][4] == "loss 0.3 (<= 0.5)"
    assert rows["02_gamma"][0] == "not run"
    assert "- Finished: unknown" in lines


def test_results_of_a_failed_lesson_without_environment(config_dir):
    failed = {
        "profile": "smoke",
        "backend": None,
        "seconds": 4.0,
        "metrics": {},
        "checks": [],
        "passed": False,
        "error": "ValueError: boom | bang",
    }
    text = report.results_markdown({"00_alpha": failed}, lessons=LESSONS, config_dir=config_dir)
    rows = _rows(text)
    assert rows["00_alpha"][:2] == ["4.0", "0/0 (error: ValueError: boom \\| bang)"]
    # headlines fall back to the config's target for the profile it ran in
    assert rows["00_alpha"][2] == "accuracy missing (>= 0.5); ratio missing (<= 0.8)"
    assert "- Backend: unknown" in text.splitlines()


def test_write_results_writes_the_file_or_prints_it(tmp_path, monkeypatch, capsys, config_dir):
    build = tmp_path / "build"
    build.mkdir()
    runs = {"00_alpha": _entry(1.0, [("accuracy", 0.95, ">= 0.9", True)])}
    (build / "report.json").write_text(json.dumps(runs), encoding="utf-8")
    monkeypatch.setattr(report, "lesson_order", lambda folder=None: LESSONS)
    out = tmp_path / "docs" / "results.md"
    assert report.write_results(build, out) == out
    text = out.read_text(encoding="utf-8")
    assert f"this copy from {build / 'report.json'}" in text
    assert list(_rows(text)) == LESSONS
    assert report.write_results(build, "-") is None
    assert capsys.readouterr().out == text
    with pytest.raises(report.ReportError, match="run make run first"):
        report.write_results(tmp_path / "empty", out)


def test_committed_results_md_lists_exactly_the_lessons():
    # docs/results.md is generated (`make results`); a lesson added or renamed without
    # regenerating it fails here.
    results = ROOT / "docs" / "results.md"
    assert results.is_file(), "docs/results.md is missing: run make run, then make results"
    lessons = sorted(p.stem for p in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    assert lessons
    assert list(_rows(results.read_text(encoding="utf-8"))) == lessons


def test_the_row_parser_sees_a_row():
    assert _rows("| `04_autoencoder` | 1.0 | 2/2 | x 1 (>= 0) |\n") == {
        "04_autoencoder": ["1.0", "2/2", "x 1 (>= 0)"]
    }


def test_course_report_command(tmp_path, monkeypatch, capsys, config_dir):
    from course_lib.tools import cli

    build = tmp_path / "build"
    build.mkdir()
    runs = {"00_alpha": _entry(1.0, [("accuracy", 0.95, ">= 0.9", True)])}
    (build / "report.json").write_text(json.dumps(runs), encoding="utf-8")
    assert cli.main(["report", "--build", str(build)]) == 0
    assert "00_alpha" in capsys.readouterr().out
    out = tmp_path / "results.md"
    assert cli.main(["report", "--markdown", "--build", str(build), "--out", str(out)]) == 0
    assert out.is_file() and capsys.readouterr().out == f"wrote {out}\n"
    # misuse and a missing report: one line naming the fix, no traceback
    assert cli.main(["report", "--markdown", "--build", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "run make run first" in err
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", "--out", str(out)])
    assert stop.value.code == 2 and "--out needs --markdown" in capsys.readouterr().err
