"""The study report: a ranked electrolyte table and the plots, as one HTML file (images embedded) and Markdown."""

from __future__ import annotations

import base64
import html
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from pymatgen.core import Composition

from interfaces.analysis.ranking import RankingSettings
from workflows.query import Results
from workflows.study import StudySpec

SUMMARY_COLUMNS = ["rank", "electrolyte", "window_V", "E_hull_meV", "rxn_anode_eV_atom", "interphase_anode",
                   "products_anode", "rxn_alloy_eV_atom", "interphase_alloy", "rxn_cathode_eV_atom",
                   "oxidation_at_cathode", "rxn_cathode_V_eV_atom", "interphase_cathode", "products_cathode",
                   "W_ad_anode_J_m2", "W_ad_cathode_J_m2",
                   "W_ad_by_electrode", "md_temperature_K", "md_growth_rate", "md_growth_law", "md_intact_PS4",
                   "md_D_interface_over_bulk", "G_GPa", "G_over_G_Li", "dendrite_verdict"]


def _formula(name: str) -> str:
    """The reduced formula of a library name (beta-Li3PS4) or of a formula."""
    from interfaces.errors import SSBIError
    from interfaces.materials import get_material

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


def anode_potentials(spec: StudySpec, results: Results) -> dict:
    """:class:`~interfaces.analysis.electrode.ElectrodePotential` of each alloy anode of the study (LiIn), from
    its own Li hull (stored and shipped entries of the study's engine); Li metal (0 V) and anodes whose hull has
    no entries are left out."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    from interfaces.analysis.electrode import electrode_potential
    from interfaces.errors import SSBIError
    from workflows.entries import entries_from_store

    out = {}
    for name in spec.anodes:
        comp = Composition(_formula(name))
        elements = sorted(el.symbol for el in comp.elements)
        if "Li" not in elements or len(elements) == 1:
            continue
        try:
            entries = entries_from_store(results.store, elements, spec.engine)
            out[name] = electrode_potential(PhaseDiagram(entries), comp)
        except (SSBIError, ValueError):
            continue
    return out


def cathode_potential(spec: StudySpec, results: Results):
    """The couple the study's first cathode cycles, host / its Li-richest phase on the hull (S8 or Li2S: S/Li2S),
    as an :class:`~interfaces.analysis.electrode.ElectrodePotential`; None without a cathode or its hull."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    from interfaces.analysis.electrode import couple_potential
    from interfaces.errors import SSBIError
    from workflows.entries import entries_from_store

    if not spec.cathodes:
        return None
    comp = Composition(_formula(spec.cathodes[0]))
    host = Composition({k: v for k, v in comp.items() if k.symbol != "Li"})
    if not host.num_atoms:
        return None
    try:
        pd = PhaseDiagram(entries_from_store(results.store, sorted({"Li", *(e.symbol for e in host)}), spec.engine))
        lithiated = [e.composition for e in pd.stable_entries if "Li" in {x.symbol for x in e.composition.elements}
                     and Composition({k: v for k, v in e.composition.items() if k.symbol != "Li"}).reduced_formula
                     == host.reduced_formula]
        if not lithiated:
            return None
        richest = max(lithiated, key=lambda c: c.get_atomic_fraction("Li"))
        return couple_potential(pd, richest, host)
    except (SSBIError, ValueError):
        return None


def at_potential(window: dict, voltage: float, gaps=None) -> dict:
    """An electrolyte at ``voltage`` (V vs Li/Li+) from its stored window document: stable inside the window
    (the phase put on the hull, as for the window), else the products of the plateau there, their grand-potential
    decomposition energy (eV/atom of the phase on the hull) and the interphase type."""
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram

    from interfaces.analysis.interphase import classify_interphase
    from interfaces.analysis.window import decomposition_at

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


def _mech_note(spec: StudySpec) -> str:
    other = spec.mechanics_engine
    return "" if other == spec.engine else f" (elastic tensors: {other})"


def _window_row(windows: list[dict], name: str, formula: str) -> Optional[dict]:
    return next((r for r in windows if r["electrolyte"] == name), None) or next(
        (r for r in windows if _same(r["electrolyte"], formula)), None)


