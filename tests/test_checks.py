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


TARGETS = """
[targets]
images = "70000 .. 70000"
accuracy = { smoke = ">= 0.80", quick = ">= 0.93", full = ">= 0.95", headline = true }
params = { target = "7850 .. 7850", headline = true }
"""


@pytest.fixture
def config(write_config):
    return write_config(TARGETS)


def test_targets_per_profile_and_headlines(config):
    quick = checks.lesson_targets("98_example", profile="quick", path=config)
    assert {name: t.text for name, t in quick.items()} == {
        "images": "70000 .. 70000",
        "accuracy": ">= 0.93",
        "params": "7850 .. 7850",
    }
    assert checks.lesson_targets("98_example", profile="full", path=config)["accuracy"].text == (
        ">= 0.95"
    )
    assert checks.headline_metrics("98_example", config) == ["accuracy", "params"]


def test_every_lesson_has_one_to_three_headlines():
    for lesson in profiles.lesson_names():
        names = checks.headline_metrics(lesson)
        assert 1 <= len(names) <= 3, lesson
        assert set(names) <= set(checks.lesson_targets(lesson, profile="quick")), lesson


def test_check_passes_prints_table_and_writes_report(monkeypatch, tmp_path, capsys, config):
    monkeypatch.setenv("COURSE_REPORT_DIR", str(tmp_path / "report"))
    checks.start_lesson("98_example")
    cl.record("images", 70000)
    cl.record("accuracy", 0.97)
    cl.record("params", 7850)
    cl.check_targets(profile="quick", path=config)
    out = capsys.readouterr().out
    assert "accuracy" in out and ">= 0.93" in out and "all 3 checks passed" in out
    report = json.loads((tmp_path / "report" / "98_example.json").read_text())
    assert report["profile"] == "quick" and report["backend"] == backend_name()
    assert report["metrics"] == {"images": 70000, "accuracy": 0.97, "params": 7850}
    assert [c["passed"] for c in report["checks"]] == [True, True, True]
    assert [c["name"] for c in report["checks"]] == ["images", "accuracy", "params"]
    environment = report["environment"]
    assert environment["backend"] == backend_name()
    assert environment["cpu_count"] >= 1 and "executable" not in environment


def test_check_names_every_missed_missing_or_nan_metric(monkeypatch, tmp_path, capsys, config):
    monkeypatch.setenv("COURSE_REPORT_DIR", str(tmp_path / "report"))
    checks.start_lesson("98_example")
    cl.record("images", 70000)
    cl.record("accuracy", float("nan"))
    with pytest.raises(AssertionError, match="accuracy, params"):
        cl.check_targets(profile="smoke", path=config)
    assert "missing" in capsys.readouterr().out
    report = json.loads((tmp_path / "report" / "98_example.json").read_text())
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
