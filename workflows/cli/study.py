"""ssbi run STUDY.yaml and ssbi report STUDY.yaml: the screening study, its summary and its report."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, err_console, fail
from ssbi.workflows.cli.options import RANK_BY_HELP, STORE_OPT, output_folder, rank_by_option
from ssbi.workflows.report.tables import Column, check_format, emit

STATUS_STYLE = {"stored": "dim", "done": "green", "failed": "red", "submitted": "cyan", "queued": "cyan",
                "waiting": "yellow"}


def _interphase_short(value: str) -> str:
    """"passivating (Li)" -> "P Li", "stable at 0.51 V (LiIn)" -> "S 0.51 V": the kind's initial and where."""
    kind, _, electrode = str(value).partition(" (")
    kind, _, at = kind.partition(" at ")
    electrode = electrode.split(";")[0].rstrip(")")
    mark = "S±" if kind == "stable within error" else kind[:1].upper()
    return f"{mark} {at or electrode}".strip()


INTERPHASE = "S stable, S± stable within the engine's error, P passivating, M mixed conducting (grows)"
SUMMARY = [
    Column("rank", "#", "rank"),
    Column("electrolyte", "electrolyte", "electrolyte"),
    Column("window_V", "window", "window (V vs Li/Li+)"),
    Column("E_hull_meV", "E_hull", "E above hull (meV/atom)", digits=0),
    Column("rxn_anode_eV_atom", "ΔE_an", "reaction energy with the anode of IP_an (eV/atom, most negative mixing)",
           digits=2),
    Column("interphase_anode", "IP_an", f"interphase with the anode that gives the best one (Li metal by its "
                                        f"reaction, an alloy at its potential): {INTERPHASE}",
           short=_interphase_short),
    Column("rxn_alloy_eV_atom", "ΔE_V",
           "decomposition energy at the alloy anode's potential (eV per atom of electrolyte, Li open)", digits=2),
    Column("interphase_alloy", "IP_V", "the electrolyte at the alloy anode's potential", short=_interphase_short),
    Column("rxn_cathode_eV_atom", "ΔE_cat", "reaction energy with the cathode (eV/atom)", digits=2),
    Column("interphase_cathode", "IP_cat", "interphase with the cathode", short=_interphase_short),
    Column("oxidation_at_cathode", "ox_cat", "the electrolyte at the cathode couple's potential (Li open)",
           short=lambda v: str(v).split(" at ")[0], optional=True),
    Column("rxn_cathode_V_eV_atom", "ΔE_ox", "its decomposition energy there (eV per atom of electrolyte)", digits=2,
           optional=True),
    Column("W_ad_anode_J_m2", "W_ad", "work of adhesion with the first anode (J/m²)", digits=2),
    Column("W_ad_cathode_J_m2", "W_cat", "work of adhesion with the first cathode (J/m²)", digits=2, optional=True),
    Column("W_ad_by_electrode", "W_ad each", "W_ad with each electrode (J/m²)", optional=True),
    Column("md_temperature_K", "T_MD", "MD temperature (K)", digits=0, optional=True),
    Column("md_growth_rate", "growth", "reacted-zone growth in the MD of the first anode | electrolyte (Å/ps "
                                       "linear, Å/ps^½ parabolic)", digits=2),
    Column("md_growth_law", "law", "growth law: t linear (reaction-limited), √t parabolic (diffusion-limited)",
           short=lambda v: {"linear": "t", "parabolic": "√t"}.get(v, str(v))),
    Column("md_intact_PS4", "PS4", "fraction of PS4 intact at the end of the MD", digits=2),
    Column("md_D_interface_over_bulk", "D_i/D_b", "Li diffusivity in the interface zone / in the electrolyte "
                                                  "region of the same MD", digits=2),
    Column("G_GPa", "G", "shear modulus G_VRH (GPa)", digits=1),
    Column("G_over_G_Li", "G/G_Li", "G / G_Li", digits=2),
    Column("dendrite_verdict", "MN", "Monroe–Newman: suppresses dendrites (G > 2 G_Li)",
           short=lambda v: "yes" if v == "suppressing" else "no" if v == "not suppressing" else str(v)),
    Column("weakest_side", "weakest", "the side that decided the rank: its verdict (stable within the model's error "
                                      "where the reaction is weaker than the threshold) and reaction energy",
           optional=True),
]


