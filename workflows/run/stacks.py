"""Three-layer stacks put together from a study's stored results: one :class:`~ssbi.workflows.schemas.StackDoc` per
electrode | layer | electrolyte, saved beside the windows and reactions (a derived document: recomputing replaces
it).

The layer's window at the electrode's potential, its closed reactions with both neighbours and those open to Li at
that potential (the stability builder's documents), its band gap (configs/band_gaps.yaml), W_ad with both
neighbours (stored adhesion), Li's Young–Dupré contact angle on it (W_ad of Li on the layer and σ of the same Li
face, stored surface), and Li's diffusivity in its bulk (stored MD), judged by
:mod:`ssbi.interfaces.analysis.stack` with the engine's reaction-energy threshold.
"""

from __future__ import annotations

from typing import Callable, Optional

from pymatgen.core import Composition

from ssbi.interfaces.analysis.ranking import Candidate, RankingSettings, Side, verdict, weakest
from ssbi.interfaces.analysis.stack import StackSides, requirements, worse
from ssbi.interfaces.analysis.wetting import young_dupre
from ssbi.interfaces.materials import get_material
from ssbi.interfaces.surface_energy import lowest_termination
from ssbi.workflows.flows.md import bulk_label
from ssbi.workflows.run.faces import stored_surface
from ssbi.workflows.run.potentials import at_potential
from ssbi.workflows.schemas import StackDoc, StackInterface
from ssbi.workflows.stability.builder import StabilityTarget
from ssbi.workflows.store.band_gaps import band_gaps_with_store
from ssbi.workflows.store.derived import analysis_store, save

ELECTRODE_METAL = "Li"


def _is_li(name: str) -> bool:
    return Composition(get_material(name).formula).reduced_formula == ELECTRODE_METAL


def stack_targets(layer: str, electrode: str, electrolyte: str, voltage: Optional[float]) -> list[StabilityTarget]:
    """The stability documents a stack reads: the layer's window, its closed reactions with both neighbours and
    (``voltage`` known) those open to Li there (none with Li metal itself: Li is then the open element)."""
    out = [StabilityTarget("window", layer), StabilityTarget("reaction", layer, electrode),
           StabilityTarget("reaction", electrolyte, layer)]
    if voltage is not None:
        if not _is_li(electrode):
            out.append(StabilityTarget("reaction", layer, electrode, voltage=round(voltage, 4)))
        out.append(StabilityTarget("reaction", electrolyte, layer, voltage=round(voltage, 4)))
    return out


def _reading(doc: Optional[dict]) -> Optional[dict]:
    if not doc:
        return None
    m = doc["minimum"]
    return {"energy": m["energy"], "products": m["products"], "interphase": doc["interphase"]["type"],
            "x": m["x"], "voltage": doc.get("voltage"), "key": doc["key"]}


def _interface(neighbour: str, closed: Optional[dict], opened: Optional[dict], settings: RankingSettings,
               adhesion: Optional[dict], use_open: bool = True) -> tuple[StackInterface, Side]:
    """The interface's record and its side for the ranking: the worse of the closed reaction and (``use_open``) the
    reaction open to Li at the electrode's potential."""
    sides = [Side(neighbour, r["interphase"], r["energy"]) for r in ((closed, opened) if use_open else (closed,)) if r]
    side = Side(neighbour, None, None)
    for s in sides:
        side = s if side.interphase is None and side.energy is None else worse(side, s, settings)
    text = None if side.interphase is None and side.energy is None else verdict(side, settings.threshold_ev_atom)
    return StackInterface(neighbour=neighbour, closed=closed, open=opened, open_used=use_open and opened is not None,
                          verdict=text, energy=side.energy, w_ad=None if not adhesion else adhesion["w_ad"],
                          w_ad_kind=None if not adhesion else adhesion["kind"],
                          w_ad_faces=None if not adhesion else adhesion["faces"]), side


