"""ssbi commands on the FireWorks side: worker, queue, status, rerun, launchpad reset, config check."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, err_console, fail
from ssbi.workflows.cli.options import STORE_OPT

launchpad_app = typer.Typer(help="The FireWorks LaunchPad.", no_args_is_help=True)
app.add_typer(launchpad_app, name="launchpad")
config_app = typer.Typer(help="ssbi's configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


def _waiting(db_file) -> None:
    err_console.print(f"worker: waiting for the embedded LaunchPad {db_file}: another process holds it",
                      highlight=False)


@app.command()
def worker(
    store: Optional[str] = STORE_OPT,
    nlaunches: int = typer.Option(0, help="Fireworks to run before stopping (0: until none is ready)."),
):
    """Run READY FireWorks jobs here, storing results in the configured store (rlaunch rapidfire)."""
    import ssbi.workflows.run.fireworks as fw  # lazy: start-up (FireWorks)
    from ssbi.workflows.store.jobstore import describe  # lazy: start-up

    console.print(f"worker: results go to {describe(store)}; {fw.describe()}", highlight=False)
    with console.status("running fireworks") as status:
        count = fw.work(store, nlaunches=nlaunches, on_wait=_waiting,
                        echo=lambda n: status.update(f"running fireworks ({n} done)"))
    console.print(f"worker: {count} firework(s) run; nothing more is ready")


def _study_name(study: str) -> str:
    """A study file's or name's ``name`` (what its workflows carry); an unknown one is taken as the name itself."""
    from ssbi.interfaces.errors import InputError  # lazy: start-up
    from ssbi.workflows.study.spec import load_study  # lazy: start-up (pydantic study models)

    try:
        return load_study(study).name
    except InputError:
        return study


def _study_status(study: str) -> None:
    from ssbi.workflows.run.progress import study_progress  # lazy: start-up

    progress = study_progress(_study_name(study))
    if not progress.counts:
        fail(f"no submitted workflows of study {progress.study!r} on this LaunchPad (`ssbi run STUDY --submit`)",
             code=1)
    table = Table(title=f"Study {progress.study}: workflows", header_style="bold")
    for col in ("analysis", "done", "running", "waiting", "failed"):
        table.add_column(col, justify="left" if col == "analysis" else "right")
    for analysis, counts in progress.counts.items():
        table.add_row(analysis, *(str(counts.get(k, 0)) for k in ("done", "running", "waiting", "failed")))
    console.print(table)
    if progress.running:
        table = Table(title="Running", header_style="bold")
        for col in ("workflow", "firework", "job", "host", "log"):
            table.add_column(col, overflow="fold")
        for row in progress.running:
            table.add_row(str(row["workflow"]), row["firework"], row["job_id"], row["host"], row["log"])
        console.print(table)
    if progress.failed:
        table = Table(title="Failed (`ssbi rerun` runs them again)", header_style="bold")
        for col in ("workflow", "firework", "error"):
            table.add_column(col, overflow="fold")
        for row in progress.failed:
            table.add_row(str(row["workflow"]), row["firework"], f"[red]{row['error']}[/]")
        console.print(table)


@app.command()
def status(state: Optional[str] = typer.Option(None, help="Only workflows in this state (COMPLETED, FIZZLED...)."),
           study: Optional[str] = typer.Option(None, help="A submitted study (file or name): per analysis how many "
                                                          "are done, running, waiting or failed"),
           full: bool = typer.Option(False, "--full", help="Every workflow (else the newest 40).")):
    """FireWorks workflows and their states."""
    if study:
        return _study_status(study)
    import ssbi.workflows.run.fireworks as fw  # lazy: start-up (FireWorks)

    rows = fw.workflow_states()
    table = Table(title="Workflows", header_style="bold")
    for col in ("id", "name", "state", "fireworks", "updated"):
        table.add_column(col)
    colour = {"COMPLETED": "green", "FIZZLED": "red", "RUNNING": "yellow"}
    rows = [r for r in rows if not state or r["state"] == state.upper()]
    shown = rows if full else rows[-40:]
    for row in shown:
        fws = ", ".join(f"{k.split('--')[0]}: {v}" for k, v in row["fireworks"].items())
        table.add_row(str(row["id"]), row["name"], f"[{colour.get(row['state'], 'white')}]{row['state']}[/]", fws,
                      row["updated"])
    console.print(table)
    if len(shown) < len(rows):
        counts = {s: sum(r["state"] == s for r in rows) for s in dict.fromkeys(r["state"] for r in rows)}
        console.print(f"[dim]newest 40 of {len(rows)} workflows ({', '.join(f'{n} {s}' for s, n in counts.items())})"
                      ": --full shows all, --state or --study fewer[/]")


@app.command()
def rerun(
    store: Optional[str] = STORE_OPT,
    expiration_secs: Optional[int] = typer.Option(None, help="Seconds without a ping before a RUNNING launch of "
                                                  "another host is lost (default: run_expiration_secs in "
                                                  "configs/fireworks/launchpad.yaml); this host's are checked "
                                                  "directly."),
    launch: bool = typer.Option(True, "--launch/--no-launch", help="Run a worker here afterwards."),
):
    """Re-run FIZZLED and lost RUNNING FireWorks jobs (then run them here, unless --no-launch)."""
    import ssbi.workflows.run.fireworks as fw  # lazy: start-up (FireWorks)

    def reset(found, ready):
        console.print(f"rerun: {len(found['lost'])} lost, {len(found['fizzled'])} fizzled firework(s) reset; "
                      f"{len(ready)} ready")

    with console.status("running fireworks"):
        result = fw.rerun_lost(store, expiration_secs, launch=launch, on_reset=reset)
    if launch and result["ready"]:
        console.print(f"rerun: {result['ran']} firework(s) run")


@app.command()
def queue(
    template: str = typer.Option("slurm", help="Queue template: slurm or pbs (configs/fireworks/qadapter_*.yaml)."),
    njobs: int = typer.Option(1, help="Queue jobs to submit (at most one per READY Firework)."),
    walltime: Optional[str] = typer.Option(None, help="Wall time, e.g. 24:00:00."),
    queue_name: Optional[str] = typer.Option(None, "--queue", help="Queue/partition."),
    account: Optional[str] = typer.Option(None, help="Account/project to charge."),
    cpus: Optional[int] = typer.Option(None, "--cpus", help="CPUs per job (OMP and torch threads)."),
    pre_rocket: Optional[str] = typer.Option(None, "--pre-rocket", help="Shell lines that make `ssbi` runnable "
                                             "on a compute node, e.g. 'module load python; source ~/ssbi/bin/"
                                             "activate' (default: the qadapter's, else this environment)."),
    store: Optional[str] = STORE_OPT,
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the job script instead of submitting."),
):
    """Submit queue jobs that each run `ssbi worker` until no Firework is READY."""
    import ssbi.workflows.run.fireworks as fw  # lazy: start-up (FireWorks)

    if njobs < 1:
        fail("--njobs must be at least 1")
    options = {"walltime": walltime, "queue": queue_name, "account": account}
    if cpus is not None:
        options["cpus_per_task" if template == "slurm" else "ppnode"] = cpus
    if dry_run:
        _, script = fw.queue_script(template, store, pre_rocket, **options)
        console.print(script, highlight=False, markup=False)
        return
    if fw.is_local():
        console.print(f"queue: jobs use the {fw.describe()}: they must run where that file is reachable with "
                      "working locks (this node, or a shared filesystem); for many nodes use MongoDB "
                      "(SSBI_LAUNCHPAD)", highlight=False)
    jobs = fw.queue_jobs(template, njobs, store, pre_rocket, **options)
    if not jobs:
        console.print("queue: no Firework is READY; nothing submitted (`ssbi status` shows where they are)")
        return
    for job in jobs:
        console.print(f"queue: job {job['id']} submitted; log {job['log']}", highlight=False)
    if len(jobs) < njobs:
        console.print(f"queue: {len(jobs)} of {njobs} job(s): no more Fireworks are READY")


@launchpad_app.command("reset")
def launchpad_reset(yes: bool = typer.Option(False, "--yes", help="Really delete every workflow.")):
    """Empty the configured LaunchPad (FireWorks' `lpad reset`); results in the store are kept."""
    import ssbi.workflows.run.fireworks as fw  # lazy: start-up (FireWorks)

    if not yes:
        fail(f"this deletes every workflow on the {fw.describe()}; add --yes")
    counts = fw.reset_launchpad()
    console.print(f"launchpad: {counts['workflows']} workflow(s) and {counts['fireworks']} firework(s) deleted from "
                  f"the {fw.describe()}", highlight=False)


@config_app.command("check")
def config_check(store: Optional[str] = STORE_OPT):
    """Connect to the configured results store and LaunchPad; one line each on what is wrong."""
    from ssbi.workflows.run.config_check import check_databases  # lazy: start-up

    rows = check_databases(store)
    for row in rows:
        mark = "[green]ok[/]" if row["ok"] else "[red]error[/]"
        console.print(f"{mark} {row['what']}: {row['message']}", highlight=False)
    if not all(r["ok"] for r in rows):
        raise typer.Exit(1)
