"""ssbi query: stored results as tables, JSON or CSV."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ssbi.interfaces.errors import InputError
from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import output_folder
from ssbi.workflows.report.tables import Column
from ssbi.workflows.report.tables import emit as print_rows

query_app = typer.Typer(help="Query stored results.", no_args_is_help=True)
app.add_typer(query_app, name="query")

def _date(value) -> str:
    return str(value)[:10]


TASKS = [Column("id"), Column("material"), Column("kind"), Column("target"), Column("atoms"),
         Column("energy_eV", "E", "energy (eV)"), Column("eV_per_atom", "E/atom", "energy per atom (eV)"),
         Column("engine"), Column("scale", legend="energy scale"), Column("completed", short=_date)]
ADHESION = [Column("id"), Column("film"), Column("film_miller", "hkl_f", "film Miller index"), Column("substrate"),
            Column("substrate_miller", "hkl_s", "substrate Miller index"),
            Column("termination", "faces", "film | substrate faces at the contact (`ssbi terminations`)", optional=True),
            Column("atoms"),
            Column("area_A2", "A", "interface area (Å²)"), Column("max_strain_pct", "ε", "largest strain (%)"),
            Column("w_ad_rigid_J_m2", "W_rig", "rigid work of adhesion (J/m²)"),
            Column("w_ad_relaxed_J_m2", "W_rel", "relaxed work of adhesion (J/m²; empty where it reacted)"),
            Column("reaction_energy_J_m2", "E_rx", "relaxed interface that reacted: its energy vs the slabs (J/m²)",
                   optional=True),
            Column("strain_film_J_m2", "Es_top", "strain energy of the top (film) slab in the interface cell (J/m²)",
                   digits=3, optional=True),
            Column("strain_substrate_J_m2", "Es_bot", "strain energy of the bottom (substrate) slab (J/m²)", digits=3,
                   optional=True),
            Column("engine"),
            Column("completed", short=_date)]

MECHANICS = [Column("id"), Column("material"), Column("K_vrh_GPa", "K", "bulk modulus K_VRH (GPa)"),
             Column("G_vrh_GPa", "G", "shear modulus G_VRH (GPa)"), Column("G_over_G_Li", "G/G_Li", "G / G_Li"),
             Column("suppresses_dendrites", "MN", "Monroe–Newman: suppresses dendrites (G > 2 G_Li)",
                    short=lambda v: "yes" if v is True else "no" if v is False else str(v)),
             Column("stable", "Born", "Born-stable tensor", short=lambda v: "yes" if v is True else "no"),
             Column("engine"), Column("completed", short=_date)]


TABLE_ROWS = 40  # a screen: more only with --full or --format json/csv/md


def emit(rows: list[dict], fmt: str, title: str, columns=None, full: bool = False) -> None:
    """Print rows as a table that fits the terminal (the first TABLE_ROWS unless ``full``), JSON, CSV or Markdown
    (:func:`ssbi.workflows.report.tables.emit`)."""
    cut = fmt == "table" and not full and len(rows) > TABLE_ROWS
    try:
        print_rows(rows[:TABLE_ROWS] if cut else rows, fmt, title, console, columns)
    except InputError as exc:
        fail(str(exc))
    if cut:
        console.print(f"[dim]first {TABLE_ROWS} of {len(rows)} rows: --full shows every row, --format json|csv all "
                      "of them as data[/]")


@query_app.command("tasks")
def query_tasks(
    formula: Optional[str] = typer.Option(None, help="Reduced formula, e.g. Li2S."),
    material: Optional[str] = typer.Option(None, help="Library material name."),
    engine: Optional[str] = typer.Option(None, help="Engine name."),
    kind: Optional[str] = typer.Option(None, help="relax or static."),
    target: Optional[str] = typer.Option(None, help="bulk, slab or interface."),
    fmt: str = typer.Option("table", "--format", help="table, json, csv or md."),
    full: bool = typer.Option(False, "--full", help=f"Every row (a table shows the first {TABLE_ROWS})."),
    store: Optional[str] = typer.Option(None, "--store", help="Store name or mongodb:// URI."),
):
    """Stored relaxations and single points."""
    from ssbi.workflows.report.results import calc_rows  # lazy: start-up
    from ssbi.workflows.store.jobstore import open_results  # lazy: start-up

    rows = calc_rows(open_results(store), formula=formula, material=material, engine=engine, kind=kind,
                     target=target)
    emit(rows, fmt, "Calculations", TASKS, full=full)


FMT_OPT = typer.Option("table", "--format", help="table, json, csv or md.")
FULL_OPT = typer.Option(False, "--full", help=f"Every row (a table shows the first {TABLE_ROWS}).")
STORE_Q = typer.Option(None, "--store", help="Store name or mongodb:// URI.")
ENGINE_Q = typer.Option(None, "--engine", help="Engine name.")
STUDY_Q = typer.Option(None, "--study", help="Study name or file: its materials and engine.")
SINCE_Q = typer.Option(None, "--since", help="Only results completed on or after this date (YYYY-MM-DD).")


def _results(store, load: bool = False):
    """Results of the store: read through the light reader, or (``load``: structures too) the full store."""
    from ssbi.workflows.report.results import Results  # lazy: start-up
    from ssbi.workflows.store.jobstore import open_results, open_store  # lazy: start-up

    return Results(open_store(store) if load else open_results(store))


@query_app.command("adhesion")
def query_adhesion(anode: Optional[str] = typer.Option(None, help="Top material (film), e.g. Li."),
                   electrolyte: Optional[str] = typer.Option(None, help="Bottom material (substrate)."),
                   miller: Optional[str] = typer.Option(None, help="Miller index of either side, e.g. 100 or '1 1 0'."),
                   engine: Optional[str] = ENGINE_Q, study: Optional[str] = STUDY_Q, since: Optional[str] = SINCE_Q,
                   fmt: str = FMT_OPT, full: bool = FULL_OPT, store: Optional[str] = STORE_Q):
    """Work of adhesion per interface."""
    rows = _results(store).adhesion_rows(anode=anode, electrolyte=electrolyte, miller=miller, engine=engine,
                                         study=study, since=since)
    emit(rows, fmt, "Adhesion", ADHESION, full=full)


SURFACES = [Column("id"), Column("material"), Column("miller", "hkl", "Miller index"), Column("termination"),
            Column("scheme"), Column("tasker", "T", "Tasker type"),
            Column("sigma_J_m2", "σ", "surface energy of a stoichiometric face (J/m²)", digits=3, optional=True),
            Column("sigma_reduction_J_m2", "σ_red", "off-stoichiometric face: lowest σ at the reduction limit (J/m²)",
                   digits=3, optional=True),
            Column("sigma_oxidation_J_m2", "σ_ox", "off-stoichiometric face: lowest σ at the oxidation limit (J/m²)",
                   digits=3, optional=True),
            Column("lowest", "min", "the lowest-σ face", short=lambda v: "◀" if v else ""), Column("engine"),
            Column("completed", short=_date)]


@query_app.command("surfaces")
def query_surfaces(material: Optional[str] = typer.Option(None, help="Material, e.g. Li2S."),
                   miller: Optional[str] = typer.Option(None, help="Miller index, e.g. 111 or '1 1 1'."),
                   engine: Optional[str] = ENGINE_Q, study: Optional[str] = STUDY_Q, since: Optional[str] = SINCE_Q,
                   fmt: str = FMT_OPT, full: bool = FULL_OPT, store: Optional[str] = STORE_Q):
    """Surface energies per termination (`ssbi surface`, `ssbi facets`)."""
    rows = _results(store).surfaces_rows(material=material, miller=miller, engine=engine, study=study, since=since)
    emit(rows, fmt, "Surface energies", SURFACES, full=full)


@query_app.command("interfaces")
def query_interfaces(anode: Optional[str] = typer.Option(None), electrolyte: Optional[str] = typer.Option(None),
                     miller: Optional[str] = typer.Option(None), engine: Optional[str] = ENGINE_Q,
                     study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT, full: bool = FULL_OPT,
                     store: Optional[str] = STORE_Q):
    """Interface cells behind the adhesion results."""
    rows = _results(store).interfaces_rows(anode=anode, electrolyte=electrolyte, miller=miller, engine=engine,
                                           study=study)
    emit(rows, fmt, "Interfaces", full=full)


@query_app.command("windows")
def query_windows(electrolyte: Optional[str] = typer.Option(None, help="Material, e.g. Li6PS5Cl."),
                  engine: Optional[str] = ENGINE_Q, scale: Optional[str] = typer.Option(None, help="mp2020 or raw-gga."),
                  study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT, full: bool = FULL_OPT,
                  store: Optional[str] = STORE_Q):
    """Electrochemical windows and products."""
    rows = _results(store).windows_rows(electrolyte=electrolyte, engine=engine, scale=scale, study=study)
    emit([{k: v for k, v in r.items() if k != "key"} for r in rows], fmt, "Windows", full=full)


@query_app.command("reactions")
def query_reactions(electrode: Optional[str] = typer.Option(None, help="First material, e.g. Li or S8."),
                    electrolyte: Optional[str] = typer.Option(None, help="Second material."),
                    engine: Optional[str] = ENGINE_Q, study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT,
                    full: bool = FULL_OPT,
                    store: Optional[str] = STORE_Q):
    """Most negative interfacial reaction per pair (closed system)."""
    rows = _results(store).reactions_rows(electrode=electrode, electrolyte=electrolyte, engine=engine, study=study)
    emit([{k: v for k, v in r.items() if k != "key"} for r in rows], fmt, "Reactions", full=full)


@query_app.command("mechanics")
def query_mechanics(material: Optional[str] = typer.Option(None), engine: Optional[str] = ENGINE_Q,
                    study: Optional[str] = STUDY_Q, fmt: str = FMT_OPT, full: bool = FULL_OPT,
                  store: Optional[str] = STORE_Q):
    """Shear/bulk moduli and the Monroe–Newman ratio."""
    emit(_results(store).mechanics_rows(material=material, engine=engine, study=study), fmt, "Mechanics", MECHANICS,
         full=full)


@query_app.command("md")
def query_md(material: Optional[str] = typer.Option(None), engine: Optional[str] = ENGINE_Q,
             fmt: str = FMT_OPT, full: bool = FULL_OPT, store: Optional[str] = STORE_Q):
    """MD results per temperature."""
    emit(_results(store).md_rows(material=material, engine=engine), fmt, "MD", full=full)


SHOW_ITEMS, SHOW_LINES = 6, 120


def _cut(value):
    """Lists longer than SHOW_ITEMS shortened to their first items and a count (trajectories, tensors ...)."""
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) > SHOW_ITEMS:
            return [_cut(v) for v in value[:SHOW_ITEMS]] + [f"... {len(value) - SHOW_ITEMS} more (--full)"]
        return [_cut(v) for v in value]
    return value


@app.command()
def show(result_id: str = typer.Argument(..., help="uuid of a stored result."),
         structures: bool = typer.Option(False, "--structures", help="Print structures too (long)."),
         export: Optional[str] = typer.Option(None, "--export", help="Write its structures as cif, poscar or extxyz."),
         full: bool = typer.Option(False, "--full", help=f"Every value (long lists are cut to {SHOW_ITEMS} items and "
                                                         f"the output to {SHOW_LINES} lines)."),
         out: str = typer.Option("export", "-o", "--out", callback=output_folder, help="Folder for --export."),
         store: Optional[str] = STORE_Q):
    """Print one stored result; optionally export its structures."""
    results = _results(store, load=True)
    doc = results.get(result_id)
    if not doc:
        fail(f"no stored result with id {result_id!r}")
    output = doc["output"] if isinstance(doc.get("output"), dict) else {"value": doc.get("output")}
    found = results.structures_of(doc)
    shown = {k: (v if structures or k not in found else f"<Structure: {len(v['sites'])} sites; --structures or "
                 "--export to see it>") for k, v in output.items()}
    text = json.dumps({"uuid": doc["uuid"], "name": doc.get("name"), "completed_at": doc.get("completed_at"),
                       "output": shown if full else _cut(shown)}, default=str, indent=1)
    lines = text.splitlines()
    if not full and len(lines) > SHOW_LINES:
        text = "\n".join(lines[:SHOW_LINES] + [f"... {len(lines) - SHOW_LINES} more lines: --full prints them all"])
    typer.echo(text)
    if export:
        for path in results.export_structures(doc, export, Path(out)):
            console.print(f"wrote {path}")


def _yes_no(v) -> str:
    return "✓" if v is True else "✗" if v is False else "—"


STACKS = [Column("rank", "#", "rank within its side (weakest interface, then requirements failed)"),
          Column("side"), Column("electrode", "electrode"), Column("layer", "X", "interlayer or coating"),
          Column("electrolyte"),
          Column("potential_V", "V", "the electrode's potential (V vs Li/Li+) on the engine's hull", digits=2),
          Column("verdict_electrode", "X|el", "X with the electrode: the worse of closed and Li-open, with the "
                                              "error threshold"),
          Column("rxn_electrode_eV_atom", "ΔE_el", "its reaction energy (eV/atom)", digits=3),
          Column("verdict_electrolyte", "X|SE", "X with the electrolyte (same reading)"),
          Column("rxn_electrolyte_eV_atom", "ΔE_SE", "its reaction energy (eV/atom)", digits=3),
          Column("layer_gap_eV", "gap", "X's band gap (eV, configs/band_gaps.yaml)", digits=1),
          Column("W_ad_electrode_J_m2", "W_el", "W_ad electrode on X (J/m²: relaxed, else the UBER fit of a rigid scan)", digits=2),
          Column("W_ad_electrolyte_J_m2", "W_SE", "W_ad X on the electrolyte (J/m², as W_el)", digits=2),
          Column("theta_Li_deg", "θ_Li", "Young–Dupré contact angle of Li on X (°)", digits=0),
          Column("D_Li_cm2_s", "D_Li",
                 "Li diffusivity in X's bulk at the highest MD temperature where X stayed solid (cm²/s)",
                 short=lambda v: f"{v:.1e}"),
          Column("stable_with_electrode", "ok_el", "stable or passivating with the electrode", short=_yes_no),
          Column("stable_with_electrolyte", "ok_SE", "stable or passivating with the electrolyte", short=_yes_no),
          Column("blocks_electrons", "e⁻", "X is an electronic insulator", short=_yes_no),
          Column("wets", "wet", "Li wets X (θ < 90°)", short=_yes_no),
          Column("conducts_li", "Li⁺", "D_Li ≥ 1e-7 cm²/s in the MD", short=_yes_no),
          Column("engine")]


@query_app.command("stacks")
def query_stacks(side: Optional[str] = typer.Option(None, help="anode (interlayers) or cathode (coatings)."),
                 layer: Optional[str] = typer.Option(None, help="Interlayer or coating, e.g. Li3N."),
                 electrode: Optional[str] = typer.Option(None), electrolyte: Optional[str] = typer.Option(None),
                 engine: Optional[str] = ENGINE_Q, study: Optional[str] = STUDY_Q,
                 rank_by: str = typer.Option("weakest-side", "--rank-by", help="weakest-side or adhesion."),
                 fmt: str = FMT_OPT, full: bool = FULL_OPT, store: Optional[str] = STORE_Q):
    """Three-layer stacks (a study's interlayers and coatings): what each layer meets (✓) and fails (✗)."""
    if rank_by not in ("weakest-side", "adhesion"):
        fail(f"--rank-by for stacks takes weakest-side or adhesion, not {rank_by!r}")
    rows = _results(store).stacks_rows(side=side, layer=layer, electrode=electrode, electrolyte=electrolyte,
                                       engine=engine, study=study, rank_by=rank_by)
    emit(rows, fmt, "Stacks", STACKS, full=full)


ADSORPTION = [Column("id"), Column("molecule"), Column("host"),
              Column("binding_eV", "E_b", "binding energy, −E_ads vs the isolated molecule (eV)", digits=2),
              Column("site"), Column("facing"), Column("dispersion"),
              Column("D3_part_eV", "D3", "the dispersion share of the binding (eV)", digits=2),
              Column("n_placements", "n", "placements searched"), Column("engine"),
              Column("completed", short=_date)]


@query_app.command("adsorption")
def query_adsorption(molecule: Optional[str] = typer.Option(None, help="Li2S, Li2S4, Li2S6 or Li2S8."),
                     host: Optional[str] = typer.Option(None, help="graphene or pyridinic-N-graphene."),
                     engine: Optional[str] = ENGINE_Q, fmt: str = FMT_OPT, full: bool = FULL_OPT,
                     store: Optional[str] = STORE_Q):
    """Binding energies of Li2S and polysulfides on carbon hosts (`ssbi adsorb`)."""
    rows = _results(store).adsorption_rows(molecule=molecule, host=host, engine=engine)
    emit(rows, fmt, "Adsorption on carbon hosts", ADSORPTION, full=full)


GAPS = [Column("id"), Column("material"), Column("formula"),
        Column("gap_eV", "gap", "DFT band gap on the SCF k-mesh (eV; PBE underestimates)", digits=2),
        Column("conducts"), Column("kmesh", "mesh"), Column("n_atoms", "atoms"), Column("engine"),
        Column("completed", short=_date)]


@query_app.command("gaps")
def query_gaps(formula: Optional[str] = typer.Option(None, help="Reduced formula, e.g. LiBO2."),
               engine: Optional[str] = ENGINE_Q, fmt: str = FMT_OPT, full: bool = FULL_OPT,
               store: Optional[str] = STORE_Q):
    """DFT band gap spot checks (`ssbi gap`); they override configs/band_gaps.yaml."""
    rows = _results(store).gaps_rows(formula=formula, engine=engine)
    emit(rows, fmt, "Band gaps (DFT spot checks)", GAPS, full=full)
