"""Which polymorphs of a phase set to relax, and which relaxed cells to trust.

A phase set is every reference structure of a chemical system plus the library
phases. Each reference structure gets one single point; per composition the
lowest few are relaxed (:func:`select_for_relaxation`; at most a dozen per composition). A relaxed cell enters the
hull only if its volume change is plausible for its kind of bonding
(:func:`volume_verdict`): without dispersion a force field or GGA lets molecular
and layered crystals swell, which costs little energy, while a 3D-bonded solid
that swells or shrinks by more than a few per cent has gone wrong.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Iterable, Optional

from pymatgen.core import Composition, Structure

DEFAULT_N_LOWEST = 2
DEFAULT_WINDOW = 0.050  # eV/atom above the lowest polymorph of the same composition
# at most this many per composition, lowest single points first: SiO2 has 321 Materials Project structures, 213 of
# them within the window (zeolite frameworks); relaxed with CHGNet, the 32 relaxed first span 1 meV/atom at the
# bottom and the lowest single point relaxes to the lowest energy found (-8.3521 eV/atom, 2026-12-07)
DEFAULT_AT_MOST = 12

# accepted volume change (relaxed / reference - 1) by bonding dimensionality
NETWORK_LIMITS = (-0.12, 0.12)   # 3D: r2SCAN cells are 1.5-5 % smaller than PBE; more than 12 % is a failure
LAYERED_LIMITS = (-0.12, 0.35)   # 2D layers, 1D chains: interlayer (vdW) binding is missing without dispersion
VOLUME_RULES = {  # dimensionality -> (bonding, limits, why these limits)
    3: ("3D network", NETWORK_LIMITS, "3D bonding: a PBE-like model moves an r2SCAN/PBE cell by a few %"),
    2: ("layered", LAYERED_LIMITS, "layers held by dispersion, which the model lacks"),
    1: ("chains", LAYERED_LIMITS, "chains held by dispersion, which the model lacks"),
    0: ("molecular", (-0.12, None), "molecules held by dispersion only: any swelling, molecules intact"),
}


def select_for_relaxation(screened: Iterable[tuple[str, str, float]], n_lowest: int = DEFAULT_N_LOWEST,
                          window: float = DEFAULT_WINDOW, at_most: int = DEFAULT_AT_MOST) -> list[str]:
    """Ids to relax from single points ``(id, formula, energy per atom)``.

    Per reduced composition: the ``n_lowest`` lowest, plus any within ``window``
    eV/atom of the lowest, at most ``at_most`` (or ``n_lowest`` if larger), lowest first.
    Ties are broken by id, so the choice is reproducible.
    """
    groups: dict = defaultdict(list)
    for ref_id, formula, energy in screened:
        groups[Composition(formula).reduced_composition].append((float(energy), ref_id))
    chosen = []
    for rows in groups.values():
        rows.sort()
        lowest = rows[0][0]
        picked = [ref_id for i, (e, ref_id) in enumerate(rows) if i < n_lowest or e - lowest <= window + 1e-9]
        chosen += picked[:max(at_most, n_lowest)]
    return sorted(chosen)


# bonded when closer than max(1.2 x, 0.3 Å +) the sum of covalent radii (Cordero et al. 2008): 1.2 x keeps
# metallic Li-Li (2.98 Å) bonded and I2's intermolecular 3.40 Å apart; + 0.3 Å bonds F2 (1.41 Å)
BOND_SCALE, BOND_MARGIN = 1.2, 0.3


def _components(structure: Structure):
    """Bonded components of a structure (covalent-radius cut-offs) and their dimensionality."""
    from itertools import combinations_with_replacement

    from pymatgen.analysis.dimensionality import get_structure_components
    from pymatgen.analysis.local_env import CutOffDictNN
    from pymatgen.analysis.molecule_structure_comparator import CovalentRadius

    symbols = sorted({el.symbol for el in structure.composition.elements})
    cutoffs = {(a, b): max(BOND_SCALE * (CovalentRadius.radius[a] + CovalentRadius.radius[b]),
                           CovalentRadius.radius[a] + CovalentRadius.radius[b] + BOND_MARGIN)
               for a, b in combinations_with_replacement(symbols, 2)}
    graph = CutOffDictNN(cut_off_dict=cutoffs).get_bonded_structure(structure)
    return get_structure_components(graph, inc_orientation=False)


def bonding_dimensionality(structure: Structure) -> tuple[int, list[str]]:
    """Highest dimensionality of the bonded components (0 molecular ... 3 network) and, for a molecular
    solid, the sorted formulas of its molecules."""
    comps = _components(structure)
    dim = max(c["dimensionality"] for c in comps)
    molecules = sorted(c["structure_graph"].structure.composition.formula.replace(" ", "")
                       for c in comps if c["dimensionality"] == 0) if dim == 0 else []
    return int(dim), molecules


@dataclass
class VolumeVerdict:
    """Whether a relaxed cell is trusted in the hull, and why."""

    accepted: bool
    volume_change: float  # relaxed / reference - 1
    bonding: str
    limits: tuple[Optional[float], Optional[float]]
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def volume_verdict(reference: Structure, relaxed: Structure) -> VolumeVerdict:
    """Accept or reject a relaxation by its volume change and, for molecular solids, intact molecules."""
    change = relaxed.volume / reference.volume - 1.0
    dim, molecules = bonding_dimensionality(reference)
    bonding, (low, high), why = VOLUME_RULES[dim]
    if dim == 0:
        after_dim, after = bonding_dimensionality(relaxed)
        if after_dim != 0 or after != molecules:
            return VolumeVerdict(False, change, bonding, (low, high),
                                 f"molecules changed on relaxation ({', '.join(sorted(set(molecules)))} before)")
    if change < low or (high is not None and change > high):
        limit = f"{low:+.0%} to {high:+.0%}" if high is not None else f"at least {low:+.0%}"
        return VolumeVerdict(False, change, bonding, (low, high),
                             f"volume {change:+.1%} outside {limit} for a {bonding} solid")
    return VolumeVerdict(True, change, bonding, (low, high), why)
