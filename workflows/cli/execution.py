"""ssbi commands that run things: engines, setup, run, submit, inputs (the FireWorks side: ``cluster``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import (
    ENGINE_OPT,
    KIND_ARG,
    MATERIAL_ARG,
    RANK_BY_HELP,
    STORE_OPT,
    TARGET_OPT,
    VARIANT_OPT,
    output_folder,
    rank_by_option,
)

setup_app = typer.Typer(help="One-time set-up of engines.", no_args_is_help=True)
app.add_typer(setup_app, name="setup")


@app.command()
def engines():
    """Configured engines, their versions and whether they can run here."""
    from ssbi.workflows.engines.registry import engine_status  # lazy: start-up (engine code)

    table = Table(title="Engines", header_style="bold")
    for col in ("engine", "kind", "version", "energy scale", "status"):
        table.add_column(col)
    for row in engine_status():
        status = row["problem"] or ("[green]ready[/]" if row["runs_here"] else "[yellow]inputs only (runs on HPC)[/]")
        table.add_row(row["name"], row["kind"], row["version"], row["energy_scale"],
                      f"[red]{status}[/]" if row["problem"] else status)
    console.print(table)


@setup_app.command("cp2k")
def setup_cp2k_cmd(share: str = typer.Option("/usr/share/cp2k", help="CP2K data folder (Debian cp2k-data)."),
                   force: bool = typer.Option(False, "--force", help="Rebuild the pymatgen data folder.")):
    """Make pymatgen's CP2K basis/potential folder (once, ~40 s) and check the binary."""
    from ssbi.workflows.engines.cp2k import setup_cp2k  # lazy: start-up (atomate2 CP2K)
    from ssbi.workflows.engines.registry import checked_engine  # lazy: start-up

    with console.status("building pymatgen's CP2K data folder (about 40 s)"):
        folder = setup_cp2k(share, force)
    console.print(f"CP2K data for pymatgen: {folder}")
    eng = checked_engine("cp2k")
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


def _is_study(kind: str) -> bool:
    """Whether ``ssbi run``'s first argument names a study (a file, or a study by name) rather than relax/static."""
    from ssbi.interfaces.errors import InputError  # lazy: start-up
    from ssbi.workflows.study.spec import study_path  # lazy: start-up (pydantic study models)

    if kind.endswith((".yaml", ".yml")) or Path(kind).is_file():
        return True
    if kind in ("relax", "static"):
        return False
    try:
        study_path(kind)
    except InputError:
        return False
    return True


@app.command()
def run(
    kind: str = typer.Argument(..., help="A study file (configs/studies/default.yaml), or relax / static."),
    material: Optional[str] = typer.Argument(None, help="Library material or structure file (relax / static)."),
    engine: str = ENGINE_OPT,
    target: str = TARGET_OPT,
    variant: str = VARIANT_OPT,
    store: Optional[str] = STORE_OPT,
    force: bool = typer.Option(False, "--force", help="Recompute even if the result is stored (a study: build again "
                                                      "the pairs remembered with no interface cell; its stored "
                                                      "results are kept)."),
    submit: bool = typer.Option(False, "--submit", help="Send to FireWorks instead of running here (a study: one "
                                                        "workflow per analysis and pair)."),
    out: Path = typer.Option(Path("out/study"), "-o", "--out", callback=output_folder, help="Study: folder for the summary and plots."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Study with --submit: print the workflows, Fireworks, "
                                                          "estimated core-hours and queue resources; send nothing."),
    fmt: str = typer.Option("table", "--format", help="Study: the summary on stdout as table, json, csv or md "
                                                      "(progress then goes to stderr)."),
    rank_by: str = typer.Option("weakest-side", "--rank-by", callback=rank_by_option, help="Study: " + RANK_BY_HELP),
):
    """Run a study (`ssbi run configs/studies/default.yaml`) or one calculation here, and store the results."""
    if _is_study(kind):
        from ssbi.workflows.cli.study import run_study  # lazy: start-up

        if dry_run and not submit:
            fail("--dry-run goes with --submit (it shows what a submit would send)")
        return run_study(kind, store, submit, out, dry_run=dry_run, fmt=fmt, rank_by=rank_by, force=force)
    if material is None:
        fail("missing MATERIAL: `ssbi run relax|static MATERIAL`, or `ssbi run STUDY.yaml` (or a study's name: "
             "`ssbi run default`)")
    if dry_run:
        fail("--dry-run goes with a study and --submit")
    if submit:
        return _submit_calculation(kind, material, engine, target, variant, store, force)
    from ssbi.workflows.run import requests  # lazy: start-up (jobflow, pymatgen, the engine)

    with console.status("checking the input") as status:
        req = requests.calculation(kind, material, engine, target, variant, store, force=force,
                                   progress=lambda stage: status.update(stage))
    label, o = req.analysis.label, req.outcome
    if o.status == "failed":
        fail(o.message)
    doc = req.docs[0]
    if o.status == "stored" and o.message:  # a concurrent identical run stored it while this one ran
        console.print(f"already stored: {label} is result {doc['uuid']} in {req.store}, stored by a concurrent run; "
                      "this run's result was not kept")
        console.print(_calc_table(doc, label))
    elif o.status == "stored":
        console.print(f"already stored: {label} is result {doc['uuid']} in {req.store}; nothing to do (--force "
                      "recomputes)")
        console.print(_calc_table(doc, label))
    else:
        console.print(_calc_table(doc, f"{label}: done in {o.seconds:.1f} s"))
        console.print(f"stored in {req.store}")


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
    _submit_calculation(kind, material, engine, target, variant, store, force)


def _submit_calculation(kind, material, engine, target, variant, store, force) -> None:
    from ssbi.workflows.run import requests  # lazy: start-up (jobflow, pymatgen, the engine)

    req = requests.calculation(kind, material, engine, target, variant, store, force=force, submit=True)
    label, o = req.analysis.label, req.outcome
    if o.status == "stored":
        console.print(f"already stored: {label} is result {req.docs[0]['uuid']} in {req.store}; nothing submitted "
                      "(--force submits anyway)")
    elif o.status == "queued":
        console.print(f"already queued: {label} is workflow {o.workflow}; nothing submitted")
    else:
        console.print(f"submitted {label} as workflow {o.workflow}; run it with `ssbi worker` or `ssbi queue`")


@app.command()
def inputs(
    engine: str = typer.Argument(..., help="cp2k or vasp."),
    material: str = MATERIAL_ARG,
    kind: str = typer.Option("relax", help="relax or static."),
    target: str = TARGET_OPT,
    variant: str = VARIANT_OPT,
    out: Path = typer.Option(Path("inputs"), "-o", "--out", callback=output_folder, help="Folder to write."),
):
    """Write an engine's input files (e.g. VASP for HPC) without running anything."""
    from ssbi.workflows.engines.inputs import write_inputs  # lazy: start-up (engine code)

    files, eng, n_atoms = write_inputs(engine, material, kind, target, variant, out)
    console.print(f"wrote {eng.name} {kind} inputs for {material} ({target}, {n_atoms} atoms) to {out}: "
                  f"{', '.join(files)}")
