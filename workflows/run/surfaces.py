"""Surface energies asked for by name: one face (``surface``) or every low-index face for a Wulff shape (``facets``).

The hull around the phase (its competing phases and window, from the engine's entries) is read here, before any
job, so that off-stoichiometric terminations get σ(μ_Li) across the window.
"""

from __future__ import annotations

from typing import Callable, Optional

from pymatgen.core import Element

from ssbi.interfaces.analysis.hull import composition_of, lowest_entry, place_on_hull
from ssbi.interfaces.analysis.window import stability_window
from ssbi.interfaces.errors import InputError, SSBIError
from ssbi.interfaces.materials import get_material, load
from ssbi.interfaces.slabs import check_miller
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.flows.surface import SurfaceMaker
from ssbi.workflows.run.analyses import SurfaceAnalysis
from ssbi.workflows.run.requests import Request, _docs, _runs_here_or_submitted, execute
from ssbi.workflows.stability.queries import StabilityQuery
from ssbi.workflows.store.jobstore import describe, open_store
from ssbi.workflows.store.lookup import find_result, stored_bulk

V_MAX = 5.0  # V vs Li/Li+: the upper end when a phase is never oxidised in the entries


def hull_around(material: str, engine: str, store: Optional[str] = None, known_only: bool = True) -> Optional[dict]:
    """The competing phases and window of ``material`` on ``engine``'s hull with it placed on the hull; None (and
    σ(μ_Li) is then not computed) when the entries do not cover its chemical system."""
    formula = get_material(material).formula if _is_library(material) else load(material).composition.reduced_formula
    try:
        query = StabilityQuery([formula], entries="store", engine=engine, store=store, arbitrary=True,
                               known_only=known_only)
        pd = query.pd([formula])
        entry = lowest_entry(pd.all_entries, composition_of(formula))
        placed_pd, placed, e_hull = place_on_hull(pd, entry)
        window = stability_window(pd, formula, entry=entry)
    except SSBIError:
        return None
    li = placed_pd.el_refs.get(Element("Li"))
    return {"bulk": [placed.composition.formula, placed.energy_per_atom],
            "phases": [[e.composition.formula, e.energy_per_atom] for e in placed_pd.stable_entries],
            "li_metal": li.energy_per_atom if li else 0.0, "v_low": window.reduction_limit,
            "v_high": window.oxidation_limit if window.oxidation_limit is not None else V_MAX,
            "e_above_hull": e_hull, "source": f"{query.source} ({query.engine})"}


def _is_library(name: str) -> bool:
    try:
        get_material(name)
        return True
    except SSBIError:
        return False


def surface(material: str, miller, engine: str = "chgnet", terminations: tuple = (), thicknesses=(8.0, 12.0),
            relax: bool = True, relax_bulk: bool = True, vacuum: float = 15.0, ftol: float = 0.25,
            variant: str = "experimental", store: Optional[str] = None, force: bool = False, submit: bool = False,
            known_only: bool = True, progress: Callable[[str], None] = lambda stage: None) -> Request:
    """σ of the terminations of ``material`` (h k l): stored, run here, or sent to FireWorks. Miller index,
    terminations, engine and store are checked before any job."""
    hkl = check_miller(miller)
    job_store = open_store(store)
    eng = get_engine(engine)
    eng.check()
    _runs_here_or_submitted(eng, submit, "add --submit to send it to HPC")
    name = get_material(material).name if _is_library(material) else material
    structure = load(material, variant)
    progress("reading the hull around the phase")
    chempots = hull_around(material, eng.name, store, known_only)
    maker = SurfaceMaker(engine=eng, miller=hkl, terminations=tuple(terminations), thicknesses=tuple(thicknesses),
                         relax=relax, relax_bulk=relax_bulk, vacuum=vacuum, ftol=ftol, chempots=chempots)
    found = maker.selected(structure)
    if not found:
        raise InputError(f"{name} {hkl}: no termination found")
    bulk = stored_bulk(job_store, eng, name) if relax_bulk and variant == "experimental" else None
    analysis = SurfaceAnalysis(name, structure, maker, bulk=bulk)
    if not force and find_result(job_store, analysis.fingerprints()[0]):
        progress("already stored")
    progress(f"{analysis.label}: {len(found)} terminations × {len(thicknesses)} thicknesses")
    outcome = execute(analysis, job_store, force, submit)
    return Request(analysis, outcome, describe(store), _docs(job_store, analysis, outcome))


def facets(material: str, max_index: int = 1, engine: str = "chgnet", thicknesses=(10.0,), relax: bool = True,
           voltage: Optional[float] = None, variant: str = "experimental", store: Optional[str] = None,
           force: bool = False, submit: bool = False, known_only: bool = True,
           progress: Callable[[str], None] = lambda stage: None) -> dict:
    """σ of every symmetrically distinct facet with max index ≤ ``max_index`` (each at its lowest termination at
    ``voltage``, default the middle of the phase's window) and the Wulff shape they make (positive σ only: a
    negative one means an adlayer of the electrode wets that face, an interface rather than a surface).

    Returns {"facets": [{"miller", "termination", "sigma", "uuid"}...], "wulff": WulffShape or None, "requests",
    "voltage", "pending": [labels still queued]}.
    """
    from pymatgen.core.surface import get_symmetrically_distinct_miller_indices

    from ssbi.interfaces.surface_energy import lowest_termination, wulff_shape

    if max_index not in (1, 2, 3):
        raise InputError(f"--max-index takes 1, 2 or 3, not {max_index}")
    structure = load(material, variant)
    millers = get_symmetrically_distinct_miller_indices(structure, max_index)
    rows, reqs, pending = [], [], []
    for i, hkl in enumerate(millers, start=1):
        progress(f"facet {i}/{len(millers)} {hkl}")
        req = surface(material, hkl, engine, (), thicknesses, relax, True, 15.0, 0.25, variant, store, force, submit,
                      known_only, progress=lambda stage, hkl=hkl, i=i: progress(f"facet {i}/{len(millers)} {hkl}: "
                                                                               f"{stage}"))
        reqs.append(req)
        if req.outcome.status == "failed":
            raise InputError(f"{material} {hkl}: {req.outcome.message}")
        if not req.docs:
            pending.append(req.analysis.label)
            continue
        doc = req.docs[0]["output"]
        window = doc.get("window") or {}
        at = voltage if voltage is not None or not window else 0.5 * (window["v_low"] + window["v_high"])
        label, sigma = lowest_termination(doc, at)
        rows.append({"miller": tuple(hkl), "termination": label, "sigma": sigma, "voltage": at, "uuid": req.docs[0]["uuid"],
                     "n_terminations": len(doc["terminations"])})
    usable = {r["miller"]: r["sigma"] for r in rows if r["sigma"] is not None and r["sigma"] > 0}
    shape = wulff_shape(structure.lattice, usable) if len(usable) == len(millers) and usable else None
    return {"facets": rows, "wulff": shape, "requests": reqs, "voltage": voltage, "pending": pending}
