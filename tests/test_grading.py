"""nbgrader metadata derived from the exercise markers: exercises found, ids named after the
answer, points kept, and every lesson's metadata in agreement with its markers."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.paths import lessons_dir
from course_lib.tools.grading import (
    DEFAULT_POINTS,
    expected_metadata,
    find_exercises,
    metadata_problems,
    sync_metadata,
    total_points,
)

LESSONS = sorted(lessons_dir().glob("[0-9][0-9]_*.ipynb"))


def _lesson(*extra):
    return new_notebook(
        cells=[
            new_markdown_cell("# 99 demo"),
            new_code_cell('import course_lib as cl\n\nbudget = cl.setup_lesson("99_demo")'),
            new_markdown_cell("## 演習\n\n**演習 1.** Write `double(x)`."),
            new_code_cell(
                "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
            ),
            new_markdown_cell("チェック:"),
            new_code_cell(
                "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(0) == 0\n"
                "### END HIDDEN TESTS"
            ),
            new_markdown_cell("**演習 2.** Put 3 in `answer`."),
            new_code_cell("### BEGIN SOLUTION\nanswer = 3\n### END SOLUTION"),
            new_code_cell("assert answer == 3"),
            *extra,
            new_code_cell("cl.check_targets()"),
        ]
    )


def test_exercises_are_found_and_named_after_their_answers():
    exercises = find_exercises(_lesson())
    assert [(e.number, e.statement, e.answers, e.test, e.name) for e in exercises] == [
        (1, 2, [3], 5, "double"),
        (2, 6, [7], 8, "answer"),
    ]


def test_sync_writes_solution_test_and_read_only_cells():
    nb = _lesson()
    assert sync_metadata(nb) is True
    meta = {i: c.metadata.get("nbgrader") for i, c in enumerate(nb.cells)}
    assert meta[3]["solution"] and not meta[3]["locked"] and meta[3]["grade_id"] == "double"
    assert meta[5]["grade"] and meta[5]["locked"] and meta[5]["points"] == DEFAULT_POINTS
    assert meta[5]["grade_id"] == "double_test"
    assert meta[2]["locked"] and not meta[2]["grade"] and not meta[2]["solution"]
    assert meta[9]["grade_id"] == "self_check" and meta[9]["locked"]
    assert meta[0] is None and meta[4] is None
    assert metadata_problems(nb) == [] and total_points(nb) == 2
    assert sync_metadata(nb) is False  # idempotent


def test_points_chosen_by_the_instructor_are_kept():
    nb = _lesson()
    sync_metadata(nb)
    nb.cells[5].metadata["nbgrader"]["points"] = 5
    assert sync_metadata(nb) is False and total_points(nb) == 6


def test_problems_name_what_disagrees():
    nb = _lesson()
    assert any("metadata None" in p for p in metadata_problems(nb))  # nothing written yet
    sync_metadata(nb)
    # A new exercise without metadata.
    nb.cells.insert(9, new_markdown_cell("**演習 3.** Put 4 in `other`."))
    nb.cells.insert(10, new_code_cell("### BEGIN SOLUTION\nother = 4\n### END SOLUTION"))
    nb.cells.insert(11, new_code_cell("assert other == 4"))
    problems = metadata_problems(nb)
    assert any(p.startswith("cell 10:") for p in problems), problems
    sync_metadata(nb)
    assert metadata_problems(nb) == []
    # A duplicate id: two exercises whose answers set the same name.
    nb.cells[10].source = "### BEGIN SOLUTION\nanswer = 4\n### END SOLUTION"
    sync_metadata(nb)
    assert any("duplicate grade ids ['answer'" in p for p in metadata_problems(nb))
    # Points missing on a graded cell.
    nb = _lesson()
    sync_metadata(nb)
    nb.cells[5].metadata["nbgrader"]["points"] = 0
    assert any("points" in p for p in metadata_problems(nb))


def test_exercise_without_check_or_solution_is_reported():
    nb = _lesson(new_markdown_cell("**演習 3.** No solution cell follows."))
    assert any("exercise 3" in p and "BEGIN SOLUTION" in p for p in metadata_problems(nb))
    nb = _lesson()
    del nb.cells[8]  # exercise 2 loses its check cell; the self-check is not a check
    assert any("exercise 2" in p and "check" in p for p in metadata_problems(nb))
    orphan = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    assert "before any" in metadata_problems(orphan)[0]


def test_expected_metadata_keeps_hidden_tests_in_graded_cells():
    nb = _lesson()
    wanted = expected_metadata(nb)
    assert all(wanted[i]["grade"] for i, c in enumerate(nb.cells) if "HIDDEN TESTS" in c.source)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_metadata_agrees_with_its_markers(path):
    nb = nbformat.read(path, as_version=4)
    problems = metadata_problems(nb)
    assert problems == [], f"{path.stem}: run `course metadata {path.stem[:2]}`: {problems}"
    assert total_points(nb) >= 2
