import nbformat
import pytest

from course_lib.tools import cli


def test_doctor_reports_versions_devices_profile_and_data(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    for label in ("Python", "Keras", "Backend", "Devices", "CPU threads", "Profile       smoke"):
        assert label in out
    assert "fashion_mnist" in out and "imdb" in out


def test_data_status_lists_every_dataset(capsys):
    assert cli.main(["data", "status"]) == 0
    out = capsys.readouterr().out
    for name in ("fashion_mnist", "imdb", "digits", "image_patches"):
        assert name in out


def test_data_import_of_a_missing_path_fails_cleanly(tmp_path, capsys, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(cache))
    bad = tmp_path / "aclImdb_v1.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08 not really gzip")
    assert cli.main(["data", "import", str(bad)]) == 1
    assert "course data import" in capsys.readouterr().err
    assert not cache.exists() or list(cache.rglob("*")) == []
    assert cli.main(["data", "import", str(tmp_path / "missing.tar.gz")]) == 1


def test_release_writes_student_lessons(tmp_path, capsys):
    assert cli.main(["release", "--out", str(tmp_path)]) == 0
    written = sorted(tmp_path.glob("*.ipynb"))
    assert [p.name for p in written][:1] == ["00_setup.ipynb"]
    lines = [
        line.strip()
        for c in nbformat.read(written[0], as_version=4).cells
        for line in c.source.splitlines()
    ]
    assert "### BEGIN SOLUTION" not in lines and "### BEGIN HIDDEN TESTS" not in lines
    # lesson 00's three code solutions (a function, then two cells) and its written answer
    assert not any(line.startswith("return sum(n_in * n_out + n_out") for line in lines)
    assert 'reference = train_run("reference")' not in lines
    assert 'reference_again = train_run("reference")' not in lines  # a hidden test
    assert lines.count("raise NotImplementedError()") == 3
    assert lines.count("YOUR ANSWER HERE") == 1


def test_run_unknown_lesson_exits_2(capsys):
    assert cli.main(["run", "--profile", "smoke", "no_such_lesson"]) == 2
    assert "no single lesson matches" in capsys.readouterr().err


def test_unknown_profile_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--profile", "fast"])
    assert "invalid choice: 'fast'" in capsys.readouterr().err


def test_release_to_a_file_is_one_line_not_a_traceback(tmp_path, capsys):
    out = tmp_path / "student.txt"
    out.write_text("x")
    assert cli.main(["release", "--out", str(out), "00"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err and "Traceback" not in err


def test_metadata_check_reports_and_sync_fixes(tmp_path, monkeypatch, capsys):
    import shutil

    from course_lib.tools import runner

    lesson = tmp_path / "00_setup.ipynb"
    shutil.copy(runner.lesson_paths(["00"])[0], lesson)
    nb = nbformat.read(lesson, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    nbformat.write(nb, lesson)
    assert cli.main(["metadata", "--check", str(lesson)]) == 1
    assert "nbgrader metadata None" in capsys.readouterr().err
    assert cli.main(["metadata", str(lesson)]) == 0
    assert "00_setup.ipynb: updated" in capsys.readouterr().out
    assert cli.main(["metadata", "--check", str(lesson)]) == 0
