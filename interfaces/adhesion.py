"""Work of adhesion, interface energy and the universal binding-energy relation (UBER).

Energies in eV, lengths in Å, areas in Å²; adhesion in J/m².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pymatgen.analysis.interfaces.zsl import vec_area
from pymatgen.core import Structure
from pymatgen.core.interface import Interface

from ssbi.interfaces.slabs import set_in_plane_lattice

EV_PER_A2_TO_J_PER_M2 = 16.021766


def interface_area(structure: Structure) -> float:
    """Area of the a-b plane (Å²): the interface plane of a builder cell."""
    return float(vec_area(*structure.lattice.matrix[:2]))


def work_of_adhesion(e_film_slab: float, e_substrate_slab: float, e_interface: float, area: float,
                     n_interfaces: int = 1) -> float:
    """W_ad = (E_film + E_substrate − E_interface) / (n A), in J/m².

    ``n_interfaces`` is 2 for a periodic stack (no vacuum), 1 with vacuum.
    """
    return (e_film_slab + e_substrate_slab - e_interface) / (n_interfaces * area) * EV_PER_A2_TO_J_PER_M2


def interface_energy(e_interface: float, n_film: int, eps_film: float, n_substrate: int, eps_substrate: float,
                     area: float, n_interfaces: int = 1) -> float:
    """γ = (E_interface − n_f ε_f − n_s ε_s) / (n A) in J/m², against bulk energies per atom.

    With vacuum this includes the two free surfaces of the stack; with strained
    references it includes the strain energy (say which in the result).
    """
    return (e_interface - n_film * eps_film - n_substrate * eps_substrate) / (n_interfaces * area) \
        * EV_PER_A2_TO_J_PER_M2


def uber(d: np.ndarray, w_ad: float, d0: float, length: float) -> np.ndarray:
    """UBER binding energy per area at gap ``d``: −W (1 + d*) exp(−d*), d* = (d − d0)/λ."""
    x = (np.asarray(d, dtype=float) - d0) / length
    return -w_ad * (1.0 + x) * np.exp(-x)


@dataclass
class UberFit:
    """Fitted UBER parameters: W_ad (J/m²), equilibrium gap d0 (Å), decay length λ (Å)."""

    w_ad: float
    d0: float
    length: float
    rmse: float  # J/m²

    def as_dict(self) -> dict:
        return {"w_ad": self.w_ad, "d0": self.d0, "length": self.length, "rmse": self.rmse}


def fit_uber(gaps, energies_per_area) -> UberFit:
    """Fit UBER to binding energies per area (J/m², zero at infinite separation) vs gap (Å)."""
    from scipy.optimize import curve_fit

    d = np.asarray(gaps, dtype=float)
    e = np.asarray(energies_per_area, dtype=float)
    if len(d) < 4:
        raise ValueError("UBER fit needs at least 4 separations")
    i = int(np.argmin(e))
    guess = (max(-e[i], 1e-3), d[i], 0.5)
    params, _ = curve_fit(uber, d, e, p0=guess, bounds=([0, 0, 0.05], [np.inf, np.inf, 10.0]), maxfev=20000)
    rmse = float(np.sqrt(np.mean((uber(d, *params) - e) ** 2)))
    return UberFit(w_ad=float(params[0]), d0=float(params[1]), length=float(params[2]), rmse=rmse)


def with_gap(interface: Interface, gap: float) -> Interface:
    """Copy of ``interface`` with the film moved rigidly to ``gap`` Å above the substrate."""
    moved = interface.copy()
    moved.gap = gap
    return moved


def with_offset(interface: Interface, offset: tuple[float, float]) -> Interface:
    """Copy with the film shifted rigidly in-plane by ``offset`` (fractions of a and b)."""
    moved = interface.copy()
    moved.in_plane_offset = tuple(float(x) for x in offset)
    return moved


def registry_grid(n: int = 3) -> list[tuple[float, float]]:
    """In-plane shifts on an n×n grid (fractions of a and b)."""
    steps = np.arange(n) / n
    return [(float(a), float(b)) for a in steps for b in steps]


def unstrained_slab(slab: Structure, natural_in_plane) -> Structure:
    """The slab with its in-plane cell put back to its natural (unstrained) vectors.

    Fractional coordinates are kept, so the single-point energy difference to the
    strained slab is the elastic energy of the homogeneous in-plane strain.
    """
    return set_in_plane_lattice(slab, np.asarray(natural_in_plane, dtype=float)[:2])


def separated_halves(relaxed: Structure, regions) -> dict[str, Structure]:
    """The film and the substrate of a relaxed interface as two slabs in its cell (sites in the interface's order;
    ``regions``: "film" or "substrate" per site, from the rigid interface).

    Relaxed again on their own, they are the references of the relaxed W_ad when the contact let a side find a lower
    structure (a polar face reconstructing) than its own slab relaxation found: without them that energy is counted
    as adhesion."""
    regions = list(regions)
    if len(regions) != len(relaxed):
        raise ValueError(f"{len(regions)} regions for {len(relaxed)} sites")
    out = {}
    for side in ("film", "substrate"):
        sites = [site for site, region in zip(relaxed, regions) if region == side]
        if not sites:
            raise ValueError(f"the interface has no {side} sites")
        out[side] = Structure.from_sites(sites)
    return out
