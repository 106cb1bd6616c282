"""An engine's input files for a material (e.g. VASP for HPC), written without running anything."""

from __future__ import annotations

from pathlib import Path

from ssbi.interfaces.errors import InputError
from ssbi.interfaces.materials import load
from ssbi.workflows.engines.base import Engine
from ssbi.workflows.engines.config import CALC_KINDS, TARGETS
from ssbi.workflows.engines.registry import get_engine


def write_inputs(engine: str, material: str, kind: str = "relax", target: str = "bulk",
                 variant: str = "experimental", out: Path = Path("inputs")) -> tuple[list[str], Engine, int]:
    """``kind`` (relax/static) inputs of ``engine`` for ``material`` (library name or structure file) in ``out``:
    the files written, the engine and the number of atoms."""
    if kind not in CALC_KINDS:
        raise InputError(f"unknown calculation {kind!r}; choose one of: {', '.join(CALC_KINDS)}")
    if target not in TARGETS:
        raise InputError(f"unknown target {target!r}; choose one of: {', '.join(TARGETS)}")
    eng = get_engine(engine)
    structure = load(material, variant)
    out.mkdir(parents=True, exist_ok=True)
    return eng.write_inputs(structure, kind, target, out), eng, len(structure)
