"""Sanity checks on structures: charge balance, contacts, relaxation drift, molecules."""

from __future__ import annotations

import numpy as np
from pymatgen.analysis.graphs import StructureGraph
from pymatgen.analysis.local_env import CutOffDictNN
from pymatgen.core import Structure


def is_charge_balanced(structure: Structure, oxi_states_override: dict | None = None) -> bool:
    """True when at least one set of common oxidation states sums to zero.

    ``oxi_states_override``: states to allow for an element (peroxide O: {"O": [-1]}).
    """
    comp = structure.composition
    if len(comp.elements) == 1:
        return True
    return len(comp.oxi_state_guesses(max_sites=-1, oxi_states_override=oxi_states_override)) > 0


def min_distance(structure: Structure) -> float:
    """Shortest interatomic distance (Å), periodic images included."""
    if len(structure) == 1:
        return float(min(structure.lattice.abc))
    dm = structure.distance_matrix + np.eye(len(structure)) * 1e6
    return float(dm.min())


def volume_change(initial: Structure, final: Structure) -> float:
    """Relative change of volume per atom, (V_final - V_initial) / V_initial."""
    v0 = initial.volume / len(initial)
    return float((final.volume / len(final) - v0) / v0)


def max_displacement(initial: Structure, final: Structure, exclude: tuple[str, ...] = ()) -> float:
    """Largest atomic displacement (Å) between two cells with the same atom order.

    Fractional displacements are wrapped to the nearest image, expressed in the
    final lattice, and the rigid drift of the whole cell is removed first.
    Elements in ``exclude`` (e.g. a disordered Li sublattice) are left out of the max.
    """
    if len(initial) != len(final):
        raise ValueError("structures must have the same atoms in the same order")
    dfrac = final.frac_coords - initial.frac_coords
    dfrac -= np.round(dfrac)
    dfrac -= dfrac.mean(axis=0)
    dcart = final.lattice.get_cartesian_coords(dfrac)
    keep = np.array([site.species_string not in exclude for site in initial])
    return float(np.linalg.norm(dcart[keep], axis=1).max())


def molecule_sizes(structure: Structure, element: str, bond_cutoff: float) -> list[int]:
    """Sizes of the connected clusters of ``element`` atoms bonded within ``bond_cutoff`` Å."""
    sub = structure.copy()
    sub.remove_species([sp for sp in sub.composition if sp.symbol != element])
    nn = CutOffDictNN({(element, element): bond_cutoff})
    graph = StructureGraph.from_local_env_strategy(sub, nn)
    # only finite clusters are returned: a periodic (polymerised) chain is left out
    return sorted(len(mol) for mol in graph.get_subgraphs_as_molecules(use_weights=False))
