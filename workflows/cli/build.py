"""ssbi build: interface candidates (lattice match, slabs, terminations) written as files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ssbi.interfaces.build_settings import BuildSettings
from ssbi.workflows.cli.app import app
from ssbi.workflows.cli.console import console, err_console
from ssbi.workflows.cli.options import output_folder, settings_options


def _short(label: str) -> str:
    """'2_Li2S_P4/mmm_1' -> '2:Li2S' (index and terminating species)."""
    parts = label.split("_")
    return f"{parts[0]}:{parts[1]}" if len(parts) > 2 else label


def candidates_table(candidates, title: str) -> Table:
    table = Table(title=title, header_style="bold")
    for col in ("#", "atoms", "film/sub", "area Å²", "termination", "strained", "ε max %", "ε VM % f/s", "contact Å", "fixed"):
        table.add_column(col, justify="left" if col in ("termination", "strained") else "right", no_wrap=True)
    for c in candidates:
        m = c.metadata
        table.add_row(
            str(m.rank), str(m.n_atoms), f"{m.n_film_atoms}/{m.n_substrate_atoms}", f"{m.area:.1f}",
            f"{_short(m.termination[0])} | {_short(m.termination[1])}", m.strained_side, f"{100 * m.max_abs_strain:.2f}",
            f"{100 * m.film_von_mises_strain:.2f}/{100 * m.substrate_von_mises_strain:.2f}",
            f"{m.min_contact_distance:.2f}", str(m.n_fixed_atoms),
        )
    return table


LARGE_AREA, LARGE_ATOMS = 800.0, 1000  # beyond these a build takes minutes (say so first)


@app.command()
@settings_options(BuildSettings, into="build", exclude=("film_miller", "substrate_miller"))
def build(
    film: str = typer.Argument(..., help="Film (top) material: library name or structure file."),
    substrate: str = typer.Argument(..., help="Substrate (bottom) material: library name or structure file."),
    film_miller: tuple[str, str, str] = typer.Option(..., "--film-miller", help="h k l of the film plane."),
    substrate_miller: tuple[str, str, str] = typer.Option(..., "--substrate-miller", help="h k l of the substrate plane."),
    variant: str = typer.Option("experimental", help="Library structures: experimental or chgnet (relaxed)."),
    out: Path = typer.Option(Path("out"), "-o", "--out", callback=output_folder, help="Output folder."),
    build: dict = None,
):
    """Build ranked lattice-matched interfaces and write CIF/extxyz/POSCAR + candidates.json."""
    from ssbi.workflows.materials.candidates import build_and_write  # lazy: start-up (pymatgen's interface builder)

    area, atoms = (build or {}).get("max_area", 400.0), (build or {}).get("max_atoms", 300)
    if area > LARGE_AREA or atoms > LARGE_ATOMS:
        err_console.print(f"build: a large search (max area {area:g} Å², {atoms} atoms) can take minutes; Ctrl-C "
                          "stops it and writes nothing", highlight=False)
    with console.status(f"matching {film} on {substrate} and building slabs"):
        cands, path, seconds = build_and_write(film, substrate, film_miller, substrate_miller, variant, out, build)
    m = cands[0].metadata
    console.print(candidates_table(cands, f"{film}{tuple(m.film_miller)} | {substrate}{tuple(m.substrate_miller)}: "
                                          f"{len(cands)} candidates in {seconds:.1f} s"))
    console.print(f"wrote {len(cands)} candidates (CIF, extxyz, POSCAR) and {path}")