def summary_columns(rows: list[dict]) -> list[Column]:
    """The summary's columns without those of analyses the study did not run (no value in any row)."""
    return [c for c in SUMMARY if c.key in ("rank", "electrolyte") or any(r.get(c.key) is not None for r in rows)]


def print_summary(rows: list[dict], title: str, fmt: str = "table") -> None:
    """The ranked summary on stdout: a table that fits the terminal (short heads, legend below), or json/csv/md."""
    emit(rows, fmt, title, console, summary_columns(rows))


def timings_table(timings: dict[str, float], total: float) -> Table:
    table = Table(title=f"Wall time by analysis (total {total:.0f} s)", header_style="bold")
    table.add_column("analysis")
    table.add_column("s", justify="right")
    table.add_column("%", justify="right")
    for k, v in timings.items():
        table.add_row(k, f"{v:.0f}", f"{100 * v / total:.0f}" if total else "—")
    return table


def run_study(path: str, store: Optional[str], submit: bool, out: Path, dry_run: bool = False,
              fmt: str = "table", rank_by: str = "weakest-side", force: bool = False) -> None:
    """Run every task of the study here with a progress display (or submit them); then the summary. With
    ``fmt`` other than ``table`` only the summary goes to stdout (progress and timings to stderr)."""
    from ssbi.workflows.report.html import write_report  # lazy: start-up (matplotlib, pymatgen)
    from ssbi.workflows.report.results import Results  # lazy: start-up
    from ssbi.workflows.report.summary import ranking_settings, study_summary  # lazy: start-up (pymatgen)
    from ssbi.workflows.study.runner import open_study  # lazy: start-up (jobflow, the engine)

    check_format(fmt)
    log = console if fmt == "table" else err_console
    runner = open_study(path, store, submit=submit)
    runner.retry_no_match = force
    spec = runner.spec
    log.print(f"study [bold]{spec.name}[/]: {len(runner.tasks)} tasks with {runner.engine.name}; "
              f"results in {runner.store_name}")
    if dry_run:
        return print_dry_run(spec, runner)
    runner.check_runs_here()
    if runner.submitted:
        outcomes = runner.submit_here()
        for o in outcomes:
            log.print(f"[{STATUS_STYLE.get(o.status, '')}]{o.status:>9}[/] {o.task.label} {o.message}")
        if not all(o.status == "stored" for o in outcomes):
            log.print("run them with `ssbi worker` (or qlaunch on HPC); then `ssbi run` again here to collect the "
                      "windows and reactions and print the summary")
            return
        log.print("everything the workers compute is stored: windows, reactions and the summary follow here")
    start = time.time()
    timings: dict[str, float] = defaultdict(float)
    failed = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=log, transient=True) as progress:
        bar = progress.add_task(f"study {spec.name}", total=len(runner.tasks))

        def started(task):
            progress.update(bar, description=f"{task.label}")

        def ended(outcome):
            timings[outcome.task.analysis] += outcome.seconds
            style = STATUS_STYLE.get(outcome.status, "")
            extra = f" in {outcome.seconds:.0f} s" if outcome.status in ("done", "stored") else ""
            note = f": {outcome.message}" if outcome.message else ""
            progress.console.print(f"[{style}]{outcome.status:>7}[/] {outcome.task.label}{extra}{note}")
            if outcome.status == "failed":
                failed.append(outcome)
            progress.advance(bar)

        runner.run(started, ended)
    total = time.time() - start
    results = Results(runner.store)
    settings, rule = ranking_settings(spec, rank_by)
    rows = study_summary(spec, results, settings)
    print_summary(rows, f"Study {spec.name}: electrolytes ranked ({runner.engine.name})", fmt)
    log.print(rule)
    if spec.analyses.stacks and fmt == "table":  # the stacks too, each requirement a column
        from ssbi.workflows.cli.query import STACKS  # lazy: start-up (the query commands)

        emit(results.stacks_rows(study=spec, engine=spec.engine), "table",
             f"Study {spec.name}: interlayers and coatings ranked per side", console, STACKS)
    for what, why in runner.choices.items():
        log.print(f"faces {what}: {why}")
    log.print(timings_table(dict(timings), total))
    written = write_report(spec, results, out, timings=dict(timings), rows=rows, rule=rule)
    log.print(f"summary: {written['markdown']}; report: {written['html']}")
    if failed:
        fail(f"{len(failed)} task(s) failed: {', '.join(o.task.label for o in failed)} (re-run to retry them; a "
             "pair with no interface cell is built again only with --force or other limits)")


