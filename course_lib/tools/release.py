"""Student versions of the lesson notebooks: solutions and hidden tests stripped (nbgrader markers).

A solution sits between lines `### BEGIN SOLUTION` and `### END SOLUTION`, hidden checks between
`### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`; a marker is a line whose stripped text is
exactly one of these. Cell indices in error messages are 0-based, line numbers 1-based.
"""

from __future__ import annotations

import copy
import keyword
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from course_lib.files import atomic_write_text

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = "YOUR ANSWER HERE"

_BEGIN = {BEGIN_SOLUTION: "solution", BEGIN_HIDDEN_TESTS: "hidden-test"}
_END = {END_SOLUTION: "solution", END_HIDDEN_TESTS: "hidden-test"}
_BEGIN_OF = {kind: marker for marker, kind in _BEGIN.items()}
_END_OF = {kind: marker for marker, kind in _END.items()}
_MARKERS = frozenset(_BEGIN) | frozenset(_END)
_STUB_LINES = frozenset(CODE_STUB) | {ANSWER_STUB}

# A near miss such as "## BEGIN SOLUTION" is no marker, so its region would ship to students
# unnoticed: such lines are refused rather than kept as ordinary text.
_MARKER_LIKE = re.compile(r"#*\s*(BEGIN|END)\s+(SOLUTION|HIDDEN\s+TESTS)", re.IGNORECASE)
_KEYWORDS = frozenset(keyword.kwlist)
_ARGUMENT_LINE = re.compile(r"[\w.]+\s*[(,)\]}]*")
# What nbgrader looks for inside a line (ClearSolutions, ClearHiddenTests).
_NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class ReleaseError(Exception):
    """A notebook cannot be released: unbalanced markers, or solution text would reach students."""


@dataclass(frozen=True)
class _Region:
    """One marked region of a cell: lines[begin] and lines[end] are its markers."""

    kind: str
    begin: int
    end: int
    indent: str


def _lines(cell: NotebookNode) -> list[str]:
    """The cell's source as lines, whether stored as one string or a list of strings."""
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    # split("\n"), not splitlines(): a "\f" or "\x1c" inside a string literal is not a line end.
    return source.split("\n")


def _regions(lines: list[str], where: str) -> list[_Region]:
    """The marked regions of one cell, or ReleaseError for unbalanced or malformed markers."""
    regions = []
    open_kind, open_at = None, -1
    for i, line in enumerate(lines):
        text = line.strip()
        if text in _BEGIN:
            if open_kind is not None:
                raise ReleaseError(
                    f"{where}, line {i + 1}: {text!r} inside the {open_kind} region opened at "
                    f"line {open_at + 1} (nested or interleaved markers)"
                )
            open_kind, open_at = _BEGIN[text], i
        elif text in _END:
            kind = _END[text]
            if open_kind is None:
                raise ReleaseError(
                    f"{where}, line {i + 1}: {text!r} without a matching {_BEGIN_OF[kind]!r}"
                )
            if kind != open_kind:
                raise ReleaseError(
                    f"{where}, line {i + 1}: {text!r} closes the {open_kind} region opened at "
                    f"line {open_at + 1} by {_BEGIN_OF[open_kind]!r} (interleaved markers)"
                )
            begin = lines[open_at]
            regions.append(_Region(kind, open_at, i, begin[: len(begin) - len(begin.lstrip())]))
            open_kind = None
        elif _MARKER_LIKE.fullmatch(text):
            raise ReleaseError(
                f"{where}, line {i + 1}: malformed marker {text!r}; a marker line must read "
                f"exactly one of {sorted(_MARKERS)}"
            )
        elif any(delimiter in text for delimiter in _NBGRADER_DELIMITERS):
            raise ReleaseError(
                f"{where}, line {i + 1}: marker text inside a longer line {text!r}; nbgrader "
                "reads any line containing it as a marker, so reword it"
            )
    if open_kind is not None:
        raise ReleaseError(
            f"{where}, line {open_at + 1}: {_BEGIN_OF[open_kind]!r} without a matching "
            f"{_END_OF[open_kind]!r}"
        )
    return regions


def _is_trivial(text: str, is_code: bool) -> bool:
    """Whether a stripped line is too generic to count as leaked solution text."""
    if not text:
        return True
    if is_code and text.startswith("#"):
        return True
    if not is_code and text.startswith(("```", "~~~")):
        return True
    # Lines of brackets, punctuation and bare keywords (")", "else:", "return None") occur in
    # any notebook, and so does one argument of a call split over lines ("y_fit,"): matching
    # them would report leaks that are not there.
    if is_code and _ARGUMENT_LINE.fullmatch(text):
        return True
    return all(word in _KEYWORDS for word in re.findall(r"\w+", text))


