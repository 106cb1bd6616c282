"""Engines: one name (or an :class:`EngineSpec`: name plus settings) selects how energies are computed.

``get_engine("chgnet")`` or ``get_engine(EngineSpec.resolve("chgnet", {"relax": {"fmax": 0.02}}))`` returns an :class:`Engine` whose makers (atomate2 Makers)
every flow uses, so flows take ``engine=`` and nothing else changes:

- ``chgnet`` (default), ``sevennet``: atomate2 force-field makers, model loaded
  once per process;
- ``cp2k``: atomate2 CP2K makers with slab-appropriate settings;
- ``vasp``: atomate2 VASP makers with slab/interface input sets (inputs only here).

Settings live in ``configs/engines/NAME.yaml``.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import yaml

from workflows.engines.base import TARGETS, Engine
from workflows.engines.spec import EngineLike, EngineSpec, as_spec
from workflows.errors import EngineError
from workflows.paths import CONFIG_DIR

DEFAULT_ENGINE = "chgnet"
ENGINE_DIR = CONFIG_DIR / "engines"

__all__ = ["DEFAULT_ENGINE", "TARGETS", "Engine", "EngineSpec", "as_spec", "engine_names", "get_engine"]


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


def get_engine(engine: EngineLike = DEFAULT_ENGINE) -> Engine:
    """The engine of ``engine``: a name (its YAML defaults) or an :class:`EngineSpec` (one instance per spec
    and process); an :class:`Engine` is returned as it is."""
    from workflows.engines.spec import as_spec

    if isinstance(engine, Engine):
        return engine
    return _engine_of(as_spec(engine))


@lru_cache(maxsize=None)
def _engine_of(spec: EngineSpec) -> Engine:
    config = spec.config()
    name = spec.name
    kind = config["kind"]
    if kind == "forcefield":
        from workflows.engines.forcefield import ForceFieldEngine as cls
    elif kind == "cp2k":
        from workflows.engines.cp2k import Cp2kEngine as cls
    elif kind == "vasp":
        from workflows.engines.vasp import VaspEngine as cls
    else:
        raise EngineError(f"engine {name!r}: unknown kind {kind!r} in its YAML")
    return cls(config)
