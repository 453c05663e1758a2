"""The README is the front door: short, and its lesson table and links match the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _lesson_rows(text: str) -> list[str]:
    return re.findall(r"^\| (\d\d) \| `(\d\d_[a-z0-9_]+)` \|", text, flags=re.M)


def test_readme_is_a_front_door_not_a_log():
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 12 * 1024
    assert len(text.splitlines()) <= 160
    # run records belong in docs/results.md, generated from build/report.json
    assert not re.search(r"20\d\d-\d\d-\d\d", text), "a dated run in the README"


def test_readme_lesson_table_lists_every_lesson_once():
    rows = _lesson_rows(README.read_text(encoding="utf-8"))
    lessons = sorted(p.stem for p in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    assert [name for _, name in rows] == lessons
    assert all(name.startswith(number) for number, name in rows)


def test_readme_links_resolve():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert "docs/results.md" in links and "docs/development.md" in links
    missing = [link for link in links if not (ROOT / link).exists()]
    assert missing == []


def test_the_lesson_row_parser_sees_a_row():
    assert _lesson_rows("| 04 | `04_autoencoder` | topic |\n") == [("04", "04_autoencoder")]
