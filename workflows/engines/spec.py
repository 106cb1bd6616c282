"""EngineSpec: an engine's name and its resolved settings, the one thing a job needs to build its calculator.

A Maker carries the spec as a field, so a FireWorks worker (a fresh process) rebuilds
exactly the engine the job was made with; nothing mutates a shared engine.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

from monty.json import MSONable

from ssbi.workflows.engines.config import engine_config


def _deep_merge(base: dict, overrides: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _normal(settings: Mapping) -> dict:
    """Settings as JSON would return them (tuples become lists), so equal settings compare equal."""
    return json.loads(json.dumps(dict(settings), sort_keys=True, default=str))


@dataclass(frozen=True)
class EngineSpec(MSONable):
    """``name`` (a ``configs/engines/NAME.yaml``) and every setting, YAML defaults merged with overrides."""

    name: str
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "settings", _normal(self.settings))

    def __hash__(self) -> int:
        return hash((self.name, self.key()))

    def key(self) -> str:
        """The settings as one canonical string (model cache and comparisons)."""
        return json.dumps(self.settings, sort_keys=True)

    @classmethod
    def resolve(cls, name: str, overrides: Optional[Mapping[str, Any]] = None) -> "EngineSpec":
        """The spec of engine ``name`` with ``overrides`` merged into its YAML (nested keys merge)."""
        config = engine_config(name.lower())
        settings = {k: v for k, v in config.items() if k != "name"}
        return cls(config["name"], _deep_merge(settings, overrides or {}))

    def config(self) -> dict:
        """The engine configuration (what ``Engine`` is built from)."""
        return {"name": self.name, **copy.deepcopy(self.settings)}


EngineLike = Union[str, EngineSpec]


def as_spec(engine: EngineLike) -> EngineSpec:
    """``engine`` as a spec: a name gets its YAML defaults."""
    if isinstance(engine, EngineSpec):
        return engine
    if isinstance(engine, dict) and "name" in engine:  # a serialised spec that was not decoded
        return EngineSpec(engine["name"], engine.get("settings", {}))
    return EngineSpec.resolve(str(engine))


def engine_name(engine: EngineLike) -> str:
    """The name of ``engine`` (a name or a spec), as results record it."""
    return engine.name if isinstance(engine, EngineSpec) else str(engine).lower()
