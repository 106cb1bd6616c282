"""ssbi reference list / show / build: the reference phases of the hulls and their shipped entries."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.cli.options import output_file

reference_app = typer.Typer(help="Reference phases (competing phases of the hulls) and shipped entries.",
                            no_args_is_help=True)
app.add_typer(reference_app, name="reference")


SCREEN_ROWS = 20


@reference_app.command("list")
def reference_list(chemsys: Optional[str] = typer.Argument(None, help="Only phases within this system, "
                                                                       "e.g. Li-P-S."),
                   full: bool = typer.Option(False, "--full", help=f"Every phase (else the first {SCREEN_ROWS}).")):
    """Reference structures (id, formula, space group, sites) and, per engine, what is shipped for them."""
    from ssbi.workflows.store.entries import reference_rows  # lazy: start-up (pymatgen)

    phases, note = reference_rows(chemsys)
    t = Table(title=f"{len(phases)} reference phases{' in ' + chemsys if chemsys else ''}", header_style="bold")
    for col in ("id", "formula", "space group", "sites", "chgnet single point (eV/at)", "relaxed (eV/at)",
                "bonding", "ΔV", "in hull", "known", "source"):
        t.add_column(col, justify="right" if col in ("sites", "chgnet single point (eV/at)", "relaxed (eV/at)", "ΔV")
                     else "left")
    for p in phases if full else phases[:SCREEN_ROWS]:
        check = p["volume_check"] or {}
        t.add_row(p["id"], p["formula"], p["spacegroup"], str(p["sites"]),
                  "" if p["single_point"] is None else f"{p['single_point']:.4f}",
                  "" if p["relaxed"] is None else f"{p['relaxed']:.4f}", check.get("bonding", ""),
                  "" if not check else f"{check['volume_change']:+.1%}",
                  "" if p["relaxed"] is None else ("yes" if check.get("accepted", True) else "no: " +
                                                   check.get("reason", "")),
                  "hypothetical" if p["status"] == "hypothetical" else "", p["database"].split(",")[0])
    console.print(t)
    if not full and len(phases) > SCREEN_ROWS:
        console.print(f"[dim]first {SCREEN_ROWS} of {len(phases)} phases: --full shows all, a system (Li-P-S) fewer[/]")
    if note:
        console.print(note)
    if any(p["status"] == "hypothetical" for p in phases):
        console.print("known: hypothetical = never made (configs/reference/phase_status.yaml), left out of the hulls "
                      "unless --all-phases")


@reference_app.command("show")
def reference_show(ref_id: str = typer.Argument(..., help="Reference id, e.g. mp-641703.")):
    """One reference phase: provenance, structure and its shipped energies."""
    from ssbi.interfaces.phase_status import phase_status  # lazy: start-up (pymatgen)
    from ssbi.interfaces.reference import get_reference, reference_structure  # lazy: start-up (pymatgen)

    phase = get_reference(ref_id)
    status = phase_status(phase.id, phase.formula)
    structure = reference_structure(ref_id)
    t = Table(show_header=False, title=f"{phase.id}: {phase.formula}")
    t.add_column("field", style="bold")
    t.add_column("value")
    for k, v in [("formula", phase.formula), ("space group", phase.spacegroup), ("sites", str(phase.nsites)),
                 ("volume", f"{structure.volume / len(structure):.2f} Å³/atom"), ("file", str(phase.path())),
                 ("database", phase.database), ("source", f"{phase.source_repo} {phase.source_path}"),
                 ("commit", phase.commit), ("licence", phase.licence), ("note", phase.note),
                 ("known", f"hypothetical: {status.why}" if status.status == "hypothetical" else
                  "unknown (an MP phase of unstated origin: the CIFs carry no ICSD ids)")]:
        t.add_row(k, v)
    console.print(t)


@reference_app.command("build")
def reference_build(
    engine: str = typer.Option("chgnet", "--engine", help="Engine whose reference entries to (re)compute."),
    systems: Optional[list[str]] = typer.Option(None, "--system", help="Chemical systems to add to the file (its "
                                                                       "others are kept; default: regenerate "
                                                                       "configs/reference/systems.yaml)."),
    workers: int = typer.Option(2, "--workers", help="Worker processes (one thread each)."),
    out: Optional[Path] = typer.Option(None, "-o", "--out", callback=output_file, help="Output file (default: the shipped file of "
                                                                  "the engine)."),
    recompute: list[str] = typer.Option([], "--recompute", help="static and/or relax: compute these again even "
                                                                "where the file has them, and report the change."),
    estimate_only: bool = typer.Option(False, "--estimate", help="Print the cost estimate per system and stop."),
    finished_only: bool = typer.Option(False, "--finished-only", help="Run no relaxation: write the systems an "
                                                                      "interrupted build finished (its checkpoint "
                                                                      "is kept, to continue later)."),
):
    """Recompute an engine's shipped reference entries: single points of every reference structure of the
    systems, relaxations of the selected polymorphs and of the library phases. Items of the existing file
    with the same inputs are kept; an interrupted build continues from its checkpoint."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ssbi.workflows.run.reference_build import (  # lazy: start-up (jobflow, the engine)
        HOURS_WARNING,
        build_reference_set,
        estimate_build,
    )

    rows = estimate_build(engine, systems or None, workers)
    todo = [r for r in rows if r["to_screen"] or r["relaxations"]]
    if todo or estimate_only:
        t = Table(title=f"estimated cost ({engine}, {workers} workers; measured CPU-s per atom)", header_style="bold")
        for col in ("system", "structures", "to screen", "relaxations (≥)", "atoms to relax", "wall (h)"):
            t.add_column(col, justify="left" if col == "system" else "right")
        for r in todo if not estimate_only else rows:
            t.add_row(r["system"], str(r["structures"]), str(r["to_screen"]), str(r["relaxations"]),
                      str(r["atoms_to_relax"]), f"{r['wall_h']:.2f}")
        console.print(t)
        for r in todo:
            if r["wall_h"] >= HOURS_WARNING:
                console.print(f"[bold yellow]note:[/] {r['system']} would take about {r['wall_h']:.1f} h on {workers} "
                              f"workers ({r['to_screen']} single points, at least {r['relaxations']} relaxations of "
                              f"{r['atoms_to_relax']} atoms); polymorphs within the energy window come on top")
    if estimate_only:
        return
    start = time.time()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        task = bar.add_task("starting", total=None)

        def progress(desc, n, total):
            bar.update(task, description=desc[:60], completed=n, total=total)

        bad = [k for k in recompute if k not in ("static", "relax")]
        if bad:
            fail(f"--recompute takes static or relax, not {', '.join(bad)}")
        def selected(rows):
            """The exact relaxations, once the single points chose them: said before they start."""
            total = sum(r["wall_h"] for r in rows)
            bar.console.print(f"relaxations to run: {sum(r['relaxations'] for r in rows)} "
                              f"({sum(r['atoms_to_relax'] for r in rows)} atoms), about {total:.1f} h on {workers} "
                              f"workers: " + ", ".join(f"{r['system']} {r['relaxations']} ({r['wall_h']:.2f} h)"
                                                       for r in rows))
            for r in rows:
                if r["wall_h"] >= HOURS_WARNING:
                    bar.console.print(f"[bold yellow]note:[/] {r['system']}: {r['relaxations']} relaxations, about "
                                      f"{r['wall_h']:.1f} h")

        path, report = build_reference_set(engine, systems or None, workers, out, progress=progress,
                                           recompute=tuple(recompute), on_selection=selected,
                                           finished_only=finished_only)
    console.print(f"wrote {path} in {time.time() - start:.0f} s: {report['computed']} calculation(s) run, "
                  f"{report['kept']} kept from the previous file")
    if report.get("unfinished_systems"):
        console.print(f"not written (relaxations still to run): {', '.join(report['unfinished_systems'])}; run the "
                      "same command without --finished-only to finish them")
    for kind in ("static", "relax"):
        if report[kind]["n"]:
            console.print(f"  {kind}: {report[kind]['n']} recomputed, largest change against the previous file "
                          f"{1000 * report[kind]['max_abs_ev_per_atom']:.2f} meV/atom")


