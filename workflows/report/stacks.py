"""The report's interlayer and coating section: the ranked stacks with every requirement in its own column, the
three-layer cell diagram, and the carbon host's binding of Li2S and the polysulfides."""

from __future__ import annotations

from pathlib import Path

from ssbi.interfaces.analysis.ranking import RankingSettings, reaction_threshold, rule_text
from ssbi.workflows.report.plots import plot_stacks

MARK = {True: "✓", False: "✗", None: "—"}


def _num(v, digits: int) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def stack_rule(engine: str) -> str:
    threshold, source = reaction_threshold(engine)
    rule = rule_text(RankingSettings(threshold_ev_atom=threshold), source)
    return (f"{rule} For a stack the two sides are the layer's interfaces, with the electrode and with the "
            "electrolyte, each read closed and open to Li at the electrode's potential (the worse counts); ties go "
            "to fewer failed requirements.")


def stacks_markdown(rows: list[dict], engine: str) -> list[str]:
    """Markdown lines: one ranked table per side."""
    if not rows:
        return []
    out = ["## Interlayers and coatings (three-layer stacks)", "", stack_rule(engine), ""]
    for side, title in (("anode", "Anode side: anode | X | electrolyte"),
                        ("cathode", "Cathode side: electrolyte | X | cathode")):
        group = [r for r in rows if r["side"] == side]
        if not group:
            continue
        out += [f"### {title}", "",
                "| # | stack | V | X at V | X \\| electrode | X \\| electrolyte | X gap (eV) | W_ad el / SE (J/m²) | "
                "θ_Li | D_Li (cm²/s) | stable el | stable SE | e⁻ blocking | wets | Li⁺ | weakest |",
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in group:
            stack = (f"{r['electrode']} \\| {r['layer']} \\| {r['electrolyte']}" if side == "anode" else
                     f"{r['electrolyte']} \\| {r['layer']} \\| {r['electrode']}")

            def reading(verdict, energy, products):
                if verdict is None:
                    return "not computed"
                text = f"{verdict} {_num(energy, 3)}"
                return text + (f" ({products})" if products and not verdict.startswith("stable") else "")

            gap = "metal" if r["layer_kind"] == "metal" else _num(r["layer_gap_eV"], 1)
            d_li = "not computed" if r["D_Li_cm2_s"] is None else f"{r['D_Li_cm2_s']:.1e}"
            out.append(
                f"| {r['rank']} | {stack} | {_num(r['potential_V'], 2)} | {r['layer_at_potential'] or '—'} | "
                f"{reading(r['verdict_electrode'], r['rxn_electrode_eV_atom'], r['products_electrode'])} | "
                f"{reading(r['verdict_electrolyte'], r['rxn_electrolyte_eV_atom'], r['products_electrolyte'])} | "
                f"{gap} | {_num(r['W_ad_electrode_J_m2'], 2)} / {_num(r['W_ad_electrolyte_J_m2'], 2)} | "
                f"{_num(r['theta_Li_deg'], 0)} | {d_li} | {MARK[r['stable_with_electrode']]} | "
                f"{MARK[r['stable_with_electrolyte']]} | {MARK[r['blocks_electrons']]} | {MARK[r['wets']]} | "
                f"{MARK[r['conducts_li']]} | {r['weakest'] or '—'} |")
        out.append("")
    out += ["Columns: V the electrode's potential on the engine's hull; 'X at V' the layer's own window read there; "
            "each interface the worse of its closed reaction and the reaction open to Li at V (with the electrolyte "
            "only where X passes electrons on: an insulating X leaves the electrolyte behind it the closed reaction), "
            "'stable within error' below the threshold; W_ad (electrode on X, X on the electrolyte) relaxed at fixed "
            "cell on the anode side, the UBER fit of a rigid separation scan on the cathode side (and where a "
            "relaxation reacted); θ_Li Young–Dupré from "
            "W_ad(Li on X) and σ of the same Li face; D_Li from MLIP MD of X's perfect bulk (no vacancies: a lower "
            "bound for a real layer).", ""]
    return out


def adsorption_markdown(rows: list[dict], host: str) -> list[str]:
    rows = [r for r in rows if r["host"] == host]
    if not rows:
        return []
    out = [f"## Carbon host: {host}", "", "| molecule | binding (eV) | site | facing | D3 share (eV) | engine |",
           "|---|---|---|---|---|---|"]
    seen = set()
    for r in rows:
        if r["molecule"] in seen:
            continue
        seen.add(r["molecule"])
        out.append(f"| {r['molecule']} | {r['binding_eV']:.2f} | {r['site']} | {r['facing']} | "
                   f"{_num(r['D3_part_eV'], 2)} | {r['engine']} ({r['dispersion']}) |")
    out += ["", "Binding = −E_ads against the relaxed isolated molecule; MLIP + DFT-D3(BJ); molecules on sheets are "
            "outside the MPtrj training domain (see README, 'Carbon hosts', for the CP2K check).", ""]
    return out


def stack_plot(rows: list[dict], out: Path) -> list[tuple[str, Path]]:
    if not rows:
        return []
    return [("Three-layer cells: electrode | interphase | X | interphase | electrolyte, products with band gaps",
             plot_stacks(rows, out / "stacks.png"))]
