"""The potential (V vs Li/Li+) each electrode of a study sits at, from the engine's own hull: 0 V for Li metal, an
alloy's plateau (LiIn/In), the couple a sulfur cathode cycles (S/Li2S, for S8 and for Li2S)."""

from __future__ import annotations

from typing import Optional

from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Composition

from ssbi.interfaces.analysis.electrode import ElectrodePotential, couple_potential, electrode_potential
from ssbi.interfaces.analysis.interphase import classify_interphase
from ssbi.interfaces.analysis.window import decomposition_at
from ssbi.interfaces.errors import SSBIError
from ssbi.interfaces.materials import get_material
from ssbi.workflows.store.entries import entries_from_store


def _composition(name: str) -> Composition:
    try:
        return Composition(Composition(get_material(name).formula).reduced_formula)
    except SSBIError:
        return Composition(Composition(name).reduced_formula)


def anode_potential(store, engine, name: str, known_only: bool = True) -> Optional[ElectrodePotential]:
    """An alloy anode's potential on its own Li hull (stored and shipped entries of ``engine``); None for Li metal
    (0 V) and where the hull has no entries."""
    comp = _composition(name)
    elements = sorted(el.symbol for el in comp.elements)
    if "Li" not in elements or len(elements) == 1:
        return None
    try:
        return electrode_potential(PhaseDiagram(entries_from_store(store, elements, engine, known_only=known_only)),
                                   comp)
    except (SSBIError, ValueError):
        return None


def cathode_couple(store, engine, name: str, known_only: bool = True) -> Optional[ElectrodePotential]:
    """The couple a cathode cycles, its host / the Li-richest phase of the host on the hull (S8 or Li2S: S/Li2S);
    None without the hull or a lithiated phase."""
    comp = _composition(name)
    host = Composition({k: v for k, v in comp.items() if k.symbol != "Li"})
    if not host.num_atoms:
        return None
    try:
        pd = PhaseDiagram(entries_from_store(store, sorted({"Li", *(e.symbol for e in host)}), engine,
                                             known_only=known_only))
        lithiated = [e.composition for e in pd.stable_entries if "Li" in {x.symbol for x in e.composition.elements}
                     and Composition({k: v for k, v in e.composition.items() if k.symbol != "Li"}).reduced_formula
                     == host.reduced_formula]
        if not lithiated:
            return None
        return couple_potential(pd, max(lithiated, key=lambda c: c.get_atomic_fraction("Li")), host)
    except (SSBIError, ValueError):
        return None


def electrode_voltage(store, engine, name: str, cathode: bool, known_only: bool = True) -> Optional[float]:
    """The potential an electrode sits at: 0.0 for Li metal, an alloy's or a cathode couple's; None unknown."""
    if not cathode and _composition(name).reduced_formula == "Li":
        return 0.0
    found = cathode_couple(store, engine, name, known_only) if cathode else anode_potential(store, engine, name,
                                                                                           known_only)
    return None if found is None else found.potential


def at_potential(window: dict, voltage: float, gaps=None) -> dict:
    """An electrolyte at ``voltage`` (V vs Li/Li+) from its stored window document: stable inside the window
    (the phase put on the hull, as for the window), else the products of the plateau there, their grand-potential
    decomposition energy (eV/atom of the phase on the hull) and the interphase type."""
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram

    low, high = window["reduction_limit"], window["oxidation_limit"]
    if low - 1e-9 <= voltage and (high is None or voltage <= high + 1e-9):
        return {"energy": 0.0, "products": [window["formula"]], "interphase": "stable", "voltage": voltage}
    entries = [PDEntry(Composition(r["formula"]) * (r["n_atoms"] / Composition(r["formula"]).num_atoms), r["energy"])
               for r in window["entries"]]
    pd = PhaseDiagram(entries)
    comp = Composition(window["formula"])
    placed = PDEntry(comp, pd.get_hull_energy(comp))
    energy, products = decomposition_at(pd, placed, voltage)
    kind = classify_interphase(products, [window["formula"], "Li"], energy, gaps).type
    return {"energy": energy, "products": products, "interphase": kind, "voltage": voltage}
