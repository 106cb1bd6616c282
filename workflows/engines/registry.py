"""From a name or spec to the :class:`~ssbi.workflows.engines.base.Engine`: one instance per spec and process.

``get_engine("chgnet")`` or ``get_engine(EngineSpec.resolve("chgnet", {"relax": {"fmax": 0.02}}))`` returns the engine
whose makers (atomate2 Makers) every flow uses; a Maker carries the spec and resolves it once
(:class:`~ssbi.workflows.engines.maker.EngineMaker`), so flows take ``engine=`` and nothing else changes:

- ``chgnet`` (default), ``sevennet``: atomate2 force-field makers, model loaded once per process;
- ``cp2k``: atomate2 CP2K makers with slab-appropriate settings;
- ``vasp``: atomate2 VASP makers with slab/interface input sets (inputs only here).

Settings live in ``configs/engines/NAME.yaml`` (:mod:`~ssbi.workflows.engines.config`).
"""

from __future__ import annotations

from functools import lru_cache

from ssbi.workflows.engines.base import Engine
from ssbi.workflows.engines.config import DEFAULT_ENGINE, engine_names
from ssbi.workflows.engines.spec import EngineLike, EngineSpec, as_spec
from ssbi.workflows.errors import EngineError


def get_engine(engine: EngineLike | Engine = DEFAULT_ENGINE) -> Engine:
    """The engine of ``engine``: a name (its YAML defaults) or an :class:`EngineSpec` (one instance per spec and
    process); an :class:`Engine` is returned as it is."""
    if isinstance(engine, Engine):
        return engine
    return _engine_of(as_spec(engine))


@lru_cache(maxsize=None)
def _engine_of(spec: EngineSpec) -> Engine:
    config = spec.config()
    kind = config["kind"]
    if kind == "forcefield":
        from ssbi.workflows.engines.forcefield import ForceFieldEngine as cls  # lazy: only the engine asked for
    elif kind == "cp2k":
        from ssbi.workflows.engines.cp2k import Cp2kEngine as cls  # lazy: only the engine asked for (atomate2 CP2K)
    elif kind == "vasp":
        from ssbi.workflows.engines.vasp import VaspEngine as cls  # lazy: only the engine asked for (atomate2 VASP)
    else:
        raise EngineError(f"engine {spec.name!r}: unknown kind {kind!r} in its YAML")
    return cls(config)


def checked_engine(engine: EngineLike | Engine = DEFAULT_ENGINE) -> Engine:
    """:func:`get_engine`, checked to run here or to write inputs (one line naming the fix otherwise)."""
    resolved = get_engine(engine)
    resolved.check()
    return resolved


def engine_status() -> list[dict]:
    """Every configured engine: name, kind, version, energy scale, whether it runs here, and what is missing
    (``problem``, empty when it is ready)."""
    rows = []
    for name in engine_names():
        eng = get_engine(name)
        try:
            eng.check()
            problem = ""
        except EngineError as exc:
            problem = str(exc)
        rows.append({"name": name, "kind": eng.config["kind"], "version": eng.known_version(),
                     "energy_scale": eng.energy_scale, "runs_here": eng.runs_here, "problem": problem})
    return rows