def stored_adhesion(job_store, film: str, substrate: str, engine: str) -> Optional[dict]:
    """W_ad (rigid, J/m²) and faces of the newest stored film | substrate adhesion of ``engine``."""
    docs = job_store.query({"output.kind": "adhesion", "output.film": film, "output.substrate": substrate,
                            "output.engine.name": engine},
                           properties=["output.w_ad_rigid", "output.w_ad_relaxed", "output.reacted", "output.uber",
                                       "output.film_miller", "output.substrate_miller", "output.termination", "uuid"],
                           sort={"completed_at": -1}, load=False)
    docs = list(docs)
    if not docs:
        return None
    # a relaxed W_ad that did not react wins (Young–Dupré wants the relaxed contact); then the UBER fit of a
    # separation scan (rigid slabs at their own gap); else the rigid one at the builder's gap
    doc = next((d for d in docs if d["output"].get("w_ad_relaxed") is not None and not d["output"].get("reacted")),
               None) or next((d for d in docs if d["output"].get("uber")), docs[0])
    o = doc["output"]
    faces = (f"{film}({''.join(map(str, o['film_miller']))}) {o['termination'][0]} | "
             f"{substrate}({''.join(map(str, o['substrate_miller']))}) {o['termination'][1]}")
    if o.get("w_ad_relaxed") is not None and not o.get("reacted"):
        kind, value = "relaxed", o["w_ad_relaxed"]
    elif o.get("uber"):
        kind, value = "UBER fit of a rigid separation scan", o["uber"]["w_ad"]
    else:
        kind, value = "rigid" + (" (the relaxation reacted)" if o.get("reacted") else ""), o["w_ad_rigid"]
    return {"w_ad": float(value), "kind": kind, "faces": faces, "uuid": doc.get("uuid")}


def stored_diffusion(job_store, layer: str, engine: str) -> Optional[dict]:
    """Li in the layer's bulk from its stored MD (label "<layer> bulk"): D per temperature and the Arrhenius fit."""
    doc = job_store.query_one({"output.kind": "aimd", "output.label": bulk_label(layer), "output.engine.name": engine},
                              properties=["output.temperatures", "output.arrhenius", "output.settings",
                                          "output.n_atoms", "uuid"], sort={"completed_at": -1}, load=False)
    if not doc:
        return None
    o = doc["output"]
    per_t, molten = {}, []
    for t in o["temperatures"]:
        d = next((r["diffusivity"] for r in t.get("transport", []) if r["region"] == "cell"), None)
        per_t[str(int(t["temperature"]))] = d
        if (t.get("framework") or {}).get("flows"):
            molten.append(str(int(t["temperature"])))
    return {"D_cm2_s": per_t, "molten": molten, "arrhenius": o.get("arrhenius"), "ps": o["settings"].get("ps"),
            "n_atoms": o["n_atoms"], "uuid": doc.get("uuid")}


def solid_diffusivity(diffusion: dict) -> tuple[Optional[str], Optional[float]]:
    """The highest MD temperature at which the layer stayed solid and its Li diffusivity; (None, None) when it
    melted at every temperature (runs stored before the framework check count as solid)."""
    solid = [t for t in diffusion["D_cm2_s"] if t not in diffusion.get("molten", [])]
    if not solid:
        return None, None
    top = max(solid, key=float)
    return top, diffusion["D_cm2_s"][top]


