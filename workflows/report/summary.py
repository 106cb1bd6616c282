"""The study report: a ranked electrolyte table and the plots, as one HTML file (images embedded) and Markdown."""

from __future__ import annotations

import math
from typing import Optional

from pymatgen.core import Composition

from ssbi.interfaces.analysis.mechanics import monroe_newman
from ssbi.interfaces.analysis.ranking import (
    Candidate,
    RankingSettings,
    Side,
    rank,
    reaction_threshold,
    rule_text,
    verdict,
    weakest,
)
from ssbi.interfaces.errors import SSBIError
from ssbi.interfaces.materials import get_material
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.report.results import Results
from ssbi.workflows.run.potentials import anode_potential, at_potential, cathode_couple
from ssbi.workflows.store.derived import analysis_store
from ssbi.workflows.study.spec import StudySpec

SUMMARY_COLUMNS = ["rank", "electrolyte", "window_V", "E_hull_meV", "rxn_anode_eV_atom", "interphase_anode",
                   "products_anode", "rxn_alloy_eV_atom", "interphase_alloy", "rxn_cathode_eV_atom",
                   "oxidation_at_cathode", "rxn_cathode_V_eV_atom", "interphase_cathode", "products_cathode",
                   "W_ad_anode_J_m2", "W_ad_cathode_J_m2",
                   "W_ad_by_electrode", "md_temperature_K", "md_growth_rate", "md_growth_law", "md_intact_PS4",
                   "md_D_interface_over_bulk", "G_GPa", "G_over_G_Li", "dendrite_verdict", "weakest_side"]


def _formula(name: str) -> str:
    """The reduced formula of a library name (beta-Li3PS4) or of a formula."""
    try:
        return Composition(get_material(name).formula).reduced_formula
    except SSBIError:
        return Composition(name).reduced_formula


def _same(a: str, b: str) -> bool:
    return _formula(a) == _formula(b)


def _num(v) -> Optional[float]:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _r(v, digits: int) -> Optional[float]:
    """Rounded, with -0.0 shown as 0.0."""
    return None if v is None else round(float(v), digits) + 0.0


def anode_potentials(spec: StudySpec, results: Results, engine=None) -> dict:
    """:class:`~ssbi.interfaces.analysis.electrode.ElectrodePotential` of each alloy anode of the study (LiIn), from
    its own Li hull (stored and shipped entries of the study's engine; ``engine``: resolved, default the study
    engine's name); Li metal (0 V) and anodes whose hull has no entries are left out."""
    alloys = [n for n in spec.anodes if len(Composition(_formula(n)).elements) > 1]
    if not alloys:
        return {}
    engine = engine or get_engine(spec.engine)
    found = {name: anode_potential(results.store, engine, name, spec.known_phases_only) for name in alloys}
    return {k: v for k, v in found.items() if v is not None}


def cathode_potential(spec: StudySpec, results: Results, engine=None):
    """The couple the study's first cathode cycles (S8 or Li2S: S/Li2S) as an
    :class:`~ssbi.interfaces.analysis.electrode.ElectrodePotential`; None without a cathode or its hull
    (``engine``: resolved, default the study engine's name)."""
    if not spec.cathodes:
        return None
    return cathode_couple(results.store, engine or get_engine(spec.engine), spec.cathodes[0], spec.known_phases_only)


def md_summary(results: Results, spec: StudySpec, electrolyte: str) -> dict:
    """The MD of the study's first anode | ``electrolyte`` interface that has one, at its highest temperature:
    reacted-zone growth (rate and law), intact PS4 at the end, and Li's diffusivity in the interface zone over that
    in the electrolyte region of the same cell; {} without an MD."""
    for anode in spec.anodes:
        doc = results.store.query_one({"output.kind": "aimd", "output.label": f"{anode}|{electrolyte}",
                                       "output.engine.name": spec.engine},
                                      properties=["output.temperatures", "output.label"], sort={"completed_at": -1},
                                      load=False)
        if not doc:
            continue
        t = max(doc["output"]["temperatures"], key=lambda x: x["temperature"])
        d = {r["region"]: r["diffusivity"] for r in t.get("transport", [])}
        ratio = d["interface"] / d["electrolyte"] if d.get("interface") and d.get("electrolyte") else None
        growth = t.get("growth") or {}
        intact = t.get("intact_ps4_fraction") or []
        return {"pair": doc["output"]["label"], "temperature": t["temperature"],
                "ps": t["times_ps"][-1] if t.get("times_ps") else None, "growth_rate": growth.get("rate"),
                "growth_law": growth.get("law"), "intact_ps4": intact[-1] if intact else None,
                "d_ratio": ratio, "d_interface": d.get("interface"), "d_electrolyte": d.get("electrolyte")}
    return {}