def _mechanics_row(mechanics: dict, name: str, g_li: Optional[float]) -> tuple[dict, Optional[bool]]:
    """The electrolyte's stored mechanics with G/G_Li from the study's G_Li where given; and the Monroe–Newman
    boolean (None without G_Li)."""
    from interfaces.analysis.mechanics import monroe_newman

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


def study_summary(spec: StudySpec, results: Results, settings: RankingSettings = RankingSettings()) -> list[dict]:
    """One row per electrolyte, ranked by :func:`interfaces.analysis.ranking.rank`: interphase against the anode
    (stable, passivating, then growing), then the dendrite criterion, then the reaction energy with the anode
    (least negative first)."""
    from interfaces.analysis.ranking import Candidate, rank
    from interfaces.materials import get_material
    from workflows.stability import analysis_store

    formula = {n: get_material(n).formula for n in [*spec.anodes, *spec.cathodes, *spec.electrolytes]}
    windows = results.windows(engine=spec.engine).to_dict("records")
    reactions = results.reactions(engine=spec.engine).to_dict("records")
    adhesion = results.adhesion(engine=spec.engine).to_dict("records")
    mechanics = {r["material"]: r for r in results.mechanics(engine=spec.mechanics_engine).to_dict("records")}
    g_li = spec.analyses.mechanics.g_li_gpa if spec.analyses.mechanics else None
    alloys = anode_potentials(spec, results)
    first_alloy = next(iter(alloys), None)  # the study's first alloy anode (its own columns)
    couple = cathode_potential(spec, results) if spec.analyses.window else None
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
            "interphase_anode": interphase_anode,
            "products_anode": None if not chosen else chosen[3],
            "rxn_alloy_eV_atom": None if not ia else _r(ia["energy"], 3),
            "interphase_alloy": None if not ia else
            f"{ia['interphase']} at {alloys[first_alloy].potential:.2f} V ({alloys[first_alloy].electrode})",
            "rxn_cathode_eV_atom": None if not cathode else _r(cathode["E_min_eV_atom"], 3),
            "oxidation_at_cathode": _at_cathode_text(couple, doc, at_cathode),
            "rxn_cathode_V_eV_atom": None if not at_cathode else _r(at_cathode["energy"], 3),
            "interphase_cathode": None if not cathode else f"{cathode['interphase']} ({worst})",
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
        candidates.append(Candidate(e, chosen[1] if chosen else None, suppresses, chosen[2] if chosen else None,
                                    cathode["E_min_eV_atom"] if cathode else None))
    by_name = {r["electrolyte"]: r for r in rows}
    ranked = [by_name[c.name] for c in rank(candidates, settings)]
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    return [{k: r[k] for k in SUMMARY_COLUMNS} for r in ranked]


def _cell(v) -> str:
    return "—" if v is None else str(v)


OPTIONAL_COLUMNS = ("rxn_alloy_eV_atom", "interphase_alloy", "oxidation_at_cathode", "rxn_cathode_V_eV_atom",
                    "W_ad_cathode_J_m2", "W_ad_by_electrode", "md_temperature_K", "md_growth_rate", "md_growth_law",
                    "md_intact_PS4", "md_D_interface_over_bulk")
# (alloy anode; cathode couple; cathode adhesion; MD): only where the study has them


def shown_columns(rows: list[dict]) -> list[str]:
    """The summary's columns, without the alloy-anode ones where no row has them."""
    return [c for c in SUMMARY_COLUMNS if c not in REPORT_HIDDEN and
            (c not in OPTIONAL_COLUMNS or any(r.get(c) is not None for r in rows))]