def assemble_stack(job_store, engine: str, layer: str, electrode: str, electrolyte: str, side: str,
                   voltage: Optional[float], key_of: Callable[[StabilityTarget], Optional[str]],
                   settings: RankingSettings, electrode_miller=(1, 0, 0), study: Optional[str] = None,
                   md_asked: bool = False, gaps: Optional[dict] = None) -> StackDoc:
    """The :class:`StackDoc` of one stack from what is stored (``key_of``: the stability builder's document key of
    a target, None where it failed; ``gaps``: the band gap table the builder classified with, else read here)."""
    analysis = analysis_store(job_store)
    notes: list[str] = []

    def doc(target: StabilityTarget) -> Optional[dict]:
        key = key_of(target)
        return analysis.query_one({"key": key}) if key else None

    vt = None if voltage is None else round(voltage, 4)
    window = doc(StabilityTarget("window", layer))
    at_v = None
    if window and voltage is not None:
        at_v = at_potential(window, voltage)
        at_v = {**at_v, "window": [window["reduction_limit"], window["oxidation_limit"]]}
    if voltage is None:
        notes.append(f"no potential for {electrode} on the {engine} hull: reactions open to Li not computed")
    closed_e = _reading(doc(StabilityTarget("reaction", layer, electrode)))
    open_e = _reading(doc(StabilityTarget("reaction", layer, electrode, voltage=vt))) if vt is not None and \
        not _is_li(electrode) else None
    if vt is not None and _is_li(electrode) and at_v:  # open to Li at 0 V against Li metal: the layer's own window
        open_e = {"energy": at_v["energy"], "products": at_v["products"], "interphase": at_v["interphase"],
                  "voltage": voltage, "key": window["key"]}
    closed_l = _reading(doc(StabilityTarget("reaction", electrolyte, layer)))
    open_l = _reading(doc(StabilityTarget("reaction", electrolyte, layer, voltage=vt))) if vt is not None else None
    film_sub = (electrode, layer)  # the electrode grows on the layer; the layer on the electrolyte
    ad_e = stored_adhesion(job_store, *film_sub, engine)
    ad_l = stored_adhesion(job_store, layer, electrolyte, engine)
    formula = Composition(get_material(layer).formula).reduced_formula
    gap = (band_gaps_with_store(job_store) if gaps is None else gaps).get(formula)
    layer_gap = None if gap is None else {"gap": gap.gap, "kind": gap.kind, "source": gap.source}
    if gap is None:
        notes.append(f"no band gap for {formula} in configs/band_gaps.yaml or the store: electron blocking unknown "
                     f"(`ssbi gap {layer}` computes one)")
    # the electrolyte behind X sees the electrode's potential only through X's electrons: an insulating X leaves
    # it the closed (chemical) reaction with X; a metal, semiconductor or unknown X passes the potential on
    blocks = gap is not None and gap.kind == "insulator"
    if blocks and open_l is not None:
        notes.append(f"{layer} blocks electrons: {layer}|{electrolyte} judged closed (the reaction open to Li at "
                     f"{voltage:.2f} V is kept in the document)")
    with_e, side_e = _interface(electrode, closed_e, open_e, settings, ad_e)
    with_l, side_l = _interface(electrolyte, closed_l, open_l, settings, ad_l, use_open=not blocks)
    for name, r in ((f"{layer}|{electrode}", closed_e), (f"{layer}|{electrolyte}", closed_l)):
        if r is None:
            notes.append(f"reaction {name} not computed (phase set missing or failed: see `ssbi run`'s messages)")

    if not get_material(layer).has_structure:
        notes.append(f"{layer} is given by composition only (no crystal structure): W_ad, Li's contact angle and "
                     "its MD are not computed; its window, reactions and interphase types come from the hull")
    for pair, ad in ((f"{electrode} on {layer}", ad_e), (f"{layer} on {electrolyte}", ad_l)):
        if ad is not None and ad["w_ad"] < 0:
            notes.append(f"W_ad of {pair} is negative ({ad['w_ad']:+.2f} J/m², {ad['kind']}): the slabs repel at "
                         "the built gap and registry and the relaxation found no bound contact; read it as no "
                         "adhesion at these faces (a separation scan, `ssbi adhesion --scan-separation`, finds the "
                         "minimum if there is one)")
    wetting = None
    if side == "anode" and ad_e is not None:
        surface = stored_surface(job_store, electrode, electrode_miller, engine)
        if surface:
            label, sigma = lowest_termination(surface, voltage)
            if sigma:
                wetting = {**young_dupre(ad_e["w_ad"], sigma).as_dict(),
                           "face": f"{electrode}({''.join(map(str, electrode_miller))}) {label}",
                           "w_ad_faces": ad_e["faces"]}
        if wetting is None:
            notes.append(f"no stored σ of {electrode}{tuple(electrode_miller)}: contact angle not computed")

    diffusion = stored_diffusion(job_store, layer, engine)
    if diffusion is None:
        notes.append("Li diffusivity in the layer: not computed" + (" yet (its MD is not stored)" if md_asked else
                                                                     " (analyses.stacks.md)"))
    d_top = None
    if diffusion and diffusion["D_cm2_s"]:
        t_top, d_top = solid_diffusivity(diffusion)
        if diffusion.get("molten"):
            notes.append(f"{layer}'s framework flowed (molten) in the MD at {', '.join(diffusion['molten'])} K: "
                         + (f"D_Li from {t_top} K" if t_top else "no solid-state D_Li (run it at lower temperatures)"))
    sides = StackSides(side_e, side_l, gap_kind=None if gap is None else gap.kind,
                       theta_deg=None if wetting is None else wetting["theta_deg"],
                       d_li=None if diffusion is None or d_top is None else max(d_top, 0.0))
    reqs = requirements(sides, settings, anode_side=side == "anode")
    worst = weakest(Candidate(layer, extra_sides=[side_e, side_l]), settings)
    weakest_text = None
    if worst is not None and (worst.interphase is not None or worst.energy is not None):
        energy = "" if worst.energy is None else f" {worst.energy:+.3f} eV/atom"
        weakest_text = f"{layer}|{worst.electrode}: {verdict(worst, settings.threshold_ev_atom)}{energy}"
    key = f"stack|{side}|{electrode}|{layer}|{electrolyte}|{engine}"
    return StackDoc(key=key, side=side, layer=layer, electrode=electrode, electrolyte=electrolyte, engine=engine,
                    study=study, potential=voltage, layer_gap=layer_gap, layer_at_potential=at_v,
                    with_electrode=with_e, with_electrolyte=with_l, wetting=wetting, diffusion=diffusion,
                    requirements=reqs, weakest=weakest_text, threshold_ev_atom=settings.threshold_ev_atom,
                    notes=notes)


def save_stack(job_store, doc: StackDoc) -> str:
    save(analysis_store(job_store), [doc])
    return doc.key