def print_dry_run(spec, runner) -> None:
    """What `--submit` would send: workflows, Fireworks, core-hours per analysis (measured costs) and resources."""
    rows = runner.dry_run()
    sent = [r for r in rows if not r["stored"]]
    table = Table(title=f"--submit --dry-run: {spec.name}", box=None)
    for col, just in (("workflow", "left"), ("tasks", "right"), ("Fireworks", "right"), ("core-h", "right")):
        table.add_column(col, justify=just)
    for r in rows:
        hours = sum(r["core_hours"].values())
        table.add_row(r["label"] + (" [dim](stored)[/]" if r["stored"] else ""), str(len(r["tasks"])),
                      str(r["fireworks"]), f"{hours:.2f}")
    console.print(table)
    per_kind: dict[str, float] = defaultdict(float)
    for r in sent:
        for kind, h in r["core_hours"].items():
            per_kind[kind] += h
    console.print(f"{len(sent)} workflows, {sum(r['fireworks'] for r in sent)} Fireworks to submit "
                  f"({len(rows) - len(sent)} stored); windows and reactions follow here from the hull")
    console.print("estimated core-hours (configs/fireworks/cost_estimates.yaml, 2-core measurements): " +
                  ", ".join(f"{k} {v:.2f}" for k, v in per_kind.items()) + f"; total {sum(per_kind.values()):.2f}")
    resources = spec.execution.resources or {}
    console.print("queue resources per Firework (execution.resources → _queueadapter): " +
                  (", ".join(f"{k}={v}" for k, v in resources.items()) or "none given (the qadapter's defaults)"))


@app.command()
def report(
    study: str = typer.Argument(..., help="Study file or name, e.g. configs/studies/default.yaml."),
    out: Path = typer.Option(Path("report"), "-o", "--out", callback=output_folder, help="Folder for report.html, summary.md, plots."),
    store: Optional[str] = STORE_OPT,
    screenshot: bool = typer.Option(False, "--screenshot", help="Also render report.png with headless Chromium."),
    fmt: str = typer.Option("table", "--format", help="The summary on stdout as table, json, csv or md."),
    rank_by: str = typer.Option("weakest-side", "--rank-by", callback=rank_by_option, help=RANK_BY_HELP),
):
    """HTML (one file, images embedded) and Markdown report of a study from the stored results."""
    from ssbi.workflows.report.html import screenshot as render  # lazy: start-up (matplotlib, pymatgen)
    from ssbi.workflows.report.html import write_study_report  # lazy: start-up

    check_format(fmt)
    log = console if fmt == "table" else err_console
    spec, written = write_study_report(study, out, store, rank_by=rank_by)
    if not any(written["rows"][0][k] is not None for k in ("window_V", "W_ad_anode_J_m2", "G_GPa")):
        log.print(f"[yellow]no stored results for study {spec.name}: run `ssbi run {study}` first[/]")
    print_summary(written["rows"], f"Study {spec.name}", fmt)
    log.print(written["rule"])
    log.print(f"wrote {written['html']} and {written['markdown']} ({len(written['plots'])} plots)")
    if screenshot:
        log.print(f"rendered {render(written['html'], out / 'report.png')}")
