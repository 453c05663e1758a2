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
