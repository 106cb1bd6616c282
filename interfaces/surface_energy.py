"""Surface energies of one face: symmetric slabs, thickness series, and σ(μ_Li) for off-stoichiometric slabs.

σ = (E_slab − Σ_i n_i μ_i) / 2A for a slab with the same face on both sides. For a
stoichiometric slab Σ n_i μ_i = N ε_bulk and σ is one number. Otherwise the
chemical potentials are those at which the bulk is in equilibrium with its
surroundings: Σ x_i μ_i = ε_bulk and no competing phase may form (Σ y_i μ_i ≤ ε_p),
at a fixed μ_Li = μ_Li(metal) − eV. The other potentials may still move inside that
region; σ is then reported as its lowest and highest value there (a linear
programme). Where no symmetric slab exists (a polar axis), the two faces of a
stoichiometric slab are computed together and split: the unrelaxed cleavage energy
in halves, the relaxation of the top face (bottom fixed) added to it.

Energies in eV, areas in Å², σ in J/m².
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional, Sequence

import numpy as np
from pymatgen.core import Composition

EV_PER_A2_TO_J_PER_M2 = 16.021766


def sigma_stoichiometric(e_slab: float, n_atoms: int, eps_bulk: float, area: float, faces: int = 2) -> float:
    """(E_slab − n ε_bulk) / (faces · A) in J/m²."""
    return (e_slab - n_atoms * eps_bulk) / (faces * area) * EV_PER_A2_TO_J_PER_M2


def sigma_split(e_unrelaxed: float, e_top_relaxed: float, n_atoms: int, eps_bulk: float, area: float) -> float:
    """σ of the top face of a slab whose two faces differ (no symmetric slab exists), in J/m².

    Half the unrelaxed cleavage energy, plus the energy the top face gains when it relaxes with the bottom fixed.
    """
    half_cleave = (e_unrelaxed - n_atoms * eps_bulk) / 2
    return (half_cleave + (e_top_relaxed - e_unrelaxed)) / area * EV_PER_A2_TO_J_PER_M2


@dataclass
class Phase:
    """A competing phase (or the bulk itself): composition and energy per atom on the engine's scale."""

    formula: str
    energy_per_atom: float


@dataclass
class SigmaRange:
    """σ at one Li potential: its lowest and highest value over the other potentials the bulk allows."""

    voltage: float  # V vs Li/Li+ (μ_Li = μ_Li(metal) − eV)
    sigma_min: float
    sigma_max: float
    mu: dict[str, list[float]]  # element: [μ at σ_min, μ at σ_max], eV/atom

    def as_dict(self) -> dict:
        return asdict(self)


def _fractions(formula: str, elements: Sequence[str]) -> np.ndarray:
    comp = Composition(formula).fractional_composition
    return np.array([comp[el] for el in elements])


