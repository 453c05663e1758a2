"""Tests of course_lib.tools.release: student notebooks keep no solution, hidden test or marker."""

from pathlib import Path

import nbclient
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.tools.release import ReleaseError, release_course, student_notebook

FIXTURE = Path(__file__).parent / "fixtures" / "exercise_demo.ipynb"
NAME = FIXTURE.name

# Cell indices in the fixture.
EXERCISE, VISIBLE_CHECK, HIDDEN, ANSWER = 2, 3, 4, 5

SOLUTION_LINES = [
    "weights = n_inputs * n_units",
    "biases = n_units",
    "return weights + biases",
    "各ユニットは重み付き和に加えるバイアスを 1 つずつ持つため",
]
HIDDEN_LINES = [
    "assert dense_param_count(784, 10) == 7850",
    "assert dense_param_count(0, 5) == 5",
]
MARKERS = [
    "### BEGIN SOLUTION",
    "### END SOLUTION",
    "### BEGIN HIDDEN TESTS",
    "### END HIDDEN TESTS",
]


def _source(cell):
    """Cell source as one string, whichever form it is stored in."""
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _all_text(nb):
    """Every cell's source joined, for substring checks."""
    return "\n".join(_source(cell) for cell in nb.cells)


def _execute(nb, cwd):
    """Run a copy of nb in a fresh kernel, errors recorded in the outputs rather than raised."""
    nb = nbformat.from_dict(nb)
    client = nbclient.NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def _errors(cell):
    """The ename of every error output of a code cell."""
    return [out.ename for out in cell.get("outputs", []) if out.output_type == "error"]


def _nb(*sources):
    """An in-memory notebook of code cells (markdown where a source starts with 'md:')."""
    cells = [
        new_markdown_cell(src[3:]) if src.startswith("md:") else new_code_cell(src)
        for src in sources
    ]
    return new_notebook(cells=cells)


@pytest.fixture(scope="module")
def instructor():
    return nbformat.read(FIXTURE, as_version=4)


@pytest.fixture(scope="module")
def student(instructor):
    return student_notebook(instructor, NAME)


@pytest.fixture(scope="module")
def executed_instructor(instructor, tmp_path_factory):
    return _execute(instructor, tmp_path_factory.mktemp("instructor"))


@pytest.fixture(scope="module")
def executed_student(student, tmp_path_factory):
    return _execute(student, tmp_path_factory.mktemp("student"))


def test_fixture_is_valid_and_clean(instructor):
    nbformat.validate(instructor)
    for cell in instructor.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None
    assert "keras" not in _all_text(instructor)


def test_student_has_no_solution_hidden_test_or_marker(student):
    text = _all_text(student)
    for line in SOLUTION_LINES + HIDDEN_LINES + MARKERS:
        assert line not in text
    assert "BEGIN" not in text and "END SOLUTION" not in text


def test_exercise_is_stubbed_at_the_marker_indentation(student):
    assert _source(student.cells[EXERCISE]) == (
        "def dense_param_count(n_inputs, n_units):\n"
        '    """Number of trainable parameters of a Dense layer: weights plus biases."""\n'
        "    # YOUR CODE HERE\n"
        "    raise NotImplementedError()\n"
        "\n"
        "\n"
        "print(dense_param_count(4, 3))"
    )
    compile(_source(student.cells[EXERCISE]), "exercise", "exec")


def test_hidden_tests_removed_and_visible_line_kept(student):
    assert _source(student.cells[HIDDEN]) == (
        "# 採点時には隠しテスト (hidden tests) も実行されます。\n"
        "assert dense_param_count(1, 1) == 2"
    )
    assert _source(student.cells[VISIBLE_CHECK]) == "assert dense_param_count(3, 2) == 8"


def test_markdown_answer_replaced(student):
    assert _source(student.cells[ANSWER]) == (
        "## 演習 2\n\nバイアスの数がユニット数と等しいのはなぜでしょうか。\n\nYOUR ANSWER HERE"
    )


def test_other_cells_and_metadata_kept(instructor, student):
    assert len(student.cells) == len(instructor.cells)
    assert student.metadata == instructor.metadata
    for index in (0, 1, VISIBLE_CHECK, 6):
        assert _source(student.cells[index]) == _source(instructor.cells[index])
        assert student.cells[index].cell_type == instructor.cells[index].cell_type


