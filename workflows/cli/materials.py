"""ssbi materials: the curated library (list, show, curate, add)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from workflows.console import console, fail
from workflows.tables import Column

from workflows.cli.app import materials_app




LIBRARY = [Column("name"), Column("formula"), Column("roles"), Column("spacegroup", "SG", "space group"),
           Column("a", "a", "a (Å)", digits=3), Column("b", "b", "b (Å)", digits=3), Column("c", "c", "c (Å)", digits=3),
           Column("density", "ρ", "density (g/cm³)", digits=2), Column("n_atoms", "atoms", "atoms in the cell"),
           Column("source", short=lambda v: str(v).split(";")[0], optional=True)]


@materials_app.command("list")
def materials_list(role: Optional[str] = typer.Option(None, help="Only this role: anode, cathode, electrolyte, interphase, competing (hull phases)."),
                   fmt: str = typer.Option("table", "--format", help="table, json, csv or md.")):
    """Table of the library: formula, roles, space group, lattice, density; source and reference with --format
    json/csv (and `ssbi materials show NAME`)."""
    from interfaces.errors import InputError
    from interfaces.materials import list_materials, summary
    from workflows.tables import emit

    rows = [summary(m) for m in list_materials() if not role or role in m.roles]
    try:
        emit(rows, fmt, "Materials library", console, LIBRARY)
    except InputError as exc:
        fail(str(exc))


@materials_app.command("show")
def materials_show(
    name: str = typer.Argument(..., help="Material name, formula or alias."),
    variant: str = typer.Option("experimental", help="experimental, chgnet (relaxed) or parent (as published)."),
):
    """One material: crystallography, source and how its structure was made."""
    import json

    from interfaces.materials import get_material, summary

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
    from interfaces.materials import get_material, library_dir, list_materials
    from workflows.curation import curate

    mats = [get_material(n) for n in names] if names else list_materials()
    for mat in mats:
        with console.status(f"curating {mat.name}"):
            prov = curate(mat, Path(mat.folder or library_dir()) / "structures", log=console.print)
        rel = prov["relaxation"]
        console.print(f"{mat.name}: ΔV {100 * rel['volume_change']:+.1f} %, max displacement {rel['max_displacement_A']:.2f} Å, {prov['wall_time_s']} s")


@materials_app.command("add")
def materials_add(
    structure_file: Optional[Path] = typer.Argument(None, help="CIF (or any structure file) of the phase, e.g. exported from ICSD or COD."),
    reference_id: Optional[str] = typer.Option(None, "--reference-id", help="Take the structure from the reference set instead (e.g. mp-641703); recorded as the entry's source structure."),
    name: str = typer.Option(..., "--name", help="Library name, e.g. P4S10."),
    roles: list[str] = typer.Option(["competing"], "--role", help="anode, cathode, electrolyte, interphase or competing (repeatable)."),
    reference: str = typer.Option(..., "--reference", help="Who published the structure, where (authors, journal, year)."),
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
    from interfaces.materials import library_dir, list_materials, material_entry, read_structure, write_material
    from workflows.curation import curate, library_check_failures

    if (structure_file is None) == (reference_id is None):
        fail("give a structure file or --reference-id (one of them)")
    if reference_id:
        from interfaces.reference import reference_structure

        structure = reference_structure(reference_id)
    else:
        structure = read_structure(structure_file)
    folder = library_dir()
    taken = {m.name.lower(): m.name for m in list_materials()}
    if name.lower() in taken:
        if not force:
            fail(f"'{taken[name.lower()]}' is already in the library ({folder / (taken[name.lower()] + '.yaml')}); use --force to replace it")
        name = taken[name.lower()]
    if layered and not van_der_waals:
        fail("--layered describes a van der Waals solid: give --van-der-waals too")
    source = {"reference": reference, "doi": doi, "database_id": database_id or reference_id,
              "reference_structure": reference_id}
    entry = material_entry(
        structure, name, roles, source, symprec,
        aliases=aliases, description=description, van_der_waals=van_der_waals, layered=layered,
    )
    previous = _entry_files(folder, entry.name)  # what --force replaces, put back if the new entry fails
    failures = ["curation did not finish"]
    try:
        path = write_material(entry, folder)
        with console.status(f"curating {entry.name} ({len(entry.parent_structure())} atoms, {entry.crystallography['spacegroup']})"):
            prov = curate(entry, folder / "structures", log=console.print)
        failures = library_check_failures(entry, prov)
    finally:
        if failures:
            _restore(folder, entry.name, previous)
    if failures:
        fail(f"{entry.name} not added: {'; '.join(failures)}")
    rel = prov["relaxation"]
    console.print(
        f"added {entry.name} ({entry.formula}, {entry.crystallography['spacegroup']}, "
        f"{len(entry.crystallography['sites'])} Wyckoff sites) to {path}: "
        f"CHGNet ΔV {100 * rel['volume_change']:+.1f} %, max displacement {rel['max_displacement_A']:.2f} Å"
    )
    _band_gap_note(entry.formula)


def _entry_files(folder: Path, name: str) -> dict[Path, bytes]:
    """The YAML and structure files of one library entry, with their contents."""
    paths = [folder / f"{name}.yaml", *(folder / "structures").glob(f"{name}.*")]
    return {p: p.read_bytes() for p in paths if p.is_file()}


def _restore(folder: Path, name: str, previous: dict[Path, bytes]) -> None:
    """Undo a failed ``materials add``: remove what it wrote, put back what it replaced."""
    from interfaces.materials import refresh_library

    for path in _entry_files(folder, name):
        path.unlink()
    for path, content in previous.items():
        path.write_bytes(content)
    refresh_library()


def _band_gap_note(formula: str) -> None:
    from interfaces.analysis.hull import formula_name
    from interfaces.analysis.interphase import load_band_gaps

    if formula_name(formula) not in load_band_gaps():
        console.print(
            f"note: {formula} has no band gap in configs/band_gaps.yaml; an interphase containing it is "
            "'undetermined' until you add one there (or a computed gap is stored)"
        )
