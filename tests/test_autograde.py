"""Real nbgrader, end to end, for every lesson (`make autograde`, in CI): generate_assignment
in a temporary course directory, then autograde two submissions: the release with the
instructor's solutions filled back in (full points) and the unanswered release (zero points
for the exercises, while the lesson's own cells still run)."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course_lib.paths import lessons_dir
from course_lib.tools.grading import metadata_problems, total_points

pytestmark = pytest.mark.autograde

LESSONS = sorted(lessons_dir().glob("[0-9][0-9]_*.ipynb"))
BIN = Path(sys.executable).parent
CONFIG = """c = get_config()
c.CourseDirectory.course_id = "keras-course"
c.ExecutePreprocessor.timeout = 900
"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader_course")
    (root / "nbgrader_config.py").write_text(CONFIG)
    return root


def _nbgrader(root: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.setdefault("COURSE_PROFILE", "smoke")
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stderr[-3000:]}"


def _with_solutions(release, source):
    """The released notebook with each solution cell's source taken from the instructor copy."""
    answers = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }
    filled = nbformat.from_dict(release)
    for cell in filled.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers[grade_id]
    return filled


def _errors(nb) -> dict[str, list[str]]:
    """{grade_id or cell index: [error lines]} of the cells that raised."""
    found = {}
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                key = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index}")
                found.setdefault(key, []).append(f"{output['ename']}: {output['evalue']}")
    return found


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_nbgrader_releases_and_autogrades(path, course):
    from nbgrader.api import Gradebook

    lesson = path.stem
    source = nbformat.read(path, as_version=4)
    assert metadata_problems(source) == [], f"run `course metadata {lesson[:2]}` first"
    (course / "source" / lesson).mkdir(parents=True)
    shutil.copy(path, course / "source" / lesson / path.name)
    _nbgrader(course, "generate_assignment", lesson, "--force", "--create")
    release = nbformat.read(course / "release" / lesson / path.name, as_version=4)
    released_text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in released_text and "BEGIN HIDDEN TESTS" not in released_text

    submissions = {"solved": _with_solutions(release, source), "unanswered": release}
    for student, nb in submissions.items():
        folder = course / "submitted" / student / lesson
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / path.name)
    start = time.perf_counter()
    _nbgrader(course, "autograde", lesson, "--force")
    seconds = time.perf_counter() - start
    print(f"{lesson}: autograde of 2 submissions in {seconds:.1f} s")

    auto_points = total_points(source, kind="auto")
    written = {
        meta["grade_id"]: meta["points"]
        for meta in (c.metadata.get("nbgrader", {}) for c in source.cells)
        if meta.get("grade") and meta.get("solution")
    }
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        solved = gradebook.find_submission(lesson, "solved")
        unanswered = gradebook.find_submission(lesson, "unanswered")
        assert solved.max_score == total_points(source) == auto_points + sum(written.values())
        assert auto_points >= 2 and written, "each lesson: autograded exercises and a written one"
        # The autograded points are all earned; the written answers wait for the instructor.
        assert solved.score == auto_points, _errors(
            nbformat.read(course / "autograded/solved" / lesson / path.name, as_version=4)
        )
        assert solved.needs_manual_grade
        for grade_id, points in written.items():
            cell = gradebook.find_grade_cell(grade_id, lesson, lesson)
            assert cell.max_score == points and cell.cell_type == "markdown"
            grade = gradebook.find_grade(grade_id, lesson, lesson, "solved")
            assert grade.needs_manual_grade and grade.max_score == points
            # An untouched answer scores 0 without the instructor reading it.
            blank = gradebook.find_grade(grade_id, lesson, lesson, "unanswered")
            assert blank.score == 0 and not blank.needs_manual_grade
        assert unanswered.score == 0

    solved_errors = _errors(
        nbformat.read(course / "autograded/solved" / lesson / path.name, as_version=4)
    )
    assert solved_errors == {}, solved_errors
    graded = nbformat.read(course / "autograded/unanswered" / lesson / path.name, as_version=4)
    exercise_ids = {
        meta["grade_id"]
        for meta in (c.metadata.get("nbgrader", {}) for c in source.cells)
        if meta.get("solution") or meta.get("grade")
    }
    errors = _errors(graded)
    # An unanswered exercise fails only its own cells; the lesson's cells run on, and the
    # self-check misses nothing but the exercises' metrics.
    outside = {k: v for k, v in errors.items() if k not in exercise_ids and k != "self_check"}
    assert outside == {}, outside
    for line in errors.get("self_check", []):
        missed = line.split("targets missed:", 1)[1].split(",")
        assert all(name.strip().startswith("exercise_") for name in missed), line