def test_outputs_cleared():
    nb = _nb("x = 1\n### BEGIN SOLUTION\ny = x + 41\n### END SOLUTION", "print(2)")
    for cell in nb.cells:
        cell.execution_count = 7
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    out = student_notebook(nb, "outputs.ipynb")
    for cell in out.cells:
        assert cell.outputs == []
        assert cell.execution_count is None
    assert nb.cells[0].execution_count == 7
    assert len(nb.cells[1].outputs) == 1


def test_input_not_mutated(instructor):
    before = nbformat.writes(instructor)
    student_notebook(instructor, NAME)
    assert nbformat.writes(instructor) == before


def test_list_sources_are_normalised():
    nb = _nb("")
    nb.cells[0].source = ["a = 1\n", "### BEGIN SOLUTION\n", "b = a + 1\n", "### END SOLUTION\n"]
    out = student_notebook(nb, "list.ipynb")
    assert out.cells[0].source == "a = 1\n# YOUR CODE HERE\nraise NotImplementedError()"


def test_instructor_runs_without_errors(executed_instructor):
    for index, cell in enumerate(executed_instructor.cells):
        if cell.cell_type == "code":
            assert _errors(cell) == [], f"cell {index}"
    last = executed_instructor.cells[-1].outputs
    assert any(out.get("text") == "all checks passed\n" for out in last)


def test_student_checks_fail(executed_student):
    assert _errors(executed_student.cells[EXERCISE]) == ["NotImplementedError"]
    [ename] = _errors(executed_student.cells[VISIBLE_CHECK])
    assert ename in {"NameError", "AssertionError", "NotImplementedError"}


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("a = 1\n### BEGIN SOLUTION\nb = 2", 2, "without a matching '### END SOLUTION'"),
        ("a = 1\n### END SOLUTION", 2, "without a matching '### BEGIN SOLUTION'"),
        ("### BEGIN HIDDEN TESTS\nassert f(1) == 2", 1, "without a matching"),
        ("### END HIDDEN TESTS", 1, "without a matching '### BEGIN HIDDEN TESTS'"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n### END SOLUTION",
            2,
            "nested",
        ),
        (
            "### BEGIN SOLUTION\nx = 1\n### BEGIN HIDDEN TESTS\n### END SOLUTION\n"
            "### END HIDDEN TESTS",
            3,
            "interleaved",
        ),
        ("### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS", 3, "interleaved"),
        ("## BEGIN SOLUTION\nx = 1\n### END SOLUTION", 1, "malformed marker"),
    ],
)
def test_unbalanced_markers_raise(source, line, fragment):
    nb = _nb("print('intro')", source)
    with pytest.raises(ReleaseError) as info:
        student_notebook(nb, "broken.ipynb")
    message = str(info.value)
    assert message.startswith("broken.ipynb: cell 1, ")
    assert f"line {line}:" in message
    assert fragment in message


def test_unbalanced_marker_in_markdown_raises():
    nb = _nb("md:# Title", "md:Answer:\n### BEGIN SOLUTION\nBecause.")
    with pytest.raises(ReleaseError, match=r"^md\.ipynb: cell 1, line 2: "):
        student_notebook(nb, "md.ipynb")


def test_leaked_solution_line_raises():
    nb = _nb(
        "def f(x):\n    ### BEGIN SOLUTION\n    return x * 2 + 1\n    ### END SOLUTION",
        "md:Hint: the answer is\n\n    return x * 2 + 1",
    )
    with pytest.raises(ReleaseError) as info:
        student_notebook(nb, "leak.ipynb")
    message = str(info.value)
    assert message.startswith("leak.ipynb: cell 1, line 3: solution line from cell 0")
    assert "'return x * 2 + 1'" in message


def test_leaked_hidden_test_line_raises():
    nb = _nb(
        "assert f(1) == 3\n### BEGIN HIDDEN TESTS\nassert f(10) == 21\n### END HIDDEN TESTS",
        "assert f(10) == 21",
    )
    with pytest.raises(ReleaseError, match=r"cell 1, line 1: hidden-test line .*f\(10\) == 21"):
        student_notebook(nb, "leak.ipynb")