@reference_app.command("import")
def reference_import(
    path: Path = typer.Argument(..., help="A JSON file of pymatgen ComputedStructureEntry dicts (mp-api's "
                                          "get_entries_in_chemsys, saved with monty's dumpfn) or a folder of CIFs."),
    name: Optional[str] = typer.Option(None, "--name", help="Name of the set (default: the file or folder name); "
                                                            "use it as --entries NAME."),
    scale: Optional[str] = typer.Option(None, "--scale", help="Energy scale of entries that do not say: mp2020 "
                                                              "(Materials Project's entries) or raw-gga."),
    engine: str = typer.Option("chgnet", "--engine", "-e", help="Engine that computes a folder of CIFs."),
    workers: int = typer.Option(1, "--workers", help="Worker processes for a folder of CIFs."),
    force: bool = typer.Option(False, "--force", help="Replace a set of the same name."),
):
    """Your own reference entries for a chemical system: Materials Project entries as they are (their scale and
    ids kept), or a folder of CIFs relaxed with ENGINE. The set is the whole phase set wherever `--entries NAME` is
    given (window, windows, react, alloy), never mixed with another engine's energies."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ssbi.interfaces.errors import SSBIError  # lazy: start-up (pymatgen)
    from ssbi.workflows.run.reference_import import import_cif_folder, read_cif_folder  # lazy: start-up (CHGNet)
    from ssbi.workflows.store.imported import check_scale, import_entries_file  # lazy: start-up (pymatgen)

    try:
        check_scale(scale)
        if path.is_dir():
            read_cif_folder(path)  # unreadable or incomplete: one line before anything runs
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=console) as bar:
                task = bar.add_task("relaxing", total=None)
                out, prov = import_cif_folder(path, engine, name, workers, force,
                                              progress=lambda d, n, t: bar.update(task, description=f"relaxing {d}"[:50],
                                                                                  completed=n, total=t))
        elif path.is_file():
            out, prov = import_entries_file(path, name, scale, force)
        else:
            fail(f"{path} does not exist")
    except SSBIError as exc:
        fail(str(exc).splitlines()[0])
    console.print(f"imported {prov['n_entries']} entries of {'-'.join(prov['elements'])} ({prov['engine']}, "
                  f"{prov['energy_scale']} scale{', run types ' + ', '.join(prov['run_types']) if prov.get('run_types') else ''}) "
                  f"as {out.stem!r}: {out}")
    console.print(f"use it with --entries {out.stem}, e.g. `ssbi windows ... --entries {out.stem}`")


@reference_app.command("imported")
def reference_imported():
    """The imported entry sets: name, elements, engine and scale, source."""
    from ssbi.workflows.store.imported import list_imported  # lazy: start-up (pymatgen)

    t = Table(title="imported entry sets", header_style="bold")
    for col in ("name", "elements", "entries", "engine", "scale", "source", "imported"):
        t.add_column(col)
    for row in list_imported():
        t.add_row(row["name"], "-".join(row.get("elements", [])), str(row.get("n_entries", "?")), row.get("engine", ""),
                  row.get("energy_scale", ""), row.get("source", ""), row.get("imported_at", "")[:19])
    console.print(t)
