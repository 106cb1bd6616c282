"""ssbi materials: the curated library (list, show, curate, add)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from ssbi.workflows.cli.app import materials_app
from ssbi.workflows.cli.console import console, fail
from ssbi.workflows.report.tables import Column, emit

LIBRARY = [Column("name"), Column("formula"), Column("roles", optional=True), Column("spacegroup", "SG", "space group"),
           Column("a", "a", "a (Å)", digits=3), Column("b", "b", "b (Å)", digits=3), Column("c", "c", "c (Å)", digits=3),
           Column("density", "ρ", "density (g/cm³)", digits=2), Column("n_atoms", "atoms", "atoms in the cell"),
           Column("source", short=lambda v: str(v).split(";")[0][:40], optional=True)]


@materials_app.command("list")
def materials_list(role: Optional[str] = typer.Option(None, help="Only this role: anode, cathode, electrolyte, interphase, competing (hull phases)."),
                   fmt: str = typer.Option("table", "--format", help="table, json, csv or md.")):
    """Table of the library: formula, roles, space group, lattice, density; source and reference with --format
    json/csv (and `ssbi materials show NAME`)."""
    from ssbi.interfaces.materials import list_materials, summary  # lazy: start-up (pymatgen, the library)

    emit([summary(m) for m in list_materials() if not role or role in m.roles], fmt, "Materials library", console,
         LIBRARY)


@materials_app.command("show")
def materials_show(
    name: str = typer.Argument(..., help="Material name, formula or alias."),
    variant: str = typer.Option("experimental", help="experimental, chgnet (relaxed) or parent (as published)."),
):
    """One material: crystallography, source and how its structure was made."""
    import json

    from ssbi.interfaces.materials import get_material, summary  # lazy: start-up (pymatgen, the library)

    mat = get_material(name)
    row = summary(mat, variant)
    table = Table(title=f"{mat.name} ({variant})", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key in ("formula", "roles", "spacegroup", "a", "b", "c", "density", "n_atoms", "source", "reference", "positions_quality", "ordering"):
        value = row[key]
        if isinstance(value, float):
            value = f"{value:.4f}"
        table.add_row(key, str(value))
    prov = mat.structure_path("experimental").with_name(f"{mat.name}.provenance.json")
    if prov.is_file():
        rel = json.loads(prov.read_text())["relaxation"]
        table.add_row("CHGNet relaxation", f"ΔV = {100 * rel['volume_change']:+.1f} %, max displacement {rel['max_displacement_A']:.2f} Å, E = {rel['energy_eV_per_atom']:.4f} eV/atom ({rel['energy_scale']})")
    console.print(table)


@materials_app.command("curate")
def materials_curate(names: list[str] = typer.Argument(None, help="Materials to (re)curate; all when omitted.")):
    """(Re)make ordered approximants and CHGNet-relaxed structures of the library."""
    from ssbi.interfaces.materials import get_material, library_dir, list_materials  # lazy: start-up (pymatgen)
    from ssbi.workflows.materials.curation import curate  # lazy: start-up (CHGNet)

    mats = [get_material(n) for n in names] if names else [m for m in list_materials() if m.has_structure]
    for mat in mats:
        if not mat.has_structure:
            fail(f"{mat.name} is known by composition only: nothing to curate")
        with console.status(f"curating {mat.name}"):
            prov = curate(mat, Path(mat.folder or library_dir()) / "structures", log=console.print)
        rel = prov["relaxation"]
        console.print(f"{mat.name}: ΔV {100 * rel['volume_change']:+.1f} %, max displacement {rel['max_displacement_A']:.2f} Å, {prov['wall_time_s']} s")


@materials_app.command("add")
def materials_add(
    structure_file: Optional[Path] = typer.Argument(None, help="CIF (or any structure file) of the phase, e.g. exported from ICSD or COD; with --composition: the library name (75Li2S-25P2S5)."),
    reference_id: Optional[str] = typer.Option(None, "--reference-id", help="Take the structure from the reference set instead (e.g. mp-641703); recorded as the entry's source structure."),
    name: Optional[str] = typer.Option(None, "--name", help="Library name, e.g. P4S10."),
    composition: Optional[str] = typer.Option(None, "--composition", help="A phase with no crystal structure (a glass), by its formula, e.g. Li3PS4 or Li2.9PO3.3N0.46: window, reactions and interphases from the hull; adhesion, mechanics and MD refuse it."),
    glass: bool = typer.Option(False, "--glass", help="The phase is a glass or glass-ceramic (with --composition)."),
    e_above_hull: Optional[float] = typer.Option(None, "--e-above-hull", help="Its energy above the hull (eV/atom) where known (with --composition); else reported as unknown."),
    roles: list[str] = typer.Option(["competing"], "--role", help="anode, cathode, electrolyte, interphase or competing (repeatable)."),
    reference: str = typer.Option(..., "--reference", help="Who published the structure (or made the glass), where (authors, journal, year)."),
    doi: Optional[str] = typer.Option(None, help="DOI of the structure paper."),
    database_id: Optional[str] = typer.Option(None, "--database-id", help="e.g. 'ICSD 12345' or 'COD 1010245'."),
    aliases: list[str] = typer.Option([], "--alias", help="Other names (repeatable)."),
    description: str = typer.Option("", help="One sentence on the phase."),
    van_der_waals: bool = typer.Option(False, "--van-der-waals", help="Molecular or layered solid (CHGNet swells it; judged by a looser volume check)."),
    layered: bool = typer.Option(False, "--layered", help="vdW layers rather than molecules (with --van-der-waals)."),
    symprec: float = typer.Option(0.01, help="Symmetry tolerance (Å) for finding the space group and Wyckoff sites."),
    force: bool = typer.Option(False, "--force", help="Replace an entry of the same name."),
):
    """Add a phase to the library from a structure file: Wyckoff description, CHGNet curation
    and the library's checks; nothing is kept when a check fails."""
    from ssbi.interfaces.analysis.hull import formula_name  # lazy: start-up (pymatgen)
    from ssbi.interfaces.analysis.interphase import load_band_gaps  # lazy: start-up (pymatgen)
    from ssbi.workflows.materials.curation import add_composition_material, add_material  # lazy: start-up (CHGNet)

    if composition is not None:
        if reference_id or (structure_file and name):
            fail("--composition takes the name (as the argument or --name), not a structure")
        label = name or (str(structure_file) if structure_file else None)
        if not label:
            fail("give the library name, e.g. `ssbi materials add 75Li2S-25P2S5 --composition Li3PS4 --glass`")
        entry, path = add_composition_material(label, composition, reference,
                                               roles if roles != ["competing"] else ["electrolyte"], glass,
                                               e_above_hull, doi, aliases, description, force)
        known = "unknown" if entry.e_above_hull is None else f"{1000 * entry.e_above_hull:.0f} meV/atom (given)"
        console.print(f"added {entry.name} ({entry.formula}, {entry.kind}, roles {', '.join(entry.roles)}) to {path}: "
                      f"window and reactions from the hull, energy above the hull {known}; adhesion, mechanics and MD "
                      "need a crystalline model")
        return
    if glass or e_above_hull is not None:
        fail("--glass and --e-above-hull describe a phase given by --composition")
    if not name:
        fail("give --name for the library entry")
    with console.status("reading the structure") as status:
        entry, path, prov = add_material(name, reference, structure_file, reference_id, roles, doi, database_id,
                                         aliases, description, van_der_waals, layered, symprec, force,
                                         log=console.print, progress=status.update)
    rel = prov["relaxation"]
    console.print(
        f"added {entry.name} ({entry.formula}, {entry.crystallography['spacegroup']}, "
        f"{len(entry.crystallography['sites'])} Wyckoff sites) to {path}: "
        f"CHGNet ΔV {100 * rel['volume_change']:+.1f} %, max displacement {rel['max_displacement_A']:.2f} Å"
    )
    if formula_name(entry.formula) not in load_band_gaps():
        console.print(
            f"note: {entry.formula} has no band gap in configs/band_gaps.yaml; an interphase containing it is "
            "'undetermined' until you add one there (or a computed gap is stored)"
        )
