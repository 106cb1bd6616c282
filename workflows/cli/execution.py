"""ssbi commands that run things: engines, setup, run, submit, worker, queue, status, rerun."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from workflows.cli.app import app
from workflows.cli.options import (ENGINE_OPT, KIND_ARG, MATERIAL_ARG, STORE_OPT, TARGET_OPT, VARIANT_OPT,
                                   locked)
from workflows.console import console, fail

setup_app = typer.Typer(help="One-time set-up of engines.", no_args_is_help=True)
app.add_typer(setup_app, name="setup")


def _named_study(name: str) -> bool:
    """Whether ``name`` is a study by name (configs/studies/NAME.yaml or the user's studies folder)."""
    from interfaces.errors import InputError
    from workflows.study import study_path

    try:
        study_path(name)
    except InputError:
        return False
    return True


@app.command()
def engines():
    """Configured engines, their versions and whether they can run here."""
    from workflows.engines import engine_names, get_engine
    from workflows.errors import EngineError

    table = Table(title="Engines", header_style="bold")
    for col in ("engine", "kind", "version", "energy scale", "status"):
        table.add_column(col)
    for name in engine_names():
        eng = get_engine(name)
        try:
            eng.check()
            status = "[green]ready[/]" if eng.runs_here else "[yellow]inputs only (runs on HPC)[/]"
        except EngineError as exc:
            status = f"[red]{exc}[/]"
        table.add_row(name, eng.config["kind"], eng.version(), eng.energy_scale, status)
    console.print(table)


@setup_app.command("cp2k")
def setup_cp2k_cmd(share: str = typer.Option("/usr/share/cp2k", help="CP2K data folder (Debian cp2k-data)."),
                   force: bool = typer.Option(False, "--force", help="Rebuild the pymatgen data folder.")):
    """Make pymatgen's CP2K basis/potential folder (once, ~40 s) and check the binary."""
    from workflows.engines import get_engine
    from workflows.engines.cp2k import setup_cp2k

    with console.status("building pymatgen's CP2K data folder (about 40 s)"):
        folder = setup_cp2k(share, force)
    console.print(f"CP2K data for pymatgen: {folder}")
    eng = get_engine("cp2k")
    eng.check()
    console.print(f"cp2k ready: {eng.version()}; command: {eng.command}")


def _calc_table(doc: dict, title: str) -> Table:
    out = doc["output"]
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    rows = [("material", ", ".join(out.get("materials", []))), ("formula", out.get("formula")),
            ("calculation", f"{out.get('kind')} ({out.get('target')})"), ("atoms", out.get("n_atoms")),
            ("energy", f"{out['energy']:.6f} eV"), ("energy per atom", f"{out['energy_per_atom']:.6f} eV/atom"),
            ("volume", f"{out['volume']:.3f} Å³"),
            ("engine", f"{out['engine']['name']} ({out['engine']['version']})"),
            ("energy scale", out["engine"]["energy_scale"]), ("result id", doc["uuid"]),
            ("fingerprint", out["fingerprint"][:16])]
    for key, value in rows:
        table.add_row(key, str(value))
    return table


def _prepare(kind, material, engine, target, variant, store):
    """Open the store (fails fast), check the engine and the input; the analysis and its stored result."""
    from workflows.execution import calc_analysis, find_result
    from workflows.store import open_store

    job_store = open_store(store)
    analysis = calc_analysis(kind, material, engine, target, variant)
    return job_store, analysis, find_result(job_store, analysis.fingerprints()[0])


@app.command()
def run(
    kind: str = typer.Argument(..., help="A study file (configs/studies/default.yaml), or relax / static."),
    material: Optional[str] = typer.Argument(None, help="Library material or structure file (relax / static)."),
    engine: str = ENGINE_OPT,
    target: str = TARGET_OPT,
    variant: str = VARIANT_OPT,
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Recompute even if the result is stored."),
    submit: bool = typer.Option(False, "--submit", help="Study: one FireWorks workflow per analysis and pair."),
    out: Path = typer.Option(Path("out/study"), "-o", "--out", help="Study: folder for the summary and plots."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Study with --submit: print the workflows, Fireworks, "
                                                          "estimated core-hours and queue resources; send nothing."),
    fmt: str = typer.Option("table", "--format", help="Study: the summary on stdout as table, json, csv or md "
                                                      "(progress then goes to stderr)."),
):
    """Run a study (`ssbi run configs/studies/default.yaml`) or one calculation here, and store the results."""
    from workflows.engines import get_engine
    from workflows.executor import Executor
    from workflows.store import describe

    if kind.endswith((".yaml", ".yml")) or Path(kind).is_file() or (kind not in ("relax", "static")
                                                                     and _named_study(kind)):
        from workflows.cli.study import run_study

        if dry_run and not submit:
            fail("--dry-run goes with --submit (it shows what a submit would send)")
        return run_study(kind, store, submit, out, dry_run=dry_run, fmt=fmt)
    if material is None:
        fail("missing MATERIAL: `ssbi run relax|static MATERIAL`, or `ssbi run STUDY.yaml` (or a study's name: "
             "`ssbi run default`)")
    if not get_engine(engine).runs_here:
        fail(f"engine {engine!r} does not run on this machine; use `ssbi submit` to send it to HPC")
    job_store, analysis, existing = _prepare(kind, material, engine, target, variant, store)
    if existing and not force:
        console.print(f"already stored: {analysis.label} is result {existing['uuid']} in {describe(store)}; "
                      "nothing to do (--force recomputes)")
        console.print(_calc_table(existing, analysis.label))
        return
    with console.status(f"running {analysis.label}"):
        outcome = Executor(job_store, force=force).run_one(analysis)
    if outcome.status == "failed":
        fail(outcome.message)
    doc = job_store.query_one({"uuid": outcome.uuids[0]}, load=False)
    if outcome.status == "stored":  # a concurrent identical run stored it while this one ran
        console.print(f"already stored: {analysis.label} is result {doc['uuid']} in {describe(store)}, stored by a "
                      "concurrent run; this run's result was not kept")
        console.print(_calc_table(doc, analysis.label))
        return
    console.print(_calc_table(doc, f"{analysis.label}: done in {outcome.seconds:.1f} s"))
    console.print(f"stored in {describe(store)}")


@app.command()
def submit(
    kind: str = KIND_ARG,
    material: str = MATERIAL_ARG,
    engine: str = ENGINE_OPT,
    target: str = TARGET_OPT,
    variant: str = VARIANT_OPT,
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Submit even if the result is stored or queued."),
):
    """Send a calculation to FireWorks; `ssbi worker` (or `ssbi queue`) runs it."""
    from workflows import launchpad as fw
    from workflows.executor import Executor
    from workflows.store import describe

    job_store, analysis, existing = _prepare(kind, material, engine, target, variant, store)
    if existing and not force:
        console.print(f"already stored: {analysis.label} is result {existing['uuid']} in {describe(store)}; "
                      "nothing submitted (--force submits anyway)")
        return
    with locked("ssbi submit"):
        (outcome,) = Executor(job_store, force=force).submit([analysis], fw.get_launchpad())
    if outcome.status == "queued":
        console.print(f"already queued: {analysis.label} is workflow {outcome.workflow}; nothing submitted")
        return
    console.print(f"submitted {analysis.label} as workflow {outcome.workflow}; run it with `ssbi worker`")


@app.command()
def worker(
    store: Optional[str] = STORE_OPT,
    nlaunches: int = typer.Option(0, help="Fireworks to run before stopping (0: until none is ready)."),
):
    """Run READY FireWorks jobs here, storing results in the configured store (rlaunch rapidfire)."""
    from workflows import launchpad as fw
    from workflows.store import describe, make_job_store

    job_store = make_job_store(store)
    job_store.connect()
    with locked("ssbi worker"):
        lp = fw.get_launchpad()
        console.print(f"worker: results go to {describe(store)}"
                      + ("; local LaunchPad: one worker at a time" if fw.is_local() else ""))
        with console.status("running fireworks") as status:
            count = fw.run_worker(lp, job_store, nlaunches=nlaunches,
                                  echo=lambda n: status.update(f"running fireworks ({n} done)"))
    console.print(f"worker: {count} firework(s) run; nothing more is ready")


@app.command()
def status(state: Optional[str] = typer.Option(None, help="Only workflows in this state (COMPLETED, FIZZLED...).")):
    """FireWorks workflows and their states."""
    from workflows import launchpad as fw

    with locked("ssbi status"):
        lp = fw.get_launchpad()
        rows = fw.states(lp)
    table = Table(title="Workflows", header_style="bold")
    for col in ("id", "name", "state", "fireworks", "updated"):
        table.add_column(col)
    colour = {"COMPLETED": "green", "FIZZLED": "red", "RUNNING": "yellow"}
    for row in rows:
        if state and row["state"] != state.upper():
            continue
        fws = ", ".join(f"{k.split('--')[0]}: {v}" for k, v in row["fireworks"].items())
        table.add_row(str(row["id"]), row["name"], f"[{colour.get(row['state'], 'white')}]{row['state']}[/]", fws,
                      row["updated"])
    console.print(table)


@app.command()
def rerun(
    store: Optional[str] = STORE_OPT,
    expiration_secs: Optional[int] = typer.Option(None, help="Seconds without a ping before a RUNNING launch is lost "
                                                  "(MongoDB; default from configs/fireworks/launchpad.yaml)."),
    launch: bool = typer.Option(True, "--launch/--no-launch", help="Run a worker afterwards."),
):
    """Re-run FIZZLED and lost RUNNING FireWorks jobs (then run them, unless --no-launch)."""
    from workflows import launchpad as fw
    from workflows.store import make_job_store

    job_store = make_job_store(store)
    job_store.connect()
    with locked("ssbi rerun"):
        lp = fw.get_launchpad()
        found = fw.rerun(lp, expiration_secs)
        ready = lp.get_fw_ids({"state": "READY"})
        console.print(f"rerun: {len(found['lost'])} lost, {len(found['fizzled'])} fizzled firework(s) reset; "
                      f"{len(ready)} ready")
        if launch and ready:
            with console.status("running fireworks"):
                count = fw.run_worker(lp, job_store)
            console.print(f"rerun: {count} firework(s) run")


@app.command()
def queue(
    template: str = typer.Option("slurm", help="Queue template: slurm or pbs (configs/fireworks/qadapter_*.yaml)."),
    njobs: int = typer.Option(1, help="Queue jobs to submit."),
    walltime: Optional[str] = typer.Option(None, help="Wall time, e.g. 24:00:00."),
    queue_name: Optional[str] = typer.Option(None, "--queue", help="Queue/partition."),
    account: Optional[str] = typer.Option(None, help="Account/project to charge."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the job script instead of submitting."),
):
    """Submit queue jobs that each run `ssbi worker` (FireWorks qlaunch)."""
    from workflows import launchpad as fw
    from workflows.queue import make_qadapter

    qadapter = make_qadapter(template, walltime=walltime, queue=queue_name, account=account)
    if dry_run:
        console.print(qadapter.get_script_str(str(fw.local_dir() / "queue")), highlight=False, markup=False)
        return
    if fw.is_local():
        fail("queue jobs need a LaunchPad that compute nodes can reach (MongoDB): set SSBI_LAUNCHPAD; "
             "the local mongomock LaunchPad works only with `ssbi worker` on this machine")
    from fireworks.queue.queue_launcher import rapidfire

    lp = fw.get_launchpad()
    from fireworks import FWorker

    launch_dir = fw.local_dir() / "queue"
    launch_dir.mkdir(parents=True, exist_ok=True)
    rapidfire(lp, FWorker(), qadapter, launch_dir=str(launch_dir), nlaunches=njobs, njobs_queue=0, sleep_time=1)
    console.print(f"submitted up to {njobs} queue job(s) from {launch_dir}")


@app.command()
def inputs(
    engine: str = typer.Argument(..., help="cp2k or vasp."),
    material: str = MATERIAL_ARG,
    kind: str = typer.Option("relax", help="relax or static."),
    target: str = TARGET_OPT,
    variant: str = VARIANT_OPT,
    out: Path = typer.Option(Path("inputs"), "-o", "--out", help="Folder to write."),
):
    """Write an engine's input files (e.g. VASP for HPC) without running anything."""
    from interfaces.errors import InputError
    from interfaces.materials import load
    from workflows.engines import TARGETS, get_engine
    from workflows.execution import CALC_KINDS

    if kind not in CALC_KINDS:
        fail(str(InputError(f"unknown calculation {kind!r}; choose one of: {', '.join(CALC_KINDS)}")))
    if target not in TARGETS:
        fail(f"unknown target {target!r}; choose one of: {', '.join(TARGETS)}")
    eng = get_engine(engine)
    structure = load(material, variant)
    out.mkdir(parents=True, exist_ok=True)
    files = eng.write_inputs(structure, kind, target, out)
    console.print(f"wrote {eng.name} {kind} inputs for {material} ({target}, {len(structure)} atoms) to {out}: "
                  f"{', '.join(files)}")
