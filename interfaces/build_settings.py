"""The options that decide which interfaces are built (pydantic only: the command line reads them without importing
pymatgen's interface machinery)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class BuildSettings(BaseModel):
    """Everything that decides which interfaces are built (part of the fingerprint). The command-line options of
    ``ssbi build``, ``adhesion`` and ``md`` are generated from these fields."""

    film_miller: tuple[int, int, int]
    substrate_miller: tuple[int, int, int]
    model_config = ConfigDict(extra="forbid")  # a misspelt option (max_atomz) is an error, not ignored

    max_area: float = Field(400.0, gt=0, le=2000.0, description="Largest interface area (Å², at most 2000).")
    max_strain: float = Field(0.05, gt=0, lt=1, description="Largest principal in-plane strain of the strained side "
                                                            "(fraction).")
    max_atoms: int = Field(300, ge=2, le=5000, description="Largest interface cell (atoms, at most 5000).")
    film_thickness: float = Field(8.0, gt=0, le=60.0, description="Film slab thickness (Å, at most 60).")
    substrate_thickness: float = Field(10.0, gt=0, le=60.0, description="Substrate slab thickness (Å, at most 60).")
    vacuum: float = Field(15.0, ge=0, le=100.0, description="Vacuum above the film (Å, at most 100); ignored with "
                                                             "--periodic.")
    periodic: bool = Field(False, description="No vacuum: periodic stack with two interfaces per cell.")
    gap: float = Field(2.5, gt=0, description="Initial film-substrate gap (Å).")
    strained: Literal["auto", "film", "substrate"] = Field(
        "auto", description="Side that takes the strain: auto (Li/metal side when present), film or substrate.")
    fix_depth: Optional[float] = Field(None, ge=0, description="Substrate bottom depth to fix (Å); default half its "
                                                         "thickness.")
    max_candidates: int = Field(10, ge=1, le=200, description="How many ranked candidates to keep (at most 200).")
    termination_ftol: float = Field(0.25, gt=0, description="Clustering tolerance of terminations (Å).")
    min_contact: float = Field(1.2, ge=0, description="Shortest film-substrate distance accepted (Å).")
    film_termination: Optional[str] = Field(None, description="Film face at the interface: label or index from "
                                                              "`ssbi terminations` (default: every one).")
    substrate_termination: Optional[str] = Field(None, description="Substrate face at the interface: label or index "
                                                                   "from `ssbi terminations` (default: every one).")
