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


WRITTEN = (
    "### BEGIN SOLUTION\n<!-- answer: why_double -->\n**解答例.** Two copies of x.\n"
    "### END SOLUTION"
)


def test_written_answer_is_a_manually_graded_cell():
    nb = _lesson(
        new_markdown_cell("**演習 3.** (記述) Why is `double(x)` twice x?"),
        new_markdown_cell(WRITTEN),
    )
    exercises = find_exercises(nb)
    assert [(e.number, e.statement, e.written, e.answers, e.test, e.name) for e in exercises][
        2
    ] == (3, 9, 10, [], None, "why_double")
    assert sync_metadata(nb) is True
    meta = nb.cells[10].metadata["nbgrader"]
    assert meta["solution"] and meta["grade"] and not meta["locked"]
    assert meta["grade_id"] == "why_double" and meta["points"] == DEFAULT_POINTS
    assert nb.cells[9].metadata["nbgrader"]["locked"]
    assert nb.cells[11].metadata["nbgrader"]["grade_id"] == "self_check"  # not a test cell
    assert metadata_problems(nb) == []
    assert total_points(nb, kind="auto") == 2 and total_points(nb, kind="manual") == 1
    assert total_points(nb) == 3
    nb.cells[10].metadata["nbgrader"]["points"] = 3  # the instructor's points are kept
    assert sync_metadata(nb) is False and total_points(nb, kind="manual") == 3
    with pytest.raises(ValueError, match="kind"):
        total_points(nb, kind="hand")


def test_written_answer_problems_are_named():
    unnamed = _lesson(
        new_markdown_cell("**演習 3.** (記述) Why?"),
        new_markdown_cell("### BEGIN SOLUTION\nBecause.\n### END SOLUTION"),
    )
    assert any("<!-- answer: name -->" in p for p in metadata_problems(unnamed))
    untagged = _lesson(new_markdown_cell("**演習 3.** Why?"), new_markdown_cell(WRITTEN))
    assert any("lacks '(記述)'" in p for p in metadata_problems(untagged))
    missing = _lesson(new_markdown_cell("**演習 3.** (記述) Why?"))
    assert any("no markdown answer cell" in p for p in metadata_problems(missing))
    twice = _lesson(
        new_markdown_cell("**演習 3.** (記述) Why?"),
        new_markdown_cell(WRITTEN),
        new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"),
    )
    assert "give it its own" in metadata_problems(twice)[0]
    orphan = new_notebook(cells=[new_markdown_cell(WRITTEN)])
    assert "before any" in metadata_problems(orphan)[0]


def test_written_answer_is_replaced_in_the_student_copy():
    from course_lib.tools.release import ANSWER_STUB, student_notebook

    nb = _lesson(new_markdown_cell("**演習 3.** (記述) Why?"), new_markdown_cell(WRITTEN))
    sync_metadata(nb)
    student = student_notebook(nb, "99_demo.ipynb")
    assert student.cells[10].source.strip() == ANSWER_STUB
    assert student.cells[10].metadata["nbgrader"]["grade"]
    assert "Two copies" not in "\n".join(c.source for c in student.cells)


def test_expected_metadata_keeps_hidden_tests_in_graded_cells():
    nb = _lesson()
    wanted = expected_metadata(nb)
    assert all(wanted[i]["grade"] for i, c in enumerate(nb.cells) if "HIDDEN TESTS" in c.source)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_metadata_agrees_with_its_markers(path):
    nb = nbformat.read(path, as_version=4)
    problems = metadata_problems(nb)
    assert problems == [], f"{path.stem}: run `course metadata {path.stem[:2]}`: {problems}"
    assert total_points(nb, kind="auto") >= 2
    # Each lesson has one written question, graded by hand.
    written = [e for e in find_exercises(nb) if e.written is not None]
    assert len(written) == 1, f"{path.stem}: {len(written)} written questions, want 1"
