"""Ordered approximants of partially occupied structures, ranked by Ewald energy."""

from __future__ import annotations

from dataclasses import dataclass

from pymatgen.core import Structure
from pymatgen.transformations.standard_transformations import (
    OrderDisorderedStructureTransformation,
)


@dataclass
class RankedOrdering:
    """One ordering of a disordered cell and its Ewald energy (eV per cell)."""

    rank: int
    ewald_energy: float
    structure: Structure


def enumerate_orderings(
    disordered: Structure,
    oxidation_states: dict[str, int],
    n_best: int = 5,
    primitive: bool = True,
) -> list[RankedOrdering]:
    """All orderings of ``disordered`` in its smallest cell, best ``n_best`` by Ewald energy.

    The cell is the primitive cell of the parent (or the given cell when
    ``primitive`` is False); every site occupancy times the number of sites must be
    an integer there. Orderings are searched with pymatgen's Ewald minimiser
    (best-first branch and bound, exact for the returned list) and symmetry-equivalent duplicates are removed.
    """
    cell = disordered.get_primitive_structure() if primitive else disordered.copy()
    cell.add_oxidation_state_by_element(oxidation_states)
    trans = OrderDisorderedStructureTransformation(algo=OrderDisorderedStructureTransformation.ALGO_BEST_FIRST, symmetrized_structures=False, no_oxi_states=False)
    ranked = trans.apply_transformation(cell, return_ranked_list=max(n_best * 4, 20))
    unique = _drop_equivalent([r["structure"] for r in ranked], [r["energy"] for r in ranked])
    out = []
    for i, (s, e) in enumerate(unique[:n_best]):
        s = s.copy()
        s.remove_oxidation_states()
        out.append(RankedOrdering(rank=i + 1, ewald_energy=float(e), structure=s))
    return out


def _drop_equivalent(structures, energies):
    from pymatgen.analysis.structure_matcher import StructureMatcher

    matcher = StructureMatcher()
    kept: list[tuple[Structure, float]] = []
    for s, e in sorted(zip(structures, energies), key=lambda t: t[1]):
        if not any(matcher.fit(s, k) for k, _ in kept):
            kept.append((s, e))
    return kept
