"""course_lib is built in floors (see course_lib/__init__.py): each module imports course_lib
modules only from its own floor or the floors below. These tests read every module's imports."""

import ast
from pathlib import Path

import pytest

import course_lib

PACKAGE = Path(course_lib.__file__).parent
GROUND = {"course_lib.validation", "course_lib.backends", "course_lib.files", "course_lib.paths"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _course_imports(path: Path) -> set[str]:
    """The course_lib modules a file imports, anywhere in it (function-level imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                names.add(child if child in MODULES else node.module)
    return {name for name in names if name == "course_lib" or name.startswith("course_lib.")}


def _floor(name: str) -> int:
    if name in GROUND:
        return 0
    if name == "course_lib.tools" or name.startswith("course_lib.tools."):
        return 2
    return 1  # concept modules and data/


def test_the_floors_cover_every_module():
    assert GROUND <= set(MODULES)
    assert {"course_lib.training", "course_lib.pca", "course_lib.data"} <= set(MODULES)
    assert {"course_lib.tools.cli", "course_lib.tools.data_commands"} <= set(MODULES)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != "course_lib"))
def test_a_module_imports_only_its_floor_and_below(name):
    # The package face (course_lib/__init__.py) re-exports the lesson API from tools/; every
    # other module imports the submodule it needs, never the face (`import course_lib`).
    imports = _course_imports(MODULES[name])
    assert "course_lib" not in imports, f"{name} imports the package face; import the module"
    above = sorted(i for i in imports if _floor(i) > _floor(name))
    assert not above, f"{name} (floor {_floor(name)}) imports from a floor above: {above}"


def test_nothing_outside_tools_imports_tools():
    offenders = {
        name: sorted(i for i in _course_imports(path) if _floor(i) == 2)
        for name, path in MODULES.items()
        if _floor(name) < 2 and name != "course_lib"
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_check_finds_an_upward_import(tmp_path):
    # The test above can fail: a concept module that imports tools/ is caught.
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from course_lib.tools.profiles import fit_verbose\n")
    assert _course_imports(bad) == {"course_lib.tools.profiles"}
    assert _floor("course_lib.tools.profiles") > _floor("course_lib.cnn")
