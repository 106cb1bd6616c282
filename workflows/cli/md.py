"""ssbi md / md-analyze: MD of an interface with region-resolved Li transport and interphase growth."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.interfaces.build_settings import BuildSettings
from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import ENGINE_OPT, STORE_OPT, output_folder, settings_options


def md_tables(doc: dict) -> list[Table]:
    from ssbi.workflows.flows.md import is_bulk  # lazy: start-up (jobflow, pymatgen)

    tables = []
    for t in doc["temperatures"]:
        table = Table(title=f"{doc['label']} at {t['temperature']:.0f} K: {t['n_frames']} frames of "
                            f"{t['dt_fs']:.0f} fs after {t['equilibration_frames']} equilibration frames",
                      header_style="bold")
        for col in ("region", "Li", "D (cm²/s)", "σ (mS/cm)"):
            table.add_column(col, justify="left" if col == "region" else "right")
        for row in t["transport"]:
            table.add_row(row["region"], str(row["n_ions"]), f"{row['diffusivity']:.2e} ± {row['diffusivity_std']:.1e}",
                          f"{row['conductivity']:.2f} ± {row['conductivity_std']:.2f}")
        notes = []
        if t.get("intact_ps4_fraction"):
            notes.append(f"intact PS4: {t['intact_ps4_fraction'][0]:.2f} → {t['intact_ps4_fraction'][-1]:.2f} "
                         f"after {t['times_ps'][-1]:.2f} ps")
        if t.get("environments"):
            env = t["environments"]
            notes.append(f"S bound only to Li: {sum(env['S_Li_only'][0]):.0f} → {sum(env['S_Li_only'][-1]):.0f}; "
                         f"P–Li contacts: {sum(env['P_Li_contacts'][0]):.0f} → {sum(env['P_Li_contacts'][-1]):.0f}")
        if t.get("reacted_thickness"):
            notes.append(f"reacted zone {t['reacted_thickness'][-1]:.1f} Å")
        if t.get("growth"):
            g = t["growth"]
            notes.append(f"growth {g['law']} (rate {g['rate']:.2f})")
        if t.get("transport_note"):
            notes.append(f"no diffusivity: {t['transport_note']}")
        if t.get("framework"):
            f = t["framework"]
            flowed = "flowed (molten)" if is_bulk(doc["label"]) else "flowed (reacting or molten)"
            notes.append(f"framework ({'+'.join(f['species'])}) {flowed if f['flows'] else 'stayed solid'}: "
                         f"D {f['diffusivity']:.1e} cm²/s")
        table.caption = "; ".join(notes)
        tables.append(table)
    if doc.get("arrhenius"):
        a = doc["arrhenius"]
        t = Table(title="Arrhenius (whole cell)", show_header=False)
        t.add_row("activation energy", f"{a['activation_energy']:.3f} eV")
        if a.get("left_out_molten"):
            t.add_row("left out (molten)", ", ".join(f"{x:.0f} K" for x in a["left_out_molten"]))
        t.add_row(f"σ at {a['room_temperature']:.0f} K", f"{a['conductivity_room_temperature']:.3g} mS/cm")
        tables.append(t)
    return tables


@app.command()
@settings_options(BuildSettings, into="build", exclude=("film_miller", "substrate_miller", "max_candidates"),
                  defaults={"max_atoms": 150, "max_strain": 0.06, "film_thickness": 6.0, "substrate_thickness": 8.0,
                            "vacuum": 12.0})
def md(
    film: str = typer.Argument(..., help="Film (top), e.g. Li."),
    substrate: str = typer.Argument(..., help="Substrate (bottom), e.g. Li6PS5Cl."),
    film_miller: tuple[str, str, str] = typer.Option(("1", "0", "0"), "--film-miller"),
    substrate_miller: tuple[str, str, str] = typer.Option(("1", "0", "0"), "--substrate-miller"),
    engine: str = ENGINE_OPT,
    temps: list[float] = typer.Option([600.0], "--temps", help="Temperatures (K); repeat the option for several."),
    ps: float = typer.Option(5.0, help="Length of each run (ps)."),
    equilibration_ps: float = typer.Option(0.5, help="Discarded at the start of each run (ps)."),
    timestep: float = typer.Option(2.0, help="Time step (fs)."),
    thermostat: str = typer.Option("langevin", help="langevin or nose-hoover (cp2k also csvr)."),
    store: Optional[str] = STORE_OPT,
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here."),
    out: Path = typer.Option(Path("out/md"), "-o", "--out", callback=output_folder, help="Folder for md.png."),
    build: dict = None,
):
    """MD of the best FILM | SUBSTRATE interface at each temperature; analysis stored as an AIMDDoc."""
    from ssbi.workflows.run import requests  # lazy: start-up (jobflow, pymatgen's interface builder, the engine)

    with console.status("building the interface") as status:
        req = requests.md(film, substrate, film_miller, substrate_miller, engine, temps, ps, equilibration_ps,
                          timestep, thermostat, build, store, submit=submit, inputs_dir=out,
                          on_built=lambda notes: [console.print(n) for n in notes],
                          progress=lambda stage: status.update(stage))
    label, o = req.analysis.name, req.outcome
    if o.status == "stored" and not req.notes:
        console.print(f"already stored: MD of {label} is result {req.docs[0]['uuid']}")
        for t in md_tables(req.docs[0]["output"]):
            console.print(t)
        return
    if o.status == "inputs":
        return
    if o.status == "failed":
        fail(o.message)
    if o.status in ("submitted", "queued"):
        console.print(f"{'already queued' if o.status == 'queued' else 'submitted'} as workflow {o.workflow}; "
                      "run it with `ssbi worker`")
        return
    doc = req.docs[0]
    for t in md_tables(doc["output"]):
        console.print(t)
    from ssbi.workflows.report.plots import plot_md  # lazy: start-up (matplotlib)

    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_md(doc['output'], out / 'md.png')}")
    console.print(f"done in {o.seconds:.0f} s; stored in {req.store} as {doc['uuid']}")


@app.command("md-analyze")
def md_analyze(
    result_id: str = typer.Argument(..., help="uuid of a stored MD result (AIMDDoc)."),
    width: float = typer.Option(4.0, help="Interface zone width (Å)."),
    store: Optional[str] = STORE_OPT,
    out: Path = typer.Option(Path("out/md"), "-o", "--out", callback=output_folder, help="Folder for the plots."),
):
    """Re-run the analysis on a stored MD trajectory (e.g. with another interface width); plots."""
    from ssbi.workflows.flows.md import reanalyse_stored  # lazy: start-up (jobflow, pymatgen)
    from ssbi.workflows.report.plots import plot_md  # lazy: start-up (matplotlib)

    output = reanalyse_stored(result_id, width, store)
    for t in md_tables(output):
        console.print(t)
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_md(output, out / 'md.png')}")
