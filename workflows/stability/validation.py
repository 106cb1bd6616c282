"""Computed windows next to published ones (``ssbi validate``).

For every electrolyte and Li binary of the library, and every phase in
``configs/reference/published.yaml``: the computed window on both energy scales
(mp2020 and raw-gga), its products, ΔE at 0 V and E_hull, and the published value
on its own scale with the deviation. Published experimental limits are derived here
from the experimental formation enthalpies that ship with pymatgen, through the same
window code, so that the comparison is like for like.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition, Element

from ssbi.interfaces.analysis.hull import PhaseDiagramCache
from ssbi.interfaces.analysis.window import stability_window
from ssbi.interfaces.errors import SSBIError
from ssbi.interfaces.materials import get_material, list_materials
from ssbi.workflows.paths import CONFIG_DIR
from ssbi.workflows.stability.documents import window_doc

PUBLISHED_FILE = CONFIG_DIR / "reference" / "published.yaml"
BINARIES = ("LiF", "LiCl", "LiBr", "LiI", "Li2O", "Li2S", "Li3N", "Li3P")


def published() -> tuple[dict, list[dict]]:
    """(sources by key, rows) of the published values."""
    data = yaml.safe_load(PUBLISHED_FILE.read_text())
    return data["sources"], data["phases"]


@lru_cache(maxsize=1)
def experimental_enthalpies() -> dict[str, float]:
    """Reduced formula -> experimental formation enthalpy (eV per formula unit as written in pymatgen's file)."""
    import pymatgen.analysis.compatibility as compat

    path = Path(compat.__file__).parent / "exp_compounds.json.gz"
    with gzip.open(path, "rt") as fh:
        rows = json.load(fh)
    return {r["formula"]: float(r["exp energy"]) for r in rows}


def experimental_entries(elements) -> list[PDEntry]:
    """PDEntries of the experimental enthalpies within ``elements`` (elements at zero)."""
    allowed = {Element(str(e)) for e in elements}
    out = [PDEntry(Composition(el.symbol), 0.0, name=el.symbol) for el in allowed]
    for formula, energy in experimental_enthalpies().items():
        comp = Composition(formula)
        if set(comp.elements) <= allowed and not comp.is_element:
            out.append(PDEntry(comp, energy, name=formula))
    return out


def experimental_window(formula: str):
    """Window of ``formula`` from experimental enthalpies (None when the phase has no enthalpy there)."""
    comp = Composition(formula)
    if comp.reduced_formula not in experimental_enthalpies():
        return None
    pd = PhaseDiagram(experimental_entries({el.symbol for el in comp.elements} | {"Li"}))
    return stability_window(pd, formula)


def experimental_formation_energy(formula: str) -> Optional[float]:
    """eV/atom, from the experimental enthalpy (None when absent)."""
    comp = Composition(formula)
    energy = experimental_enthalpies().get(comp.reduced_formula)
    return None if energy is None else energy / comp.reduced_composition.num_atoms


@dataclass
class ValidationRow:
    """One phase, one published source: computed (both scales) and published."""

    phase: str
    formula: str
    kind: str  # electrolyte | binary | other
    source: str
    citation: str
    compare_scale: str  # the computed scale compared with the published value
    computed: dict = field(default_factory=dict)  # scale -> window summary
    published: dict = field(default_factory=dict)  # window, products, formation energy
    deviation: dict = field(default_factory=dict)  # reduction/oxidation (V), formation energy (eV/atom)
    note: str = ""


def _summary(doc) -> dict:
    return {"window": [doc.reduction_limit, doc.oxidation_limit], "reduced_to": doc.reduction_products,
            "oxidised_to": doc.oxidation_products, "dE_0V": doc.decomposition_energy["0"],
            "e_above_hull": doc.e_above_hull, "reduction_sources": doc.reduction_sources,
            "oxidation_sources": doc.oxidation_sources}


def validation_rows(entries_by_scale: dict, engine: str) -> list[ValidationRow]:
    """Rows for the published phases and the library's electrolytes and Li binaries.

    ``entries_by_scale``: {"mp2020": [...], "raw-gga": [...]}, one engine's entries on each scale.
    """
    sources, rows = published()
    library = {m.name: m for m in list_materials()}
    electrolytes = [m.name for m in library.values() if "electrolyte" in m.roles]
    listed = {r["phase"] for r in rows}
    rows = rows + [{"phase": n, "source": "none"} for n in [*electrolytes, *BINARIES] if n not in listed]
    caches = {s: PhaseDiagramCache(e) for s, e in entries_by_scale.items()}
    computed: dict = {}
    out = []
    for row in rows:
        phase = row["phase"]
        try:
            mat = get_material(phase)
            formula, material = mat.formula, mat.name
        except SSBIError:
            formula, material = phase, None
        kind = "binary" if Composition(formula).reduced_formula in BINARIES else (
            "electrolyte" if material in electrolytes or row.get("anion") else "other")
        if phase not in computed:
            computed[phase] = {}
            for scale, cache in caches.items():
                try:
                    els = {el.symbol for el in Composition(formula).elements} | {"Li"}
                    doc = window_doc(cache.get(els), formula, entries_by_scale[scale], "store", engine, scale,
                                     material=material)
                    computed[phase][scale] = _summary(doc)
                    pd = cache.get(els)
                    same = [e for e in pd.all_entries
                            if e.composition.reduced_composition == Composition(formula).reduced_composition]
                    if same and doc.e_above_hull is not None:  # a glass has no entry of its own: no ΔHf
                        own = min(same, key=lambda e: e.energy_per_atom)
                        computed[phase][scale]["formation_energy"] = float(pd.get_form_energy_per_atom(own))
                except (SSBIError, ValueError) as exc:
                    computed[phase][scale] = {"error": str(exc)}
        src = sources.get(row["source"], {})
        source_scale = src.get("scale", {})
        compare = source_scale.get(row.get("anion", "any"), source_scale.get("any", "mp2020"))
        pub, note = {}, row.get("note", src.get("note", ""))
        if row["source"] == "exp-thermo":
            w = experimental_window(formula)
            if w is None:
                note = "no experimental enthalpy for this phase"
            else:
                pub = {"window": [w.reduction_limit, w.oxidation_limit], "reduced_to": w.reduction_products,
                       "oxidised_to": w.oxidation_products,
                       "formation_energy": experimental_formation_energy(formula)}
        elif row["source"] == "zhu2015":
            pub = {"window": row["window"], "reduced_to": row.get("reduced_to"), "oxidised_to": row.get("oxidised_to")}
        dev = {}
        mine = computed[phase].get(compare, {})
        if pub.get("window") and mine.get("window"):
            for i, side in enumerate(("reduction", "oxidation")):
                a, b = mine["window"][i], pub["window"][i]
                dev[side] = None if a is None or b is None else a - b
        if pub.get("formation_energy") is not None and mine.get("formation_energy") is not None:
            dev["formation_energy"] = mine["formation_energy"] - pub["formation_energy"]
        out.append(ValidationRow(phase=phase, formula=formula, kind=kind, source=row["source"],
                                 citation=src.get("citation", "—"), compare_scale=compare,
                                 computed=computed[phase], published=pub, deviation=dev, note=note))
    return out


def products_agree(computed: Optional[list], published_products: Optional[list]) -> Optional[bool]:
    """Same set of products (None when the source lists none)."""
    if not published_products:
        return None
    return sorted(computed or []) == sorted(published_products)