def markdown_table(rows: list[dict]) -> str:
    cols = shown_columns(rows)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_cell(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def make_plots(spec: StudySpec, results: Results, out: Path, rows: Optional[list[dict]] = None
               ) -> list[tuple[str, Path]]:
    """The study's plots written into ``out``: (caption, path); with the summary ``rows``, the cell diagrams
    first."""
    from workflows.plots import (plot_adhesion, plot_cells, plot_md, plot_mechanics, plot_reactions, plot_uber,
                                 plot_windows)
    from workflows.stability import analysis_store

    plots = []
    if rows and any(r.get("interphase_anode") or r.get("interphase_cathode") for r in rows):
        plots.append(("The cell per electrolyte, best first: anode | interphase | electrolyte | interphase | "
                      "cathode; each interphase's products with their electronic character (band-gap table "
                      "configs/band_gaps.yaml); anode side: the anode with the best interphase (Li by its closed "
                      "reaction, an alloy at its potential); cathode side: the closed reaction with the cathode, "
                      "then the electrolyte at the cathode couple's potential (Li open)",
                      plot_cells(rows, out / "cells.png")))
    store = analysis_store(results.store)
    keys = results.windows(study=spec)["key"].tolist()
    if keys:
        docs = list(store.query({"key": {"$in": keys}}, sort={"formula": 1}))
        plots.append(("Electrochemical windows vs Li/Li⁺ (bar: stable range; dashed: S/Li2S cathode)",
                      plot_windows(docs, out / "windows.png")))
    keys = results.reactions(study=spec)["key"].tolist()
    if keys:
        docs = list(store.query({"key": {"$in": keys}}))
        plots.append(("Interfacial reaction energy vs mixing ratio (closed system)",
                      plot_reactions(docs, out / "reactions.png")))
    adhesion = results.adhesion(study=spec)
    if len(adhesion):
        plots.append(("Work of adhesion with each electrode", plot_adhesion(adhesion.to_dict("records"),
                                                                      out / "adhesion.png")))
        for uuid in adhesion["id"]:
            doc = results.store.query_one({"uuid": uuid}, load=False)["output"]
            if doc.get("uber"):
                plots.append((f"UBER fit {doc['film']} | {doc['substrate']}",
                              plot_uber(doc, out / f"uber_{doc['film']}_{doc['substrate']}.png")))
    mech = results.mechanics(study=spec, engine=spec.mechanics_engine)
    if len(mech):
        plots.append(("Shear moduli and the Monroe–Newman criterion", plot_mechanics(mech.to_dict("records"),
                                                                                    out / "mechanics.png")))
    md = results.md(study=spec) if spec.analyses.md else []
    for uuid in dict.fromkeys(md["id"]) if len(md) else []:
        doc = results.store.query_one({"uuid": uuid}, load=False)["output"]
        plots.append((f"MD of {doc['label']}: MSD per region, intact PS4, composition",
                      plot_md(doc, out / f"md_{doc['label'].replace('|', '_')}.png")))
    return plots


def caveat_rows(spec: StudySpec) -> list[tuple[str, str]]:
    """(columns, caveat) of the study's engine for the analyses the study ran; one line when it has none."""
    from workflows.engine_caveats import COLUMNS, QUANTITIES, engine_caveats, validation_source

    measured = bool(engine_caveats(spec.engine))
    caveats = engine_caveats(spec.engine) or {
        q: f"{spec.engine} has not been validated (benchmarks/validate_engines.py): no measured error bar"
        for q in QUANTITIES}
    ran = {"window": spec.analyses.window, "reactions": spec.analyses.reactions, "adhesion": spec.analyses.adhesion,
           "mechanics": spec.analyses.mechanics, "md": spec.analyses.md}
    out = [(", ".join(COLUMNS[q]) or q, text) for q, text in caveats.items()
           if ran.get(q) is not None and not (q == "mechanics" and spec.mechanics_engine != spec.engine)]
    if ran["mechanics"] is not None and spec.mechanics_engine != spec.engine:
        other = spec.mechanics_engine
        text = engine_caveats(other).get("mechanics", f"{other} has not been validated: no measured error bar")
        out.append((", ".join(COLUMNS["mechanics"]), f"elastic tensors from {other} (analyses.mechanics.engine), "
                                                     f"not {spec.engine}: {text}"))
    given = spec.analyses.mechanics.g_li_gpa if spec.analyses.mechanics else None
    if given:
        out.append(("G_over_G_Li, dendrite_verdict", f"G_Li = {given:g} GPa as given in the study "
                    f"(analyses.mechanics.g_li_gpa), not {spec.engine}'s own Li"))
    source = validation_source()
    return out + ([("source", source)] if source and measured else [])


def number_sources(spec: StudySpec) -> list[tuple[str, str, str]]:
    """(columns, engine and model, what the number is made of) for each analysis the study ran: the engine and the
    energy scale behind every number of the summary."""
    from workflows.engine_caveats import COLUMNS
    from workflows.engines import engine_config

    def who(name: str) -> str:
        model = engine_config(name).get("model")
        return f"{name} ({model})" if model else name

    scale = engine_config(spec.engine).get("energy_scale", "raw-gga")
    scale_text = {"mp2020": "MP2020-compatible (the model was trained on corrected energies; no correction applied "
                            "again)", "raw-gga": "raw GGA(+U) total energies, no MP2020 correction"}.get(scale, scale)
    hull = (f"total energies on the {scale} scale, {scale_text}: the hull of the engine's own relaxed phases and "
            "its shipped entries, never mixed with another engine's; a metastable electrolyte is put on the hull "
            "for its window, E_hull says by how much; LiIn and S/Li2S potentials from the same hull")
    basis = {"window": hull,
             "reactions": f"the same hull ({scale}); closed system, the most negative over mixing ratios, eV per "
                          "atom of mixture; interphase type from configs/band_gaps.yaml",
             "adhesion": "energy differences of one engine in the interface's own strained cell, J/m² (no energy "
                         "scale enters); rigid unless the study relaxes",
             "mechanics": "stress–strain fit of the elastic tensor (atomate2 elastic flow), GPa (no energy scale); "
                          "G is the Voigt–Reuss–Hill average",
             "md": "forces of the engine in Langevin NVT MD of the small interface cell (no energy scale); D from "
                   "the MSD per region, growth from the reacted-zone width"}
    ran = {"window": spec.analyses.window, "reactions": spec.analyses.reactions, "adhesion": spec.analyses.adhesion,
           "mechanics": spec.analyses.mechanics, "md": spec.analyses.md}
    out = []
    for q, text in basis.items():
        if ran[q] is None:
            continue
        engine = spec.mechanics_engine if q == "mechanics" else spec.engine
        out.append((", ".join(COLUMNS[q]), who(engine), text))
    given = spec.analyses.mechanics.g_li_gpa if spec.analyses.mechanics else None
    if given:
        out.append(("G_over_G_Li, dendrite_verdict", "given", f"G_Li = {given:g} GPa (analyses.mechanics.g_li_gpa)"))
    return out


REPORT_HIDDEN = ("products_anode", "products_cathode")  # in the cell diagrams and their table instead


def cell_table(rows: list[dict]) -> str:
    """Markdown: each electrolyte's cell, anode | products | electrolyte | products | cathode."""
    lines = ["| # | anode side (interphase: products) | electrolyte | cathode side | at the cathode couple |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['rank']} | {_cell(r['interphase_anode'])}: {_cell(r['products_anode'])} | "
                     f"{r['electrolyte']} | {_cell(r['interphase_cathode'])}: {_cell(r['products_cathode'])} | "
                     f"{_cell(r['oxidation_at_cathode'])} |")
    return "\n".join(lines)


def write_report(spec: StudySpec, results: Results, out: Path, timings: Optional[dict] = None,
                 rows: Optional[list[dict]] = None) -> dict:
    """report.html (single file, images embedded), summary.md and the PNGs in ``out``; ``rows``: the
    :func:`study_summary` already made (its hulls are not built twice)."""
    out.mkdir(parents=True, exist_ok=True)
    rows = rows if rows is not None else study_summary(spec, results)
    plots = make_plots(spec, results, out, rows)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    caveats = caveat_rows(spec)
    sources = number_sources(spec)
    md = [f"# Study {spec.name}", "", spec.description, "",
          f"Engine: {spec.engine}{_mech_note(spec)}; anodes {', '.join(spec.anodes)}; cathodes {', '.join(spec.cathodes) or '—'}; "
          f"generated {stamp}.", "", "## Ranked electrolytes", "", markdown_table(rows), "",
          "Ranking: interphase against the anode (stable, passivating, then mixed-conducting), then the "
          "Monroe–Newman verdict (G/G_Li > 2), then the reaction energy with the anode (least negative first). "
          "Reaction energies are the most negative over mixing ratios, eV per atom of mixture.", ""]
    if any(r.get("interphase_anode") or r.get("interphase_cathode") for r in rows):
        md += ["## The cell", "", cell_table(rows), ""]
    md += ["### Engine and energy scale of each number", "", "| columns | engine | what the number is |",
           "|---|---|---|"] + [f"| {c} | {e} | {t} |" for c, e, t in sources] + [""]
    md += [f"### Known weaknesses of {spec.engine} for these numbers", "",
           "| columns | measured caveat |", "|---|---|"] + [f"| {c} | {t.replace('|', chr(92) + '|')} |"
                                                          for c, t in caveats] + [""]
    if timings:
        md += ["## Wall time by analysis", "", "| analysis | seconds |", "|---|---|"]
        md += [f"| {k} | {v:.0f} |" for k, v in timings.items()] + [""]
    md += ["## Plots", ""] + [f"![{cap}]({p.name})" for cap, p in plots]
    (out / "summary.md").write_text("\n".join(md) + "\n")

    def img(path: Path) -> str:
        data = base64.b64encode(path.read_bytes()).decode()
        return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'

    # long column names break after their underscores, so the ranked table fits a laptop screen
    head = "".join(f"<th>{html.escape(c).replace('_', '_<wbr>')}</th>" for c in shown_columns(rows))
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(r[c]))}</td>" for c in shown_columns(rows)) + "</tr>"
                   for r in rows)
    sources_html = ("<h3>Engine and energy scale of each number</h3><table><tr><th>columns</th><th>engine</th>"
                    "<th>what the number is</th></tr>" + "".join(
                        f"<tr><td>{html.escape(c)}</td><td>{html.escape(e)}</td>"
                        f"<td style='text-align:left'>{html.escape(t)}</td></tr>" for c, e, t in sources) + "</table>")
    caveat_html = (f"<h3>Known weaknesses of {html.escape(spec.engine)} for these numbers</h3><table>"
                   "<tr><th>columns</th><th>measured caveat</th></tr>" + "".join(
                       f"<tr><td>{html.escape(c)}</td><td style='text-align:left'>{html.escape(t)}</td></tr>"
                       for c, t in caveats) + "</table>")
    timing_html = ""
    if timings:
        timing_html = "<h2>Wall time by analysis</h2><table><tr><th>analysis</th><th>s</th></tr>" + "".join(
            f"<tr><td>{html.escape(k)}</td><td>{v:.0f}</td></tr>" for k, v in timings.items()) + "</table>"
    figures = "".join(f"<figure{' class=wide' if p.stem == 'cells' else ''}>{img(p)}<figcaption>{html.escape(cap)}"
                      "</figcaption></figure>" for cap, p in plots)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ssbi study {html.escape(spec.name)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
th, td {{ border: 1px solid #bbb; padding: 4px 8px; text-align: right; }}
th {{ background: #eef; }} td:nth-child(2), td:nth-child(6), td:nth-child(8), td:nth-child(12) {{ text-align: left; }}
figure {{ display: inline-block; margin: 1em; vertical-align: top; }} img {{ max-width: 640px; }}
figcaption {{ font-size: 0.8em; color: #555; max-width: 640px; }}
figure.wide img, figure.wide figcaption {{ max-width: min(100%, 1300px); }} figure.wide {{ display: block; }}
.scroll {{ overflow-x: auto; }}
</style></head><body>
<h1>Study {html.escape(spec.name)}</h1>
<p>{html.escape(spec.description)}</p>
<p>Engine <b>{html.escape(spec.engine)}</b>{html.escape(_mech_note(spec))}; anodes {html.escape(', '.join(spec.anodes))}; cathodes
{html.escape(', '.join(spec.cathodes) or '—')}; generated {stamp}.</p>
<h2>Ranked electrolytes</h2>
<div class="scroll"><table><tr>{head}</tr>{body}</table></div>
<p>Ranking: interphase against the anode (stable, passivating, then mixed-conducting), then the Monroe–Newman
verdict (G/G<sub>Li</sub> &gt; 2), then the reaction energy with the anode (least negative first).</p>
{sources_html}
{caveat_html}
{timing_html}
<h2>Plots</h2>{figures}
</body></html>
"""
    (out / "report.html").write_text(page)
    return {"html": out / "report.html", "markdown": out / "summary.md", "rows": rows,
            "plots": [str(p) for _, p in plots]}


def screenshot(html_path: Path, png_path: Path, width: int = 1400, height: int = 2400) -> Path:
    """Render ``html_path`` with headless Chromium (Debian ``chromium``) into ``png_path``."""
    import shutil
    import subprocess

    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        from workflows.errors import EngineError

        raise EngineError("chromium not found; install it (Debian: apt-get install chromium) to render the report")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={png_path}", html_path.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    return png_path
