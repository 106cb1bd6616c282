"""SsbiSettings: environment over the user's settings file over the defaults; user folders for materials and
studies; a bad setting is one line."""

import shutil

import pytest
import yaml

from ssbi.interfaces.errors import InputError


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("SSBI_DATA_DIR", "SSBI_PROJECT", "SSBI_STORE", "SSBI_USER_MATERIALS_DIR", "SSBI_USER_STUDIES_DIR",
                "SSBI_MATERIALS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    return tmp_path


def write_settings(tmp_path, **values):
    path = tmp_path / "config" / "ssb-interfaces" / "settings.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(values))
    return path


def test_environment_wins_over_the_settings_file(clean_env, monkeypatch):
    from ssbi.configs.settings import settings
    from ssbi.workflows.paths import data_dir
    from ssbi.workflows.store.jobstore import resolve

    path = write_settings(clean_env, project="lab", store="memory")
    assert settings().settings_file == path
    assert data_dir() == (clean_env / "share" / "ssb-interfaces" / "lab").resolve()
    assert resolve()["type"] == "memory"
    monkeypatch.setenv("SSBI_PROJECT", "other")
    monkeypatch.setenv("SSBI_DATA_DIR", str(clean_env / "here"))
    assert data_dir() == (clean_env / "here").resolve()
    monkeypatch.delenv("SSBI_DATA_DIR")
    assert data_dir().name == "other"


def test_bad_setting_is_one_line(clean_env):
    from ssbi.configs.settings import settings

    write_settings(clean_env, projekt="x")
    with pytest.raises(InputError) as err:
        settings()
    assert "projekt" in str(err.value) and "\n" not in str(err.value)


def test_user_materials_and_studies_folders(clean_env, monkeypatch):
    from ssbi.configs import CONFIG_DIR
    from ssbi.interfaces.materials import library_dir, list_materials, load
    from ssbi.workflows.study.spec import load_study

    packaged = {m.name for m in list_materials()}
    mine = clean_env / "my-materials"
    (mine / "structures").mkdir(parents=True)
    entry = yaml.safe_load((CONFIG_DIR / "materials" / "LiCl.yaml").read_text())
    entry["name"], entry["aliases"] = "LiCl-mine", []
    (mine / "LiCl-mine.yaml").write_text(yaml.safe_dump(entry))
    studies = clean_env / "my-studies"
    studies.mkdir()
    shutil.copy(CONFIG_DIR / "studies" / "default.yaml", studies / "mine.yaml")
    monkeypatch.setenv("SSBI_USER_MATERIALS_DIR", str(mine))
    monkeypatch.setenv("SSBI_USER_STUDIES_DIR", str(studies))
    from ssbi.interfaces.materials import refresh_library

    refresh_library()
    try:
        names = {m.name for m in list_materials()}
        assert names == packaged | {"LiCl-mine"}
        assert library_dir() == mine  # `ssbi materials add` writes to the user's folder
        assert load("LiCl-mine").composition.reduced_formula == "LiCl"  # built from its own crystallography
        assert load_study("mine").name == "default"
    finally:
        monkeypatch.delenv("SSBI_USER_MATERIALS_DIR")
        refresh_library()
