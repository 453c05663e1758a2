"""Shared fixtures; the data test modules use `data` for every test (pytestmark)."""

import pytest


@pytest.fixture
def data(tmp_path, monkeypatch):
    """An empty data_dir(), no downloads, and the Debian / Keras locations in tmp_path."""
    from course_lib.data import fashion_mnist as fm  # here, so other tests never import it

    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setattr(fm, "DEBIAN_DIR", tmp_path / "debian")
    keras_dir = tmp_path / "keras" / "datasets" / "fashion-mnist"
    monkeypatch.setattr(fm, "keras_cache_dirs", lambda: [keras_dir])
    return folder


@pytest.fixture
def write_config(tmp_path):
    """Write a lesson config file (TOML text) into tmp_path/config/; returns its path. The
    machinery tests use it instead of the course's live values in course_lib/config/."""

    def write(text: str, lesson: str = "98_example"):
        folder = tmp_path / "config"
        folder.mkdir(exist_ok=True)
        path = folder / f"{lesson}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
