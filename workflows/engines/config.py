"""The configured engines: ``configs/engines/NAME.yaml``, read without importing any engine code."""

from __future__ import annotations

import difflib

import yaml

from ssbi.workflows.errors import EngineError
from ssbi.workflows.paths import CONFIG_DIR

DEFAULT_ENGINE = "chgnet"
ENGINE_DIR = CONFIG_DIR / "engines"
TARGETS = ("bulk", "slab", "interface")  # what a calculation computes: cell relaxes (bulk) or stays fixed
CALC_KINDS = ("relax", "static")  # the calculations every engine makes


def engine_names() -> list[str]:
    """Names of the configured engines."""
    return sorted(p.stem for p in ENGINE_DIR.glob("*.yaml"))


def engine_config(name: str) -> dict:
    """The YAML settings of one engine."""
    path = ENGINE_DIR / f"{name}.yaml"
    if not path.is_file():
        close = difflib.get_close_matches(name.lower(), engine_names(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise EngineError(f"unknown engine {name!r}{hint}; choose one of: {', '.join(engine_names())}")
    return yaml.safe_load(path.read_text())
