"""The faces of an interface chosen by surface energy: the electrode's potential, the stored surface results, the
lowest-σ face of each side there."""

from __future__ import annotations

from typing import Optional

from ssbi.interfaces.analysis.electrode import couple_potential, electrode_potential
from ssbi.interfaces.analysis.hull import composition_of
from ssbi.interfaces.errors import SSBIError
from ssbi.interfaces.materials import get_material
from ssbi.interfaces.surface_energy import lowest_termination
from ssbi.workflows.stability.queries import StabilityQuery


def _is_library(name: str) -> bool:
    try:
        get_material(name)
        return True
    except SSBIError:
        return False


# --- terminations at an interface --------------------------------------------------------------------------------
def contact_potential(names: list[str], engine: str, store: Optional[str] = None) -> tuple[Optional[float], str]:
    """V vs Li/Li+ at which the faces of an interface are compared: that of the electrode among ``names`` (Li 0 V,
    an alloy anode its potential, a sulfur cathode the S/Li2S couple); None (each phase's mid-window) without one."""

    for name in names:
        if not _is_library(name):
            continue
        mat = get_material(name)
        if "anode" in mat.roles:
            if composition_of(mat.formula).reduced_formula == "Li":
                return 0.0, f"{name} (Li metal, 0 V)"
            try:
                pd = StabilityQuery([mat.formula], engine=engine, store=store, arbitrary=True).pd([mat.formula])
                return electrode_potential(pd, mat.formula).potential, f"{name} anode"
            except SSBIError:
                continue
        if "cathode" in mat.roles and {el.symbol for el in composition_of(mat.formula).elements} <= {"Li", "S"}:
            try:
                pd = StabilityQuery(["Li2S"], engine=engine, store=store, arbitrary=True).pd(["Li2S"])
                return couple_potential(pd, "Li2S", "S").potential, "the S/Li2S couple"
            except SSBIError:
                continue
    return None, "no electrode among them (each phase at its mid-window)"


def stored_surface(job_store, material: str, miller, engine: str) -> Optional[dict]:
    """The newest stored surface document of ``material`` (h k l) computed with ``engine``: of relaxed slabs where
    one is stored, else the newest unrelaxed one."""
    found = [d["output"] for d in job_store.query({"output.kind": "surface", "output.material": material,
                                                   "output.surface_miller": list(miller),
                                                   "output.engine.name": engine},
                                                  sort={"completed_at": -1}, load=True)]
    return next((d for d in found if d.get("relaxed")), found[0] if found else None)


def lowest_sigma_terminations(job_store, film: str, film_miller, substrate: str, substrate_miller, engine: str,
                              store: Optional[str] = None) -> tuple[dict, list[str]]:
    """{"film_termination", "substrate_termination"} of the lowest-σ faces at the electrode's potential, for the
    sides whose surface energies are stored; and what was chosen and why, to print."""

    voltage, why = contact_potential([film, substrate], engine, store)
    chosen, notes = {}, []
    for side, name, miller in (("film", film, film_miller), ("substrate", substrate, substrate_miller)):
        doc = stored_surface(job_store, name, miller, engine)
        if doc is None:
            notes.append(f"{side} {name}{tuple(miller)}: no surface energies stored (`ssbi surface {name} "
                         f"{' '.join(map(str, miller))}`), faces ranked by the builder")
            continue
        window = doc.get("window") or {}
        at = voltage if voltage is not None else (0.5 * (window["v_low"] + window["v_high"]) if window else None)
        label, sigma = lowest_termination(doc, at)
        if label is None:
            notes.append(f"{side} {name}{tuple(miller)}: no termination has a σ at {at} V")
            continue
        chosen[f"{side}_termination"] = label
        where = f"{at:.2f} V vs Li/Li+ ({why})" if at is not None else "its stoichiometric faces"
        notes.append(f"{side} {name}{tuple(miller)}: lowest-σ face {label} ({sigma:.3f} J/m² at {where})")
    return chosen, notes