def best_anode(options: list[tuple[str, str, Optional[float]]], order: list[str]):
    """(anode, interphase, reaction energy) of the anode with the best interphase (``order``, best first); the first
    in study order on a tie; None without any."""
    known = [o for o in options if o[1] is not None]
    if not known:
        return None
    rank_of = {k: i for i, k in enumerate(order)}
    return min(known, key=lambda o: rank_of.get(o[1], rank_of.get("undetermined", len(order))))


def mechanics_note(spec: StudySpec) -> str:
    other = spec.mechanics_engine
    return "" if other == spec.engine else f" (elastic tensors: {other})"


def _window_row(windows: list[dict], name: str, formula: str) -> Optional[dict]:
    return next((r for r in windows if r["electrolyte"] == name), None) or next(
        (r for r in windows if _same(r["electrolyte"], formula)), None)


def _mechanics_row(mechanics: dict, name: str, g_li: Optional[float]) -> tuple[dict, Optional[bool]]:
    """The electrolyte's stored mechanics with G/G_Li from the study's G_Li where given; and the Monroe–Newman
    boolean (None without G_Li)."""
    m = dict(mechanics.get(name, {}))
    if m and g_li:  # the study's G_Li, not the engine's own Li
        mn = monroe_newman(float(m["G_vrh_GPa"]), g_li)
        m.update(G_over_G_Li=mn["ratio"], suppresses_dendrites=mn["suppresses_dendrites"])
    suppresses = None if not m or _num(m.get("suppresses_dendrites")) is None else bool(m["suppresses_dendrites"])
    return m, suppresses


def _w_ad_by_electrode(adhesion: list[dict], electrolyte: str, electrodes: list[str]) -> dict[str, float]:
    """{electrode: W_ad} with ``electrolyte``: the newest, relaxed where the study relaxed."""
    w_ad = {}
    for electrode in electrodes:
        ad = [r for r in adhesion if r["substrate"] == electrolyte and r["film"] == electrode]
        if ad:
            relaxed = _num(ad[0]["w_ad_relaxed_J_m2"])
            w_ad[electrode] = relaxed if relaxed is not None else ad[0]["w_ad_rigid_J_m2"]
    return w_ad


def _anode_side(spec: StudySpec, alloys: dict, at_alloy: dict, rx: dict, order: list[str]):
    """The anode with the best interphase (Li metal by its closed reaction, an alloy at its own potential):
    (anode, interphase, reaction energy, products) or None; and its summary text ("stable at 0.51 V (LiIn)")."""
    options, products = [], {}
    for a in spec.anodes:
        if a in at_alloy:
            options.append((a, at_alloy[a]["interphase"], rx[a]["E_min_eV_atom"] if rx[a] else None))
            products[a] = " + ".join(at_alloy[a]["products"])
        elif rx[a]:
            options.append((a, rx[a]["interphase"], rx[a]["E_min_eV_atom"]))
            products[a] = rx[a]["products"]
    chosen = best_anode(options, order)
    if chosen is None:
        return None, None
    if chosen[0] in alloys:
        text = f"{chosen[1]} at {alloys[chosen[0]].potential:.2f} V ({alloys[chosen[0]].electrode})"
    else:
        text = f"{chosen[1]} ({chosen[0]})"
    return (*chosen, products[chosen[0]]), text


