import json
import math

import pytest

import course_lib as cl
from course_lib.backends import backend_name
from course_lib.tools import checks, profiles


@pytest.mark.parametrize(
    "text, inside, outside",
    [
        (">= 0.85", [0.85, 0.9, 1e9], [0.8499, -1.0]),
        ("<= 0.1", [0.1, -5.0, 0.0], [0.1001, 3.0]),
        ("0.2 .. 0.4", [0.2, 0.3, 0.4], [0.19, 0.41]),
        (">= -1e-3", [0.0, -0.001], [-0.002]),
    ],
)
def test_targets(text, inside, outside):
    target = checks.parse_target(text)
    assert all(target.met_by(v) for v in inside)
    assert not any(target.met_by(v) for v in outside)


@pytest.mark.parametrize("value", [math.nan, math.inf, None, "abc"])
def test_nan_missing_or_non_numeric_fails(value):
    assert not checks.parse_target(">= 0").met_by(value)


@pytest.mark.parametrize("text", ["> 0.5", "== 1", "0.5", "1 .. 0", "about 3"])
def test_bad_target_text(text):
    with pytest.raises(ValueError):
        checks.parse_target(text)


def test_every_course_target_parses():
    lessons = profiles.lesson_names()
    assert "00_setup" in lessons
    for lesson in lessons:
        for profile in cl.PROFILES:
            assert checks.lesson_targets(lesson, profile=profile)


def test_check_passes_prints_table_and_writes_report(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_REPORT_DIR", str(tmp_path))
    checks.start_lesson("00_setup")
    cl.record("fashion_mnist_images", 70000)
    cl.record("digits_test_accuracy", 0.97)
    cl.record("exercise_dense_params", 7850)
    cl.check_targets(profile="quick")
    out = capsys.readouterr().out
    assert "digits_test_accuracy" in out and ">= 0.93" in out and "all 3 checks passed" in out
    report = json.loads((tmp_path / "00_setup.json").read_text())
    assert report["profile"] == "quick" and report["backend"] == backend_name()
    assert report["metrics"]["digits_test_accuracy"] == 0.97
    assert [c["passed"] for c in report["checks"]] == [True, True, True]
    assert {c["name"] for c in report["checks"]} == {
        "fashion_mnist_images",
        "digits_test_accuracy",
        "exercise_dense_params",
    }


def test_check_names_every_missed_missing_or_nan_metric(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_REPORT_DIR", str(tmp_path))
    checks.start_lesson("00_setup")
    cl.record("fashion_mnist_images", 70000)
    cl.record("digits_test_accuracy", float("nan"))
    with pytest.raises(AssertionError, match="digits_test_accuracy, exercise_dense_params"):
        cl.check_targets(profile="smoke")
    assert "missing" in capsys.readouterr().out
    report = json.loads((tmp_path / "00_setup.json").read_text())
    assert [c["passed"] for c in report["checks"]] == [True, False, False]


def test_start_lesson_forgets_old_metrics():
    checks.start_lesson("00_setup")
    cl.record("a", 1)
    checks.start_lesson("00_setup")
    assert checks.recorded_metrics() == {}


def test_record_rejects_non_numbers():
    with pytest.raises(TypeError, match="metric 'acc' must be a number"):
        cl.record("acc", "high")


def test_check_without_lesson(monkeypatch):
    monkeypatch.setitem(checks._state, "lesson", None)
    with pytest.raises(RuntimeError, match="setup_lesson"):
        cl.check_targets()
