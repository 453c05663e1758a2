"""Hygiene of the lesson notebooks: committed without outputs, wired to the course's budgets,
targets and exercise convention, and releasable as student versions."""

import re

import nbformat
import pytest

from course_lib.paths import lessons_dir
from course_lib.tools import checks, profiles
from course_lib.tools.release import student_notebook

LESSONS = sorted(lessons_dir().glob("*.ipynb"))


def test_lessons_exist_and_are_numbered_uniquely():
    assert LESSONS, "no lessons found"
    numbers = [p.name[:2] for p in LESSONS]
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name) for p in LESSONS), numbers
    assert len(set(numbers)) == len(numbers)


@pytest.fixture(params=LESSONS, ids=[p.stem for p in LESSONS])
def lesson(request):
    path = request.param
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return path.stem, nb


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_committed_without_outputs(lesson):
    name, nb = lesson
    dirty = [i for i, c in enumerate(nb.cells) if c.get("outputs") or c.get("execution_count")]
    assert dirty == [], f"{name}: cells {dirty} carry outputs; run `make format` (nbstripout)"


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def test_no_control_characters(lesson):
    # A LaTeX backslash lost in a Python string turns \approx into BEL + "pprox", \top into TAB.
    name, nb = lesson
    found = [
        (i, repr(m.group())) for i, c in enumerate(nb.cells) for m in CONTROL.finditer(c.source)
    ]
    tabs = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "\t" in c.source]
    assert found == [] and tabs == [], f"{name}: control characters in cells {found or tabs}"
    assert CONTROL.search("$h \x07pprox 0$") and not CONTROL.search("a\nb")


# A self-check target quoted in prose: "`quick` の目標は 0.86 以上", "(目標 $\\le 0.5$)",
# "その目標は 8 節のセルフチェックが確かめます", "`quick` で 0.01 以上".
TARGET_IN_PROSE = re.compile(
    r"の目標は|目標\s*\$?\s*(?:\\le|\\ge|\\leq|\\geq|<=|>=|≤|≥)"
    r"|`(?:smoke|quick|full)` で -?[\d.]+ ?(?:以上|以下)"
)


def test_prose_does_not_restate_targets(lesson):
    # Targets live in course_lib/config/ and show in the self-check table; a copy in the
    # markdown goes stale when the config is tuned.
    name, nb = lesson
    found = [
        (i, m.group())
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown"
        for m in TARGET_IN_PROSE.finditer(c.source)
    ]
    assert found == [], f"{name}: targets restated in markdown cells {found}"
    assert TARGET_IN_PROSE.search("`quick` の目標は 0.86 以上です")
    assert TARGET_IN_PROSE.search("(目標 $\\le 0.5$)")
    assert TARGET_IN_PROSE.search("その目標は 8 節のセルフチェックが確かめます")
    assert TARGET_IN_PROSE.search("その差は `quick` で 0.01 以上、`full` で 0.02 以上")
    assert not TARGET_IN_PROSE.search("目標 $\\rho = 0.05$ の近く")


def test_starts_with_setup_and_ends_with_self_check(lesson):
    name, nb = lesson
    code = _code(nb)
    assert f'cl.setup_lesson("{name}")' in code[0].source
    assert code[-1].source.strip() == "cl.check_targets()"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def test_has_budget_and_targets_for_every_profile(lesson):
    name, nb = lesson
    # Names given to cl.record; an f-string name such as f"{prefix}_gap" matches any prefix.
    names = re.findall(r'cl\.record\(\s*f?"([^"]+)"', "\n".join(c.source for c in _code(nb)))
    patterns = [re.compile(re.sub(r"\\\{[^}]*\\\}", "[a-z0-9_]+", re.escape(n))) for n in names]
    for profile in profiles.PROFILES:
        assert vars(profiles.budget(name, profile=profile))
        targets = checks.lesson_targets(name, profile=profile)
        missing = {t for t in targets if not any(p.fullmatch(t) for p in patterns)}
        assert not missing, f"{name}: targets never recorded: {missing}"
        assert len(targets) >= 2


def _marker_lines(nb, marker, cell_type=None):
    return sum(
        line.strip() == marker
        for c in nb.cells
        if cell_type in (None, c.cell_type)
        for line in c.source.splitlines()
    )


def test_has_exercises_that_release_cleanly(lesson):
    name, nb = lesson
    assert any("演習" in c.source for c in nb.cells if c.cell_type == "markdown")
    assert _marker_lines(nb, "### BEGIN SOLUTION", "code") >= 2
    student = student_notebook(nb, name)
    assert _marker_lines(student, "### BEGIN SOLUTION") == 0
    assert _marker_lines(student, "raise NotImplementedError()") == _marker_lines(
        nb, "### BEGIN SOLUTION", "code"
    )
    # A written answer becomes nbgrader's text stub.
    assert _marker_lines(student, "YOUR ANSWER HERE", "markdown") == _marker_lines(
        nb, "### BEGIN SOLUTION", "markdown"
    )


HEADING = re.compile(r"^##\s+(\d+)\.\s+(\S+)", re.MULTILINE)


def test_ends_with_summary_exercises_and_self_check(lesson):
    # The closing sections, in order: まとめ (what the lesson showed), 演習, セルフチェック; at
    # least one exercise is checked by hidden tests (an experiment whose outcome is re-measured).
    name, nb = lesson
    headings = [
        (int(m.group(1)), m.group(2))
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in HEADING.finditer(c.source)
    ]
    numbers = [number for number, _ in headings]
    assert numbers == list(range(1, len(numbers) + 1)), f"{name}: sections numbered {numbers}"
    last = [title for _, title in headings[-3:]]
    assert last == ["まとめ", "演習", "セルフチェック"], f"{name}: the last sections are {last}"
    assert _marker_lines(nb, "### BEGIN HIDDEN TESTS", "code") >= 1, f"{name}: no hidden tests"
    experiments = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and re.search(r"\*\*演習 \d+\.\*\* \(実験\)", c.source)
    ]
    assert experiments, (
        f"{name}: no exercise marked (実験) (an experiment a hidden test re-measures)"
    )