def _check_no_leaks(
    nb: NotebookNode, student: NotebookNode, regions: list[list[_Region]], name: str
) -> None:
    """Raise ReleaseError if a marker, solution or hidden-test line survives in the student copy."""
    secrets: dict[str, tuple[str, int]] = {}
    for index, (cell, cell_regions) in enumerate(zip(nb.cells, regions, strict=True)):
        lines = _lines(cell)
        is_code = cell.cell_type == "code"
        for region in cell_regions:
            for line in lines[region.begin + 1 : region.end]:
                text = line.strip()
                if text not in _STUB_LINES and not _is_trivial(text, is_code):
                    secrets.setdefault(text, (region.kind, index))
    for index, cell in enumerate(student.cells):
        for number, line in enumerate(_lines(cell), start=1):
            text = line.strip()
            where = f"{name}: cell {index}, line {number}"
            if text in _MARKERS or _MARKER_LIKE.fullmatch(text):
                raise ReleaseError(f"{where}: marker line {text!r} left in the student notebook")
            if text in secrets:
                kind, origin = secrets[text]
                raise ReleaseError(
                    f"{where}: {kind} line from cell {origin} leaks into the student "
                    f"notebook: {text!r}"
                )


def _nbgrader_preprocessors():
    try:
        from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions
    except ImportError as err:
        raise ReleaseError(
            "student versions are made with nbgrader, which is not installed: "
            "pip install -e '.[classroom]' (make venv installs it)"
        ) from err
    # enforce_metadata=False: instructors without an nbgrader course may release lessons whose
    # cells carry no nbgrader metadata; tests/test_grading.py keeps the lessons' metadata right.
    return [
        ClearSolutions(enforce_metadata=False),
        ClearHiddenTests(enforce_metadata=False),
        ClearOutput(),
    ]


def student_notebook(nb: NotebookNode, name: str) -> NotebookNode:
    """A new student copy of `nb` made by nbgrader's ClearSolutions, ClearHiddenTests and
    ClearOutput: solutions stubbed, hidden tests removed, outputs cleared. Refuses
    (ReleaseError) on unbalanced or malformed markers and if any solution line survives."""
    all_regions = [_regions(_lines(cell), f"{name}: cell {i}") for i, cell in enumerate(nb.cells)]
    student = nbformat.from_dict(copy.deepcopy(nb))
    for cell in student.cells:
        cell.source = "\n".join(_lines(cell))
    resources: dict = {}
    try:
        for preprocessor in _nbgrader_preprocessors():
            student, resources = preprocessor.preprocess(student, resources)
    except RuntimeError as err:
        raise ReleaseError(f"{name}: nbgrader refused the notebook: {err}") from err
    # nbgrader's stubs follow the marker's indentation; trailing blank lines left where a
    # hidden-test region closed a cell are dropped.
    for cell in student.cells:
        cell.source = cell.source.rstrip("\n") if cell.source.strip() else cell.source
    _check_no_leaks(nb, student, all_regions, name)
    return student


def release_course(
    out_dir: str | os.PathLike[str], notebooks: Iterable[str | os.PathLike[str]]
) -> list[Path]:
    """Write the student version of each notebook to out_dir under the same file name."""
    out = Path(out_dir)
    built: list[tuple[Path, NotebookNode]] = []
    sources: dict[str, Path] = {}
    # Build everything before writing anything: one broken notebook must not leave a half release.
    for source in map(Path, notebooks):
        name = source.name
        if name in sources:
            raise ReleaseError(f"{name}: both {sources[name]} and {source} would be written there")
        sources[name] = source
        target = out / name
        if target.resolve() == source.resolve():
            raise ReleaseError(f"{name}: writing to {target} would overwrite the instructor copy")
        try:
            nb = nbformat.read(source, as_version=4)
        except (OSError, ValueError) as exc:
            raise ReleaseError(f"{name}: cannot read {source}: {exc}") from exc
        student = student_notebook(nb, name)
        try:
            nbformat.validate(student)
        except nbformat.ValidationError as exc:
            message = f"{name}: the student version is not a valid notebook: {exc}"
            raise ReleaseError(message) from exc
        built.append((target, student))
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"--out {out} is a file, not a folder: name a new or existing folder")
    out.mkdir(parents=True, exist_ok=True)
    for target, student in built:
        atomic_write_text(target, nbformat.writes(student))
    return [target for target, _ in built]