def sigma_range(e_slab: float, slab_counts: dict[str, float], area: float, bulk: Phase, phases: Sequence[Phase],
                voltage: float, li_metal: float, open_element: str = "Li") -> Optional[SigmaRange]:
    """σ at ``voltage`` for a slab of ``slab_counts`` atoms; None where the bulk is not stable at that potential.

    ``bulk``: the phase's energy as placed on the hull (its window convention); ``phases``: every other phase of
    its chemical system; ``li_metal``: μ_Li of the metal (eV/atom). The slab energy is referenced to the same
    scale as ``bulk`` (see :func:`placed_offset`).
    """
    from scipy.optimize import linprog

    elements = sorted({el.symbol for el in Composition(bulk.formula).elements} | {open_element})
    bulk_els = {el.symbol for el in Composition(bulk.formula).elements}
    if set(slab_counts) - bulk_els:
        raise ValueError(f"slab elements {sorted(set(slab_counts) - bulk_els)} are not in {bulk.formula}")
    rows, rhs = [], []
    for p in phases:
        els = {el.symbol for el in Composition(p.formula).elements}
        if els <= set(elements) and Composition(p.formula).reduced_formula != Composition(bulk.formula).reduced_formula:
            rows.append(_fractions(p.formula, elements))
            rhs.append(p.energy_per_atom)
    a_eq = [_fractions(bulk.formula, elements)]
    b_eq = [bulk.energy_per_atom]
    mu_li = li_metal - voltage
    bounds = [(mu_li, mu_li) if el == open_element else (None, None) for el in elements]
    if open_element not in bulk_els:  # Li does not enter: nothing to fix
        bounds = [(None, None)] * len(elements)
    n = np.array([slab_counts.get(el, 0.0) for el in elements])
    out = {}
    for sense, c in (("min", -n), ("max", n)):  # σ smallest where Σ n μ is largest
        res = linprog(c, A_ub=np.array(rows) if rows else None, b_ub=np.array(rhs) if rows else None,
                      A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=bounds, method="highs")
        if res.status != 0:
            return None
        out[sense] = res.x
    sig = {k: (e_slab - float(n @ x)) / (2 * area) * EV_PER_A2_TO_J_PER_M2 for k, x in out.items()}
    return SigmaRange(voltage=float(voltage), sigma_min=float(sig["min"]), sigma_max=float(sig["max"]),
                      mu={el: [float(out["min"][i]), float(out["max"][i])] for i, el in enumerate(elements)})


def placed_offset(eps_bulk: float, placed_energy_per_atom: float) -> float:
    """eV/atom to add to every chemical potential of the hull with the phase placed on it, so that they sum to the
    phase's own computed bulk energy (then a stoichiometric slab gets the same σ either way)."""
    return eps_bulk - placed_energy_per_atom


def sigma_vs_voltage(e_slab: float, slab_counts: dict[str, float], area: float, bulk: Phase, phases: Sequence[Phase],
                     li_metal: float, v_low: float, v_high: float, offset: float = 0.0, points: int = 11
                     ) -> list[SigmaRange]:
    """σ from ``v_low`` to ``v_high`` (the phase's window), chemical potentials shifted by ``offset`` eV/atom."""
    n_atoms = sum(slab_counts.values())
    shifted = e_slab - n_atoms * offset
    out = []
    eps = 1e-4
    for v in np.linspace(v_low + eps, v_high - eps, points):
        r = sigma_range(shifted, slab_counts, area, bulk, phases, float(v), li_metal)
        if r is not None:
            r.mu = {k: [m + offset for m in pair] for k, pair in r.mu.items()}
            out.append(r)
    return out


def termination_sigma(term: dict, voltage: Optional[float] = None) -> Optional[float]:
    """σ (J/m²) of one stored termination result: its stoichiometric value, else the lowest σ at ``voltage`` (V vs
    Li/Li+, linear between the computed potentials; default the reduction limit of the window). Outside the window
    the phase itself is not stable: σ at the nearer limit (a sulfide against Li metal: at its reduction limit)."""
    if term.get("sigma") is not None:
        return float(term["sigma"])
    series = (term.get("slabs") or [{}])[-1].get("sigma_vs_voltage") or []
    if not series:
        return None
    v = np.array([r["voltage"] for r in series])
    s = np.array([r["sigma_min"] for r in series])
    if voltage is None:
        return float(s[0])
    return float(np.interp(voltage, v, s))  # constant beyond the ends: the nearer limit


def lowest_termination(doc: dict, voltage: Optional[float] = None) -> tuple[Optional[str], Optional[float]]:
    """(label, σ) of the lowest-σ termination of a stored surface document at ``voltage``."""
    found = [(termination_sigma(t, voltage), t["label"]) for t in doc["terminations"]]
    found = sorted((s, label) for s, label in found if s is not None)
    return (found[0][1], found[0][0]) if found else (None, None)


def wulff_shape(lattice, facet_sigma: dict):
    """pymatgen's WulffShape of ``{(h, k, l): σ}`` (J/m²) on ``lattice``."""
    from pymatgen.analysis.wulff import WulffShape

    millers = list(facet_sigma)
    return WulffShape(lattice, millers, [facet_sigma[m] for m in millers])
