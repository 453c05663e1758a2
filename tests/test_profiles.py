import pytest

import course_lib as cl
from course_lib.tools import profiles


def test_default_profile_is_quick(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert cl.active_profile() == "quick"


@pytest.mark.parametrize("name", ["smoke", "quick", "full"])
def test_profile_from_environment(monkeypatch, name):
    monkeypatch.setenv("COURSE_PROFILE", name)
    assert cl.active_profile() == name


def test_unknown_profile_lists_valid_names(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"'fast'.*smoke, quick, full"):
        cl.active_profile()


CONFIG = """
[lesson]
topic = "a lesson that exists only in this test"

[budget]
epochs = { smoke = 1, quick = 4, full = 9 }
batch_size = 16
optimizer = "adam"
"""


@pytest.fixture
def config(write_config):
    return write_config(CONFIG)


def test_budget_by_name_per_profile(config):
    smoke = profiles.budget("98_example", profile="smoke", path=config)
    quick = profiles.budget("98_example", profile="quick", path=config)
    assert smoke.epochs == 1 and quick.epochs == 4
    assert smoke.batch_size == quick.batch_size == 16  # a scalar applies to every profile
    assert vars(quick) == {"epochs": 4, "batch_size": 16, "optimizer": "adam"}


def test_budget_follows_active_profile(monkeypatch, config):
    monkeypatch.setenv("COURSE_PROFILE", "full")
    assert profiles.budget("98_example", path=config).epochs == 9
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    assert profiles.budget("98_example", path=config).epochs == 1


def test_course_budget_reads_the_lesson_config_file():
    # cl.budget(lesson) is profiles.budget on course_lib/config/<lesson>.toml
    path = profiles.config_path("00_setup")
    assert path.name == "00_setup.toml" and path.is_file()
    for profile in cl.PROFILES:
        assert vars(cl.budget("00_setup", profile=profile)) == vars(
            profiles.budget("00_setup", profile=profile, path=path)
        )


def test_budget_unknown_lesson():
    with pytest.raises(KeyError, match="no config for lesson '99_nothing'"):
        cl.budget("99_nothing")


def test_budget_table_needs_all_three_profiles(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text("[budget]\nepochs = { smoke = 1, quick = 2 }\n")
    with pytest.raises(ValueError, match=r"missing \['full'\]"):
        profiles.budget("x", profile="quick", path=path)


def test_every_budget_entry_is_complete():
    for lesson in profiles.lesson_names():
        for profile in profiles.PROFILES:
            values = vars(profiles.budget(lesson, profile=profile))
            assert values, lesson
            assert all(isinstance(v, int | float | str | list) for v in values.values())


@pytest.mark.parametrize("profile, verbose", [("smoke", 0), ("quick", 2), ("full", 2)])
def test_fit_verbose(profile, verbose):
    assert cl.fit_verbose(profile) == verbose


@pytest.mark.parametrize(("profile", "expected"), [("smoke", 600), ("full", 3600)])
def test_nbval_cell_timeout_follows_profile(monkeypatch, profile, expected):
    from types import SimpleNamespace

    from course_lib.tools import pytest_plugin

    monkeypatch.setenv("COURSE_PROFILE", profile)
    config = SimpleNamespace(option=SimpleNamespace(nbval_cell_timeout="600"))
    pytest_plugin.pytest_configure(config)
    assert config.option.nbval_cell_timeout == expected
    config.option.nbval_cell_timeout = "7200"  # a longer timeout asked for on the command line
    pytest_plugin.pytest_configure(config)
    assert config.option.nbval_cell_timeout == 7200
