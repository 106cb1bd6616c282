"""Did a relaxed interface react? Atoms that crossed the contact plane, polyanions that broke.

A relaxation that mixes the two sides or cuts PS4/PO4 units is a chemical reaction at the contact, not adhesion:
its energy is a reaction energy, and a W_ad from it would be reported as several J/m² of "adhesion" (sulfides
against Li, the usual case). Lengths in Å.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from pymatgen.core import Structure

from ssbi.interfaces.slabs import POLYANION_CENTERS, broken_units

CROSSING = 0.5  # Å past the initial contact plane that counts as having crossed it


@dataclass
class InterfaceReaction:
    """What the relaxation did at the contact."""

    reacted: bool
    crossed: dict[str, int] = field(default_factory=dict)  # species → atoms that crossed into the other side
    broken_units: dict[str, int] = field(default_factory=dict)  # side → polyanion centres broken by the relaxation
    max_displacement: float = 0.0  # Å
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _normal(structure: Structure) -> np.ndarray:
    m = structure.lattice.matrix
    n = np.cross(m[0], m[1])
    return n / np.linalg.norm(n)


def _side(structure: Structure, region, side: str) -> Structure:
    return Structure.from_sites([s for s, r in zip(structure, region) if r == side])


def interface_reaction(initial: Structure, relaxed: Structure, bulks: dict[str, Structure],
                       crossing: float = CROSSING) -> InterfaceReaction:
    """Compare the rigid interface ``initial`` (site property ``region``: film or substrate, film on top) with
    ``relaxed`` (same sites, same order). ``bulks``: {"film", "substrate"} bulk structures (their polyanions)."""
    region = list(initial.site_properties["region"])
    n = _normal(initial)
    z0 = initial.cart_coords @ n
    # displacement by minimum image, so a wrapped coordinate is not a jump across the cell
    dfrac = relaxed.frac_coords - initial.frac_coords
    dfrac -= np.round(dfrac)
    disp = dfrac @ initial.lattice.matrix
    z1 = z0 + disp @ n
    film = np.array([r == "film" for r in region])
    top_sub, bottom_film = z0[~film].max(), z0[film].min()
    plane = 0.5 * (top_sub + bottom_film)
    crossed: dict[str, int] = {}
    for i, s in enumerate(initial):
        if (film[i] and z1[i] < plane - crossing) or (not film[i] and z1[i] > plane + crossing):
            crossed[s.specie.symbol] = crossed.get(s.specie.symbol, 0) + 1
    broken = {}
    for side in ("film", "substrate"):
        bulk = bulks.get(side)
        if bulk is None or not any(el.symbol in POLYANION_CENTERS for el in bulk.composition.elements):
            continue
        before = broken_units(_side(initial, region, side), bulk)
        after = broken_units(_side(relaxed, region, side), bulk)
        if after > before:
            broken[side] = after - before
    evidence = []
    if crossed:
        evidence.append("atoms crossed the contact plane: " + ", ".join(f"{n_} {el}" for el, n_ in crossed.items()))
    if broken:
        evidence.append("polyanions broke: " + ", ".join(f"{n_} on the {side} side" for side, n_ in broken.items()))
    return InterfaceReaction(reacted=bool(evidence), crossed=crossed, broken_units=broken,
                             max_displacement=float(np.linalg.norm(disp, axis=1).max()), evidence=evidence)
