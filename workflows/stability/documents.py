"""Window and reaction documents from entries (stored beside the results by :mod:`ssbi.workflows.store.derived`)."""

from __future__ import annotations

import hashlib
import json
from typing import Optional, Sequence

from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition

from ssbi.interfaces.analysis.hull import HULL_PLACEMENT_MARGIN, entries_in_chemsys, formula_name
from ssbi.interfaces.analysis.interphase import classify_interphase, load_band_gaps
from ssbi.interfaces.analysis.reactions import interfacial_reaction
from ssbi.interfaces.analysis.window import stability_window
from ssbi.interfaces.materials import get_material
from ssbi.workflows.schemas import EntryRef, ReactionDoc, WindowDoc


def entry_refs(entries: Sequence) -> list[EntryRef]:
    return [EntryRef(entry_id=str(e.entry_id), formula=formula_name(e.composition), energy=float(e.energy),
                     n_atoms=float(e.composition.num_atoms)) for e in entries]


def entries_hash(entries: Sequence) -> str:
    """Identity of an entry set: ids and energies (order-free)."""
    rows = sorted((str(e.entry_id), round(float(e.energy), 8)) for e in entries)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:20]


def _used(entries: Sequence, formulas: Sequence[str]) -> list:
    elements = {el.symbol for f in formulas for el in Composition(f).elements}
    return entries_in_chemsys(entries, elements)


def window_key(formula: str, source: str, engine: str, scale: str) -> str:
    """Key of a window document; ``formula`` is the phase's name (a polymorph's library name)."""
    return f"window|{formula}|{source}|{engine}|{scale}"


def material_entry_of(entries: Sequence, material: str):
    """The entry computed for a library phase (``data.material``), the newest if several; None if absent."""
    same = [e for e in entries if (getattr(e, "data", None) or {}).get("material") == material]
    return same[0] if same else None


def reaction_key(a: str, b: str, voltage: Optional[float], source: str, engine: str, scale: str) -> str:
    return f"reaction|{a}|{b}|{'closed' if voltage is None else f'{voltage:g}V'}|{source}|{engine}|{scale}"


def window_doc(pd: PhaseDiagram, formula: str, entries: Sequence, source: str, engine: str, scale: str,
               gaps=None, material: Optional[str] = None) -> WindowDoc:
    """Window, products, decomposition energies and interphase types of ``formula``.

    ``material``: a library polymorph (beta-Li3PS4) whose own entry gives the energy above hull; the window
    itself depends only on the composition (the phase is put on the hull).
    """
    gaps = gaps or load_band_gaps()
    own = material_entry_of(pd.all_entries, material) if material else None
    glass = _composition_only(material)
    if glass is not None:  # no structure, no entry: at the hull's energy plus what the user says it lies above
        comp = Composition(formula)
        above = glass.e_above_hull or -HULL_PLACEMENT_MARGIN  # unknown: just on the hull (a mixture's energy)
        own = PDEntry(comp, pd.get_hull_energy(comp) + above * comp.num_atoms, name=glass.name,
                      attribute={"material": glass.name})
        own.data = {"material": glass.name}
    w = stability_window(pd, formula, entry=own)
    if glass is not None:
        w.e_above_hull = glass.e_above_hull
    used = _used(entries, [formula, "Li"])
    at0 = w.decomposition_energy["0"]
    vs_li = classify_interphase(w.decomposition_products["0"], [w.formula, "Li"], at0, gaps)
    ox = classify_interphase(w.oxidation_products, [w.formula], w.decomposition_energy.get("5", -1.0), gaps)
    chemsys = "-".join(sorted({el.symbol for el in Composition(formula).elements} | {"Li"}))
    name = material if material and material != w.formula else w.formula
    return WindowDoc(key=window_key(name, source, engine, scale), chemsys=chemsys, source=source,
                     material=material, entry=w.entry,
                     reduction_sources=w.reduction_sources, oxidation_sources=w.oxidation_sources,
                     engine=engine, energy_scale=scale, entries=entry_refs(used), entries_hash=entries_hash(used),
                     formula=w.formula, reduction_limit=w.reduction_limit, oxidation_limit=w.oxidation_limit,
                     reduction_products=w.reduction_products, oxidation_products=w.oxidation_products,
                     e_above_hull=w.e_above_hull, composition_only=glass is not None,
                     plateaus=[vars(p) for p in w.plateaus],
                     decomposition_energy=w.decomposition_energy, decomposition_products=w.decomposition_products,
                     interphase_vs_li=vs_li.as_dict(), interphase_oxidation=ox.as_dict())


def _composition_only(material: Optional[str]):
    """The library entry of ``material`` when it is known by composition only (a glass), else None."""
    if not material:
        return None
    try:
        mat = get_material(material)
    except Exception:  # noqa: BLE001 - not a library name
        return None
    return None if mat.has_structure else mat


def reaction_doc(pd: PhaseDiagram, a: str, b: str, entries: Sequence, source: str, engine: str, scale: str,
                 voltage: Optional[float] = None, gaps=None) -> ReactionDoc:
    """Reaction profile of ``a`` | ``b`` with the interphase type of its products."""
    gaps = gaps or load_band_gaps()
    r = interfacial_reaction(pd, a, b, voltage=voltage)
    used = _used(entries, [a, b] + (["Li"] if voltage is not None else []))
    reactants = [r.a, r.b]
    main = classify_interphase(r.minimum.products, reactants, r.minimum.energy, gaps)
    side = classify_interphase(r.electrode_side.products, reactants, r.electrode_side.energy, gaps)
    chemsys = "-".join(sorted({el.symbol for e in used for el in e.composition.elements}))
    return ReactionDoc(key=reaction_key(r.a, r.b, voltage, source, engine, scale), chemsys=chemsys, source=source,
                       engine=engine, energy_scale=scale, entries=entry_refs(used), entries_hash=entries_hash(used),
                       a=r.a, b=r.b, voltage=voltage, kinks=[vars(k) for k in r.kinks], minimum=vars(r.minimum),
                       electrode_side=vars(r.electrode_side), interphase=main.as_dict(),
                       interphase_electrode_side=side.as_dict(), note=r.note)