def _at_cathode_text(couple, doc: dict, at_cathode: Optional[dict]) -> Optional[str]:
    """"stable at 2.21 V (S/Li2S)", "oxidised at … to …", or "reduced at …" where the couple lies below the
    electrolyte's reduction limit."""
    if not at_cathode:
        return None
    where = f"at {couple.potential:.2f} V ({couple.electrode})"
    if at_cathode["interphase"] == "stable":
        return f"stable {where}"
    side = "reduced" if couple.potential < doc["reduction_limit"] else "oxidised"
    return f"{side} {where} to {' + '.join(at_cathode['products'])}"


def _md_columns(md: dict) -> dict:
    return {"md_temperature_K": md.get("temperature"),
            "md_growth_rate": None if md.get("growth_rate") is None else _r(md["growth_rate"], 2),
            "md_growth_law": md.get("growth_law"),
            "md_intact_PS4": None if md.get("intact_ps4") is None else _r(md["intact_ps4"], 2),
            "md_D_interface_over_bulk": None if md.get("d_ratio") is None else _r(md["d_ratio"], 2)}


def ranking_settings(spec: StudySpec, rank_by: str = "weakest-side") -> tuple[RankingSettings, str]:
    """The study's ranking rule (``rank_by``) with its engine's reaction-energy threshold; and the rule in words."""
    threshold, source = reaction_threshold(spec.engine)
    settings = RankingSettings(rank_by=rank_by, threshold_ev_atom=threshold)
    return settings, rule_text(settings, source)


def _within(text: Optional[str], interphase: Optional[str], energy: Optional[float],
            settings: RankingSettings) -> Optional[str]:
    """"mixed-conducting (Li)" → "stable within error (Li; mixed-conducting by the hull)" where the reaction is
    weaker than the engine's error threshold."""
    if text is None or interphase in (None, "stable") or energy is None or energy <= -settings.threshold_ev_atom:
        return text
    kind, _, where = text.partition(" (")
    return f"stable within error ({where.rstrip(')')}; {kind} by the hull)" if where else "stable within error"


def _side_text(side: Optional[Side], settings: RankingSettings) -> Optional[str]:
    if side is None:
        return None
    energy = "" if side.energy is None else f" {side.energy:+.3f}"
    return f"{side.electrode}: {verdict(side, settings.threshold_ev_atom)}{energy}"