def test_generic_lines_are_not_leaks():
    nb = _nb(
        "def f(x):\n"
        "    ### BEGIN SOLUTION\n"
        "    # double it\n"
        "    if x:\n"
        "        y = [\n"
        "            x,\n"
        "        ]\n"
        "    else:\n"
        "        return None\n"
        "    ### END SOLUTION",
        "# double it\nz = [\n    1,\n]\nif z:\n    pass\nelse:\n    return None",
    )
    out = student_notebook(nb, "generic.ipynb")
    assert "y = [" not in _all_text(out)


def _write(path, nb):
    nbformat.write(nb, path)
    return path


def test_release_course_writes_nothing_when_one_notebook_is_bad(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    good = _write(src / "a_good.ipynb", nbformat.read(FIXTURE, as_version=4))
    bad = _write(src / "b_bad.ipynb", _nb("### BEGIN SOLUTION\nx = 1"))
    out = tmp_path / "out"
    with pytest.raises(ReleaseError, match=r"^b_bad\.ipynb: cell 0, line 1: "):
        release_course(out, [good, bad])
    assert not out.exists()

    out.mkdir()
    with pytest.raises(ReleaseError):
        release_course(out, [good, bad])
    assert list(out.iterdir()) == []


def test_release_course_writes_valid_student_notebooks(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    first = _write(src / "01_demo.ipynb", nbformat.read(FIXTURE, as_version=4))
    small = _nb("a = 1\n### BEGIN SOLUTION\nb = a + 1\n### END SOLUTION")
    second = _write(src / "02_small.ipynb", small)
    out = tmp_path / "release"

    written = release_course(out, [str(first), second])

    assert written == [out / "01_demo.ipynb", out / "02_small.ipynb"]
    assert sorted(p.name for p in out.iterdir()) == ["01_demo.ipynb", "02_small.ipynb"]
    for path in written:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert "### BEGIN" not in _all_text(nb)
    demo = nbformat.read(out / "01_demo.ipynb", as_version=4)
    assert "raise NotImplementedError()" in _source(demo.cells[EXERCISE])
    assert "weights = n_inputs * n_units" not in _all_text(demo)
    # The instructor copies are untouched.
    assert "weights = n_inputs * n_units" in _all_text(nbformat.read(first, as_version=4))


def test_release_course_refuses_to_overwrite_sources(tmp_path):
    src = _write(tmp_path / "demo.ipynb", nbformat.read(FIXTURE, as_version=4))
    before = src.read_bytes()
    with pytest.raises(ReleaseError, match="overwrite"):
        release_course(tmp_path, [src])
    assert src.read_bytes() == before


def test_release_course_refuses_duplicate_names(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    a = _write(tmp_path / "a" / "x.ipynb", _nb("print(1)"))
    b = _write(tmp_path / "b" / "x.ipynb", _nb("print(2)"))
    with pytest.raises(ReleaseError, match="x.ipynb"):
        release_course(tmp_path / "out", [a, b])
    assert not (tmp_path / "out").exists()


def test_one_argument_of_a_split_call_is_not_a_leak():
    nb = _nb(
        "### BEGIN SOLUTION\nfit(\n    y_fit,\n    epochs=3,\n)\n### END SOLUTION",
        "fit(\n    y_fit,\n)",
    )
    out = student_notebook(nb, "split.ipynb")
    assert "epochs=3," not in _all_text(out)


def test_marker_text_inside_a_prose_line_is_refused():
    # nbgrader treats any line containing the words as a marker and would swallow the cell.
    nb = _nb("x = 1")
    nb.cells.append(nbformat.v4.new_markdown_cell("Solutions sit after `### BEGIN SOLUTION`."))
    with pytest.raises(ReleaseError, match="marker text inside a longer line"):
        student_notebook(nb, "prose.ipynb")


def test_release_course_refuses_an_out_path_that_is_a_file(tmp_path):
    source = tmp_path / "lesson.ipynb"
    nbformat.write(_nb("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), source)
    out = tmp_path / "taken"
    out.write_text("not a folder")
    with pytest.raises(ReleaseError, match="is a file, not a folder"):
        release_course(out, [source])
    assert out.read_text() == "not a folder"
