"""nbgrader cell metadata for the lessons' exercises, derived from their markers.

An exercise is a markdown cell that states it ("**演習 N.**", read-only), then either
- code: the code cells after it that hold `### BEGIN SOLUTION` (nbgrader solution cells, the
  student's answer), and the first code cell after those (the autograded test cell, locked,
  with points; hidden tests inside it); or
- written ("**演習 N.** (記述) ..."): one markdown cell whose model answer sits between the
  markers (an nbgrader manually graded answer cell with points; students see YOUR ANSWER HERE),
  named by a line `<!-- answer: name -->` inside the region.
The lesson's self-check cell (`cl.check_targets()`) is read-only too. Grade ids are named after
the exercise's answer (the function it defines, the first variable it sets, the written
answer's name), not a counter, so they stay put when a lesson gains a section.
`course metadata` writes the metadata into the lessons; `course metadata --check` (and
tests/test_grading.py) fails where it disagrees.
"""

import re
from dataclasses import dataclass, field

from nbformat import NotebookNode

from course_lib.tools.release import BEGIN_HIDDEN_TESTS, BEGIN_SOLUTION, END_SOLUTION

SCHEMA_VERSION = 3
DEFAULT_POINTS = 1
SELF_CHECK_SOURCE = "cl.check_targets()"

_STATEMENT = re.compile(r"\*\*演習\s*(\d+)\s*\.?\*\*")
_WRITTEN_TAG = "(記述)"
_WRITTEN_NAME = re.compile(r"<!--\s*answer:\s*([A-Za-z_]\w*)\s*-->")
_DEFINED = re.compile(r"^\s*(?:def|class)\s+([A-Za-z_]\w*)|^\s*([A-Za-z_]\w*)\s*(?::[^=]+)?=[^=]")


@dataclass
class Exercise:
    """Cell indices of one exercise: its statement, answer cells and test cell."""

    number: int
    statement: int
    answers: list[int] = field(default_factory=list)
    test: int | None = None
    written: int | None = None
    name: str = ""
    written_tag: bool = False


def _marker_lines(cell: NotebookNode, marker: str) -> list[int]:
    lines = cell.source.split("\n")
    return [i for i, line in enumerate(lines) if line.strip() == marker]


def _answer_name(cell: NotebookNode) -> str | None:
    """The first name a solution region defines (def/class) or assigns."""
    lines = cell.source.split("\n")
    begins, ends = _marker_lines(cell, BEGIN_SOLUTION), _marker_lines(cell, END_SOLUTION)
    before = lines[: begins[0]] if begins else []
    inside = lines[begins[0] + 1 : ends[0]] if begins and ends else []
    # An answer inside a function body is named after that function (def above the marker).
    for line in [*before, *inside]:
        if m := _DEFINED.match(line):
            return m.group(1) or m.group(2)
    return None


def _written_name(cell: NotebookNode) -> str | None:
    """The name a written answer gives itself: `<!-- answer: name -->`."""
    m = _WRITTEN_NAME.search(cell.source)
    return m.group(1) if m else None


