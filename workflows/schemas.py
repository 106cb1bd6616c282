"""Output documents stored by ssbi flows.

Every document carries ``schema_version`` and, at its top level, the fields later
queries filter on: ``kind`` of result, ``materials``, ``formula``, ``miller``,
``engine`` and ``fingerprint`` (of structures, engine and settings).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field
from pymatgen.core import Structure

SCHEMA_VERSION = "1.0"


class EngineInfo(BaseModel):
    """Which engine produced a number, and on what energy scale."""

    name: str
    version: str
    energy_scale: str = Field(description="mp2020 (MP2020-corrected) or raw-gga; never mix scales")
    settings: dict[str, Any] = Field(default_factory=dict)


class ResultDoc(BaseModel):
    """Fields shared by every ssbi result."""

    schema_version: str = SCHEMA_VERSION
    kind: str
    fingerprint: str
    materials: list[str] = Field(default_factory=list)
    formula: Optional[str] = None
    miller: Optional[list[tuple[int, int, int]]] = None
    engine: EngineInfo
    study: Optional[str] = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class CalcDoc(ResultDoc):
    """One relaxation or single point of a bulk, slab or interface."""

    kind: Literal["relax", "static"]
    target: Literal["bulk", "slab", "interface"]
    reduced_formula: str
    chemsys: str
    n_atoms: int
    energy: float = Field(description="total energy, eV")
    energy_per_atom: float = Field(description="eV/atom")
    volume: float = Field(description="Å^3")
    structure: Structure = Field(description="final structure")
    task_uuid: str = Field(description="uuid of the engine job (its full task document is in the store)")
