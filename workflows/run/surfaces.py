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
from ssbi.interfaces.surface_energy import lowest_termination, wulff_shape
from ssbi.interfaces.terminations import contact_faces
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.flows.surface import SurfaceMaker
from ssbi.workflows.run.analyses import SurfaceAnalysis
from ssbi.workflows.run.faces import _is_library
from ssbi.workflows.run.requests import Request, _docs, _runs_here_or_submitted, adhesion, execute
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
    return {"bulk": [placed.composition.formula, round(placed.energy_per_atom, 8)],
            # sorted: a set's order changes between processes, and the result's fingerprint must not
            "phases": sorted([e.composition.formula, round(e.energy_per_atom, 8)] for e in placed_pd.stable_entries),
            "li_metal": round(li.energy_per_atom, 8) if li else 0.0, "v_low": round(window.reduction_limit, 6),
            "v_high": round(window.oxidation_limit, 6) if window.oxidation_limit is not None else V_MAX,
            "e_above_hull": round(e_hull, 8), "source": f"{query.source} ({query.engine})"}


def cut_structure(material: str, engine: str = "chgnet", store: Optional[str] = None,
                  variant: str = "experimental") -> tuple:
    """The bulk that surfaces and interfaces are cut from: the engine's stored (or shipped) relaxation of a library
    phase, in its conventional cell, else the structure itself. Returns (structure, where it came from); the faces
    `ssbi terminations`, `ssbi surface` and `ssbi adhesion` name are those of this one cell."""
    structure = load(material, variant)
    if variant == "experimental" and _is_library(material):
        bulk = stored_bulk(open_store(store), get_engine(engine), get_material(material).name)
        if bulk:
            return bulk["structure"], f"{engine} relaxed bulk ({bulk['origin']})"
    return structure, f"{variant} structure"


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
    bulk = stored_bulk(job_store, eng, name) if relax_bulk and variant == "experimental" and _is_library(material) \
        else None
    found = maker.selected(bulk["structure"] if bulk else structure)  # the faces of the cell the flow cuts
    if not found:
        raise InputError(f"{name} {hkl}: no termination found")
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


def adhesion_every_termination(film: str, substrate: str, film_miller, substrate_miller, engine: str = "chgnet",
                               build: Optional[dict] = None, relax_best: int = 2, relax_bulk: bool = True,
                               variant: str = "experimental", store: Optional[str] = None, force: bool = False,
                               progress: Callable[[str], None] = lambda stage: None) -> list[dict]:
    """W_ad of every pair of faces (film bottom × substrate top, or those fixed in ``build``): rigid for all, then
    relaxed for the ``relax_best`` pairs with the highest rigid W_ad. Each is its own stored adhesion result.

    Returns one row per pair: {"film_termination", "substrate_termination", "rigid" (doc or None), "relaxed" (doc
    or None), "error" (why a pair has no interface)}.
    """

    build = dict(build or {})
    fm, sm = check_miller(film_miller, "film Miller index"), check_miller(substrate_miller, "substrate Miller index")
    ftol = build.get("termination_ftol", 0.25)
    film_cut, _ = cut_structure(film, engine, store, variant) if relax_bulk else (load(film, variant), "")
    sub_cut, _ = cut_structure(substrate, engine, store, variant) if relax_bulk else (load(substrate, variant), "")
    film_faces = [f.label for f in contact_faces(film_cut, fm, "film", ftol)]
    sub_faces = [f.label for f in contact_faces(sub_cut, sm, "substrate", ftol)]
    if build.get("film_termination"):
        film_faces = [build["film_termination"]]
    if build.get("substrate_termination"):
        sub_faces = [build["substrate_termination"]]
    pairs = [(f, s) for f in film_faces for s in sub_faces]
    rows = []
    for i, (f, s) in enumerate(pairs, start=1):
        progress(f"pair {i}/{len(pairs)}: {f} | {s}, rigid")
        row = {"film_termination": f, "substrate_termination": s, "rigid": None, "relaxed": None, "error": None}
        try:
            req = adhesion(film, substrate, fm, sm, engine, {**build, "film_termination": f,
                                                             "substrate_termination": s}, relax=False,
                           relax_bulk=relax_bulk, variant=variant, store=store, force=force,
                           terminations_default=False)
        except SSBIError as exc:
            row["error"] = str(exc).splitlines()[0]
            rows.append(row)
            continue
        if req.outcome.status == "failed":
            row["error"] = req.outcome.message
        elif req.docs:
            row["rigid"] = req.docs[0]
        rows.append(row)
    ranked = sorted((r for r in rows if r["rigid"]), key=lambda r: -r["rigid"]["output"]["w_ad_rigid"])
    for i, row in enumerate(ranked[:max(relax_best, 0)], start=1):
        progress(f"relaxing {i}/{min(relax_best, len(ranked))}: {row['film_termination']} | "
                 f"{row['substrate_termination']}")
        req = adhesion(film, substrate, fm, sm, engine, {**build, "film_termination": row["film_termination"],
                                                         "substrate_termination": row["substrate_termination"]},
                       relax=True, relax_bulk=relax_bulk, variant=variant, store=store, force=force,
                       terminations_default=False)
        if req.docs:
            row["relaxed"] = req.docs[0]
        elif req.outcome.status == "failed":
            row["error"] = req.outcome.message
    return rows