def find_exercises(nb: NotebookNode) -> list[Exercise]:
    """The lesson's exercises in order; raises ValueError if a solution has no statement."""
    exercises: list[Exercise] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and (m := _STATEMENT.search(cell.source)):
            tagged = _WRITTEN_TAG in cell.source[m.end() : m.end() + 20]
            exercises.append(Exercise(int(m.group(1)), index, written_tag=tagged))
            continue
        if cell.cell_type == "markdown" and _marker_lines(cell, BEGIN_SOLUTION):
            if not exercises:
                raise ValueError(
                    f"cell {index}: a written answer before any '**演習 N.**' statement"
                )
            current = exercises[-1]
            if current.answers or current.written is not None:
                raise ValueError(
                    f"cell {index}: a second answer for exercise {current.number}; give it its own "
                    "'**演習 N.**' statement"
                )
            current.written = index
            continue
        if cell.cell_type != "code" or not exercises:
            if cell.cell_type == "code" and _marker_lines(cell, BEGIN_SOLUTION):
                raise ValueError(f"cell {index}: a solution before any '**演習 N.**' statement")
            continue
        current = exercises[-1]
        if _marker_lines(cell, BEGIN_SOLUTION):
            if current.test is not None or current.written is not None:
                raise ValueError(
                    f"cell {index}: a second solution after exercise {current.number}'s test "
                    "cell or written answer; give it its own '**演習 N.**' statement"
                )
            current.answers.append(index)
        elif current.answers and current.test is None and cell.source.strip() != SELF_CHECK_SOURCE:
            current.test = index
    for exercise in exercises:
        if exercise.answers:
            exercise.name = _answer_name(nb.cells[exercise.answers[0]]) or (
                f"exercise_{exercise.number}"
            )
        elif exercise.written is not None:
            exercise.name = _written_name(nb.cells[exercise.written]) or ""
    return exercises


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def expected_metadata(nb: NotebookNode) -> dict[int, dict]:
    """{cell index: nbgrader metadata} for every cell that needs some; existing points kept."""
    wanted: dict[int, dict] = {}
    for exercise in find_exercises(nb):
        if exercise.written is not None and exercise.name:
            old = nb.cells[exercise.written].metadata.get("nbgrader", {})
            points = old.get("points") or DEFAULT_POINTS
            wanted[exercise.statement] = _meta(f"{exercise.name}_statement", locked=True)
            wanted[exercise.written] = _meta(
                exercise.name, solution=True, grade=True, points=points
            )
            continue
        if not exercise.answers:
            continue  # a statement without a solution cell: metadata_problems reports it
        name = exercise.name
        wanted[exercise.statement] = _meta(f"{name}_statement", locked=True)
        for k, index in enumerate(exercise.answers):
            wanted[index] = _meta(name if k == 0 else f"{name}_{k + 1}", solution=True)
        if exercise.test is not None:
            old = nb.cells[exercise.test].metadata.get("nbgrader", {})
            points = old.get("points") or DEFAULT_POINTS
            wanted[exercise.test] = _meta(f"{name}_test", grade=True, locked=True, points=points)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.strip() == SELF_CHECK_SOURCE:
            wanted[index] = _meta("self_check", locked=True)
    return wanted


def sync_metadata(nb: NotebookNode) -> bool:
    """Write the derived nbgrader metadata into nb (and drop stale entries); True if changed."""
    wanted = expected_metadata(nb)
    changed = False
    for index, cell in enumerate(nb.cells):
        if index in wanted:
            if cell.metadata.get("nbgrader") != wanted[index]:
                cell.metadata["nbgrader"] = wanted[index]
                changed = True
        elif "nbgrader" in cell.metadata:
            del cell.metadata["nbgrader"]
            changed = True
    return changed


def metadata_problems(nb: NotebookNode) -> list[str]:
    """Where the lesson's nbgrader metadata and its markers disagree (empty when they agree)."""
    try:
        exercises = find_exercises(nb)
    except ValueError as err:
        return [str(err)]
    problems = []
    for exercise in exercises:
        where = f"exercise {exercise.number} (cell {exercise.statement})"
        if exercise.written is not None:
            if not exercise.name:
                problems.append(
                    f"{where}: the written answer (cell {exercise.written}) needs a line "
                    "'<!-- answer: name -->' inside its solution region"
                )
            if not exercise.written_tag:
                problems.append(
                    f"{where}: a written answer, but the statement lacks '{_WRITTEN_TAG}'"
                )
        elif exercise.written_tag:
            problems.append(f"{where}: marked {_WRITTEN_TAG} but no markdown answer cell follows")
        elif not exercise.answers:
            problems.append(f"{where}: no code cell with {BEGIN_SOLUTION!r}")
        elif exercise.test is None:
            problems.append(f"{where}: no code cell after the solution to check it")
    wanted = expected_metadata(nb)
    for index, cell in enumerate(nb.cells):
        have = cell.metadata.get("nbgrader")
        if index in wanted and have != wanted[index]:
            problems.append(f"cell {index}: nbgrader metadata {have} != derived {wanted[index]}")
        elif index not in wanted and have is not None:
            problems.append(f"cell {index}: nbgrader metadata {have} but no exercise marker")
        if cell.cell_type == "code" and _marker_lines(cell, BEGIN_HIDDEN_TESTS):
            if not (have or {}).get("grade"):
                problems.append(f"cell {index}: hidden tests in a cell that is not graded")
    ids = [meta["grade_id"] for meta in wanted.values()]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate grade ids {duplicates}: give the answers distinct names")
    for index, meta in wanted.items():
        if meta.get("grade") and not (meta.get("points") or 0) > 0:
            problems.append(f"cell {index}: graded test cell without points > 0")
    return problems


def total_points(nb: NotebookNode, *, kind: str = "all") -> float:
    """Points of the lesson's graded cells: "all", "auto" (autograded test cells) or "manual"
    (written answers, graded by hand)."""
    if kind not in ("all", "auto", "manual"):
        raise ValueError(f"kind must be 'all', 'auto' or 'manual', not {kind!r}")
    total = 0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        manual = bool(meta.get("solution"))
        if kind == "all" or (kind == "manual") == manual:
            total += meta.get("points", 0)
    return total