def study_summary(spec: StudySpec, results: Results, settings: Optional[RankingSettings] = None) -> list[dict]:
    """One row per electrolyte, ranked by :func:`ssbi.interfaces.analysis.ranking.rank` with ``settings`` (default:
    :func:`ranking_settings`, the weakest side with the engine's error threshold); ``weakest_side`` names the side
    that decided each place."""
    settings = settings or ranking_settings(spec)[0]
    formula = {n: get_material(n).formula for n in [*spec.anodes, *spec.cathodes, *spec.electrolytes]}
    hypothetical = not spec.known_phases_only
    windows = results.windows(engine=spec.engine, hypothetical=hypothetical).to_dict("records")
    reactions = results.reactions(engine=spec.engine, hypothetical=hypothetical).to_dict("records")
    adhesion = results.adhesion(engine=spec.engine).to_dict("records")
    mechanics = {r["material"]: r for r in results.mechanics(engine=spec.mechanics_engine).to_dict("records")}
    g_li = spec.analyses.mechanics.g_li_gpa if spec.analyses.mechanics else None
    engine = get_engine(spec.engine)  # its entries (the name's settings: those the shipped entries match)
    alloys = anode_potentials(spec, results, engine)
    first_alloy = next(iter(alloys), None)  # the study's first alloy anode (its own columns)
    couple = cathode_potential(spec, results, engine) if spec.analyses.window else None
    rows, candidates = [], []
    for e in spec.electrolytes:
        w = _window_row(windows, e, formula[e])
        rx = {a: next((r for r in reactions if _same(r["b"], formula[e]) and _same(r["a"], formula[a])), None)
              for a in [*spec.anodes, *spec.cathodes]}
        worst = min((c for c in spec.cathodes if rx[c]), key=lambda c: rx[c]["E_min_eV_atom"], default=None)
        cathode = rx[worst] if worst else None  # the cathode that reacts most, by its study name (S8, not S)
        m, suppresses = _mechanics_row(mechanics, e, g_li)
        w_ad = _w_ad_by_electrode(adhesion, e, [*spec.anodes, *spec.cathodes])
        doc = analysis_store(results.store).query_one({"key": w["key"]}) if w and (alloys or couple) else None
        at_alloy = {a: at_potential(doc, p.potential) for a, p in alloys.items()} if doc else {}
        at_cathode = at_potential(doc, couple.potential) if doc and couple else None
        chosen, interphase_anode = _anode_side(spec, alloys, at_alloy, rx, settings.interphase_order)
        ia = at_alloy.get(first_alloy) if first_alloy else None
        w_anode = next((w_ad[a] for a in spec.anodes if a in w_ad), None)
        w_cathode = next((w_ad[c] for c in spec.cathodes if c in w_ad), None)
        oxidation = None if w is None or _num(w["oxidation_V"]) is None else format(w["oxidation_V"], ".2f")
        row = {
            "electrolyte": e,
            "window_V": None if not w else f"{w['reduction_V']:.2f}–{oxidation or '—'}",
            "E_hull_meV": None if not w else _r(w["e_above_hull_meV"], 1),
            "rxn_anode_eV_atom": None if not chosen or chosen[2] is None else _r(chosen[2], 3),
            "interphase_anode": _within(interphase_anode, chosen[1] if chosen else None,
                                        chosen[2] if chosen else None, settings),
            "products_anode": None if not chosen else chosen[3],
            "rxn_alloy_eV_atom": None if not ia else _r(ia["energy"], 3),
            "interphase_alloy": None if not ia else
            f"{ia['interphase']} at {alloys[first_alloy].potential:.2f} V ({alloys[first_alloy].electrode})",
            "rxn_cathode_eV_atom": None if not cathode else _r(cathode["E_min_eV_atom"], 3),
            "oxidation_at_cathode": _at_cathode_text(couple, doc, at_cathode),
            "rxn_cathode_V_eV_atom": None if not at_cathode else _r(at_cathode["energy"], 3),
            "interphase_cathode": None if not cathode else _within(f"{cathode['interphase']} ({worst})",
                                                                   cathode["interphase"], cathode["E_min_eV_atom"],
                                                                   settings),
            "products_cathode": None if not cathode else cathode["products"],
            "W_ad_anode_J_m2": None if w_anode is None else _r(w_anode, 3),
            "W_ad_cathode_J_m2": None if w_cathode is None else _r(w_cathode, 3),
            "W_ad_by_electrode": None if len(w_ad) < 2 else ", ".join(f"{k} {v:.2f}" for k, v in w_ad.items()),
            **_md_columns(md_summary(results, spec, e) if spec.analyses.md else {}),
            "G_GPa": None if not m else _r(m["G_vrh_GPa"], 1),
            "G_over_G_Li": None if not m or _num(m.get("G_over_G_Li")) is None else _r(m["G_over_G_Li"], 2),
            "dendrite_verdict": (None if suppresses is None else
                                 "suppressing" if suppresses else "not suppressing"),
        }
        rows.append(row)
        couple_side = [Side(f"cathode at {couple.potential:.2f} V ({couple.electrode})", at_cathode["interphase"],
                            at_cathode["energy"])] if at_cathode else []
        candidate = Candidate(e, chosen[1] if chosen else None, suppresses, chosen[2] if chosen else None,
                              cathode["E_min_eV_atom"] if cathode else None,
                              interphase_cathode=cathode["interphase"] if cathode else None,
                              w_ad_anode=w_anode, extra_sides=couple_side)
        side = weakest(candidate, settings)
        if side is not None and side.electrode in ("anode", "cathode"):
            side = Side(f"{side.electrode} ({chosen[0] if side.electrode == 'anode' else worst})", side.interphase,
                        side.energy)
        row["weakest_side"] = _side_text(side, settings)
        candidates.append(candidate)
    by_name = {r["electrolyte"]: r for r in rows}
    ranked = [by_name[c.name] for c in rank(candidates, settings)]
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    return [{k: r[k] for k in SUMMARY_COLUMNS} for r in ranked]
