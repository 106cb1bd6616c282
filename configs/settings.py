"""SsbiSettings: every setting ssbi reads from the environment or the user's settings file, in one model.

Environment variables ``SSBI_<FIELD>`` (e.g. ``SSBI_DATA_DIR``) win over the
optional YAML file ``$XDG_CONFIG_HOME/ssb-interfaces/settings.yaml``
(``~/.config/...``; ``SSBI_SETTINGS_FILE`` names another), which wins over the
defaults below. Read afresh on each call of :func:`settings` (cheap), so a changed
environment is seen.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, YamlConfigSettingsSource

from ssbi.configs import CONFIG_DIR
from ssbi.interfaces.errors import InputError


def user_config_dir() -> Path:
    """Per-user settings outside the installation (the settings file, credentials)."""
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "ssb-interfaces"


def settings_file() -> Path:
    return Path(os.environ.get("SSBI_SETTINGS_FILE") or user_config_dir() / "settings.yaml")


class SsbiSettings(BaseSettings):
    """Where ssbi keeps data and finds configuration, and which store and LaunchPad it uses."""

    model_config = SettingsConfigDict(env_prefix="SSBI_", extra="forbid")

    data_dir: Optional[Path] = Field(None, description="the project's data folder (default: "
                                                       "$XDG_DATA_HOME/ssb-interfaces/<project>)")
    project: str = Field("default", description="project name under the default data folder")
    store: Optional[str] = Field(None, description="store name in stores.yaml, or a mongodb:// URI")
    mongodb_uri: Optional[str] = Field(None, description="URI of the `mongodb` store in stores.yaml")
    launchpad: Optional[Path] = Field(None, description="a FireWorks my_launchpad.yaml (MongoDB); default: the "
                                                        "local mongomock file in the data folder")
    config_dir: Path = Field(CONFIG_DIR, description="the packaged configuration (engines, stores, studies ...)")
    materials_dir: Optional[Path] = Field(None, description="a materials library used instead of the packaged one")
    user_materials_dir: Optional[Path] = Field(None, description="your own library entries, read after the "
                                                                 "packaged ones (same name: yours wins); "
                                                                 "`ssbi materials add` writes here")
    user_studies_dir: Optional[Path] = Field(None, description="your own study files, found by name")
    reference_dir: Optional[Path] = Field(None, description="a reference set used instead of the packaged one")
    reference_entries_dir: Optional[Path] = Field(None, description="shipped reference entries used instead of "
                                                                    "the packaged ones")
    settings_file: Optional[Path] = Field(None, description="the YAML file these settings were read from")

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        path = settings_file()
        if path.is_file():
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)


_CACHE: dict = {}


def settings() -> SsbiSettings:
    """The current settings (environment, then the settings file, then the defaults); a bad value is one line."""
    import os

    from pydantic import ValidationError

    path = settings_file()
    exists = path.is_file()
    key = (tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("SSBI_"))), str(path),
           path.stat().st_mtime_ns if exists else None)
    if key in _CACHE:  # read once per environment and settings file (each read costs milliseconds)
        return _CACHE[key]
    try:
        current = SsbiSettings(settings_file=path if exists else None)
        _CACHE.clear()
        _CACHE[key] = current
        return current
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(f"settings: {where}: {err['msg']} (environment SSBI_{where.upper()} or "
                         f"{path})") from None
    except Exception as exc:  # noqa: BLE001 - an unreadable settings file
        raise InputError(f"settings file {path} cannot be read: {str(exc).splitlines()[0]}") from None
