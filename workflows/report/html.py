"""The study report: the summary table and the plots as one HTML file (images embedded) and Markdown."""

from __future__ import annotations

import base64
import html
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from ssbi.workflows.engines.caveats import COLUMNS, QUANTITIES, engine_caveats, validation_source
from ssbi.workflows.engines.config import engine_config
from ssbi.workflows.errors import EngineError
from ssbi.workflows.report.faces import contact_faces_rows, faces_markdown
from ssbi.workflows.report.plots import (
    plot_adhesion,
    plot_cells,
    plot_md,
    plot_mechanics,
    plot_reactions,
    plot_uber,
    plot_windows,
)
from ssbi.workflows.report.results import Results
from ssbi.workflows.report.stacks import adsorption_markdown, stack_plot, stacks_markdown
from ssbi.workflows.report.summary import SUMMARY_COLUMNS, mechanics_note, ranking_settings, study_summary
from ssbi.workflows.store.derived import analysis_store
from ssbi.workflows.store.jobstore import open_store
from ssbi.workflows.study.spec import StudySpec, load_study


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


def markdown_html(lines: list[str]) -> str:
    """The report's own Markdown (headings, pipe tables, paragraphs) as HTML."""
    out, table = [], []

    def flush():
        if table:
            cells = [[c.strip().replace("\u2502", "|") for c in row.strip().strip("|").split(" | ")] for row in table
                     if not set(row.replace("|", "").strip()) <= {"-"}]
            head, *body = cells
            out.append("<div class=scroll><table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head) + "</tr>"
                       + "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in r)
                                 + "</tr>" for r in body) + "</table></div>")
            table.clear()

    for line in lines:
        if line.startswith("|"):
            table.append(line.replace("\\|", "\u2502"))
            continue
        flush()
        if line.startswith("### "):
            out.append(f"<h3>{html.escape(line[4:])}</h3>")
        elif line.startswith("## "):
            out.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    flush()
    return "\n".join(out)


def write_report(spec: StudySpec, results: Results, out: Path, timings: Optional[dict] = None,
                 rows: Optional[list[dict]] = None, rule: Optional[str] = None, rank_by: str = "weakest-side") -> dict:
    """report.html (single file, images embedded), summary.md and the PNGs in ``out``; ``rows`` and ``rule``: the
    :func:`study_summary` already made and its ranking rule (its hulls are not built twice)."""
    out.mkdir(parents=True, exist_ok=True)
    if rows is None or rule is None:
        settings, rule = ranking_settings(spec, rank_by)
        rows = rows if rows is not None else study_summary(spec, results, settings)
    plots = make_plots(spec, results, out, rows)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    caveats = caveat_rows(spec)
    sources = number_sources(spec)
    md = [f"# Study {spec.name}", "", spec.description, "",
          f"Engine: {spec.engine}{mechanics_note(spec)}; anodes {', '.join(spec.anodes)}; cathodes {', '.join(spec.cathodes) or '—'}; "
          f"generated {stamp}.", "", "## Ranked electrolytes", "", markdown_table(rows), "",
          f"{rule} Reaction energies are the most negative over mixing ratios, eV per atom of mixture; the column "
          "weakest_side names the side that decided each place.", ""]
    if any(r.get("interphase_anode") or r.get("interphase_cathode") for r in rows):
        md += ["## The cell", "", cell_table(rows), ""]
    stack_rows = results.stacks_rows(study=spec, engine=spec.engine) if spec.analyses.stacks else []
    extra = stacks_markdown(stack_rows, spec.engine)
    if spec.carbon_host:
        extra += adsorption_markdown(results.adsorption_rows(host=spec.carbon_host, engine=spec.engine),
                                     spec.carbon_host)
    md += extra
    plots += stack_plot(stack_rows, out)
    faces = contact_faces_rows(spec, results) if spec.analyses.adhesion else []
    md += faces_markdown(faces)
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
    faces_html = ""
    if faces:
        faces_html = "<h2>Faces at each contact</h2><table><tr>" + "".join(
            f"<th>{c}</th>" for c in ("pair", "film face", "σ", "why", "substrate face", "σ", "why", "W_ad rigid",
                                      "W_ad relaxed / reaction")) + "</tr>" + "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in line.strip("| ").split(" | "))
            + "</tr>" for line in faces_markdown(faces)[6:-1]) + "</table>"
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
<p>Engine <b>{html.escape(spec.engine)}</b>{html.escape(mechanics_note(spec))}; anodes {html.escape(', '.join(spec.anodes))}; cathodes
{html.escape(', '.join(spec.cathodes) or '—')}; generated {stamp}.</p>
<h2>Ranked electrolytes</h2>
<div class="scroll"><table><tr>{head}</tr>{body}</table></div>
<p>{html.escape(rule)}</p>
{markdown_html(extra)}
{faces_html}
{sources_html}
{caveat_html}
{timing_html}
<h2>Plots</h2>{figures}
</body></html>
"""
    (out / "report.html").write_text(page)
    return {"html": out / "report.html", "markdown": out / "summary.md", "rows": rows, "rule": rule,
            "plots": [str(p) for _, p in plots]}


def screenshot(html_path: Path, png_path: Path, width: int = 1400, height: int = 2400) -> Path:
    """Render ``html_path`` with headless Chromium (Debian ``chromium``) into ``png_path``."""
    import shutil
    import subprocess

    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        raise EngineError("chromium not found; install it (Debian: apt-get install chromium) to render the report")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={png_path}", html_path.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    return png_path


def write_study_report(study, out: Path, store: Optional[str] = None,
                       rank_by: str = "weakest-side") -> tuple[StudySpec, dict]:
    """The report of a study (a file or a name) from its stored results (``store``, else the study's own), written
    into ``out`` (:func:`write_report`, ranked by ``rank_by``); the study and what was written."""
    spec = load_study(study)
    return spec, write_report(spec, Results(open_store(store or spec.store)), out, rank_by=rank_by)
