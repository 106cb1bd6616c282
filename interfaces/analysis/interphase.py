"""Interphase type of a set of reaction products (Wenzel/Janek classification).

``stable``: no reaction. ``passivating``: every product is an electronic insulator,
so the interphase stops growing once it separates the reactants.
``mixed-conducting``: some product conducts electrons (metal, alloy, small-gap
semiconductor), so the interphase keeps growing. ``undetermined``: no known
conductor but some product has no gap in the table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from ssbi.configs import CONFIG_DIR
from ssbi.interfaces.analysis.hull import formula_name

BAND_GAPS_FILE = CONFIG_DIR / "band_gaps.yaml"
CONDUCTING_KINDS = ("metal", "semiconductor")


@dataclass
class GapInfo:
    gap: float
    kind: str  # metal | semiconductor | insulator
    source: str


@dataclass
class Interphase:
    type: str  # stable | passivating | mixed-conducting | undetermined
    products: list[str]
    decided_by: Optional[str]
    reason: str
    unknown: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=4)
def _table(path: str) -> tuple[float, dict]:
    data = yaml.safe_load(Path(path).read_text())
    return float(data["conductor_below"]), data["gaps"]


def conductor_below(path: Path = BAND_GAPS_FILE) -> float:
    """The gap (eV) below which a phase counts as an electronic conductor."""
    return _table(str(path))[0]


def load_band_gaps(overrides: Optional[dict[str, float]] = None, path: Path = BAND_GAPS_FILE) -> dict[str, GapInfo]:
    """Curated gaps by reduced formula, with computed ``overrides`` (formula → gap in eV) on top."""
    threshold, raw = _table(str(path))
    table = {}
    for formula, row in raw.items():
        # a semiconductor by its measured gap where known; a DFT gap: the Materials Project's PBE, else our CP2K one
        dft = row["pbe"] if "pbe" in row else row["cp2k"]
        gap = row.get("exp", dft) if row["kind"] == "semiconductor" else dft
        table[formula] = GapInfo(gap=float(gap), kind=row["kind"], source=row["source"])
    for formula, gap in (overrides or {}).items():
        kind = "metal" if gap < threshold else "insulator"
        table[formula] = GapInfo(gap=float(gap), kind=kind, source="computed (store)")
    return table


def _element_name(formula: str) -> str:
    """Products by their result name (S8 → S, Li2PS3 → Li4P2S6), as in the gap table."""
    return formula_name(formula)


def classify_interphase(products: list[str], reactants: list[str], reaction_energy: float,
                        gaps: Optional[dict[str, GapInfo]] = None, tolerance: float = 1e-3) -> Interphase:
    """Type of the interphase made of ``products`` (``reaction_energy`` in eV/atom, < 0 if it reacts)."""
    gaps = gaps if gaps is not None else load_band_gaps()
    names = sorted({_element_name(p) for p in products})
    if not names:  # nothing forms on this side (no phase beyond it: S has nothing more oxidised in Li-S)
        return Interphase("stable", [], None, "no product on this side: no phase of the system lies beyond it")
    if reaction_energy > -tolerance or set(names) == {_element_name(r) for r in reactants}:
        return Interphase("stable", names, None, f"no reaction (ΔE = {reaction_energy:+.3f} eV/atom)")
    conducting = [p for p in names if p in gaps and gaps[p].kind in CONDUCTING_KINDS]
    unknown = [p for p in names if p not in gaps]
    if conducting:
        p = conducting[0]
        return Interphase("mixed-conducting", names, p,
                          f"{p} conducts electrons ({gaps[p].kind}, gap {gaps[p].gap:.1f} eV): the interphase grows",
                          unknown)
    if unknown:
        return Interphase("undetermined", names, unknown[0],
                          f"no band gap known for {', '.join(unknown)}; the others are insulators", unknown)
    narrowest = min(names, key=lambda p: gaps[p].gap)
    return Interphase("passivating", names, narrowest,
                      f"all products are electronic insulators (smallest gap: {narrowest}, {gaps[narrowest].gap:.1f} eV)")
