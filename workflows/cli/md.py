"""ssbi md / md-analyze: MD of an interface with region-resolved Li transport and interphase growth."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from interfaces.builder import BuildSettings
from workflows.cli.app import app
from workflows.cli.options import ENGINE_OPT, STORE_OPT, locked, settings_options
from workflows.console import console, fail


def md_tables(doc: dict) -> list[Table]:
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
        table.caption = "; ".join(notes)
        tables.append(table)
    if doc.get("arrhenius"):
        a = doc["arrhenius"]
        t = Table(title="Arrhenius (whole cell)", show_header=False)
        t.add_row("activation energy", f"{a['activation_energy']:.3f} eV")
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
    out: Path = typer.Option(Path("out/md"), "-o", "--out", help="Folder for md.png."),
    build: dict = None,
):
    """MD of the best FILM | SUBSTRATE interface at each temperature; analysis stored as an AIMDDoc."""
    from interfaces.builder import build_interfaces
    from interfaces.materials import get_material, load
    from interfaces.slabs import check_miller
    from workflows.engines import get_engine
    from workflows.analyses import MDRunAnalysis
    from workflows.execution import find_result
    from workflows.executor import Executor
    from workflows.flows.aimd import AIMDMaker
    from workflows.store import describe, open_store

    if thermostat not in ("langevin", "nose-hoover", "csvr"):
        fail(f"unknown thermostat {thermostat!r}: langevin, nose-hoover (or csvr with cp2k)")
    fm = check_miller(film_miller, "film Miller index")
    sm = check_miller(substrate_miller, "substrate Miller index")
    eng = get_engine(engine)
    eng.check()
    if eng.in_process_md and thermostat == "csvr":
        fail("thermostat csvr is for cp2k; MLIP MD runs langevin or nose-hoover")
    job_store = open_store(store)
    names = [get_material(n).name for n in (film, substrate)]
    with console.status("building the interface"):
        cand = build_interfaces(load(film, "chgnet"), load(substrate, "chgnet"), fm, sm, **build)[0]
    label = f"{names[0]}|{names[1]}"
    maker = AIMDMaker(engine=eng.spec, temperatures=tuple(temps), ps=ps, equilibration_ps=equilibration_ps,
                      timestep_fs=timestep, thermostat=thermostat)
    analysis = MDRunAnalysis(label, cand.interface, maker)
    fp = analysis.fingerprints()[0]
    existing = find_result(job_store, fp)
    if existing:
        console.print(f"already stored: MD of {label} is result {existing['uuid']}")
        for t in md_tables(existing["output"]):
            console.print(t)
        return
    console.print(f"{label}: {cand.metadata.n_atoms} atoms, {len(temps)} temperature(s), "
                  f"{int(ps * 1000 / timestep)} steps each (checkpointed; re-running continues)")
    if not eng.runs_here and not submit:  # VASP: write each temperature's MD inputs for HPC
        for t in temps:
            folder = out / f"{eng.name}-md-{int(t)}K"
            folder.mkdir(parents=True, exist_ok=True)
            files = eng.write_md_inputs(cand.interface, folder, temperature=t,
                                n_steps=int(ps * 1000 / timestep), timestep_fs=timestep, thermostat=thermostat)
            console.print(f"wrote {eng.name} MD inputs for {int(t)} K to {folder}: {', '.join(files)}")
        console.print(f"{eng.name} does not run here: add --submit to queue the MD for an HPC worker")
        return
    executor = Executor(job_store)
    if submit:
        from workflows import launchpad as fw

        with locked("ssbi md --submit"):
            (o,) = executor.submit([analysis], fw.get_launchpad())
        console.print(f"{'already queued' if o.status == 'queued' else 'submitted'} as workflow {o.workflow}; "
                      "run it with `ssbi worker`")
        return
    with console.status(f"MD of {label} with {eng.name}"):
        outcome = executor.run_one(analysis)
    if outcome.status == "failed":
        fail(outcome.message)
    doc = job_store.query_one({"output.fingerprint": fp, "output.kind": "aimd"}, load=True)
    for t in md_tables(doc["output"]):
        console.print(t)
    from workflows.plots import plot_md

    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_md(doc['output'], out / 'md.png')}")
    console.print(f"done in {outcome.seconds:.0f} s; stored in {describe(store)} as {doc['uuid']}")


@app.command("md-analyze")
def md_analyze(
    result_id: str = typer.Argument(..., help="uuid of a stored MD result (AIMDDoc)."),
    width: float = typer.Option(4.0, help="Interface zone width (Å)."),
    store: Optional[str] = STORE_OPT,
    out: Path = typer.Option(Path("out/md"), "-o", "--out", help="Folder for the plots."),
):
    """Re-run the analysis on a stored MD trajectory (e.g. with another interface width); plots."""
    from interfaces.analysis.md_run import MDAnalysisSettings, analyse_md_run
    from workflows.plots import plot_md
    from workflows.store import open_store

    job_store = open_store(store)
    doc = job_store.query_one({"uuid": result_id, "output.kind": "aimd"}, load=True)
    if not doc:
        fail(f"no stored MD result with id {result_id!r}")
    output = doc["output"]
    per_t = []
    for uuid in output["trajectory_jobs"].values():
        run = job_store.query_one({"uuid": uuid}, load=True)
        if not run:
            fail(f"the trajectory job {uuid} of result {result_id} is not in the store")
        per_t.append(analyse_md_run(run["output"], output["boundary"],
                                    MDAnalysisSettings(interface_width=width,
                                                       equilibration_ps=output["settings"]["equilibration_ps"])))
    output["temperatures"] = per_t
    for t in md_tables(output):
        console.print(t)
    out.mkdir(parents=True, exist_ok=True)
    console.print(f"plot: {plot_md(output, out / 'md.png')}")
