"""Wall time and candidate count of the interface builder for the reference pairs.

Run: .venv/bin/python benchmarks/bench_build.py   (prints a table; asserts nothing)
"""

import time
import warnings

warnings.filterwarnings("ignore")

from rich.console import Console
from rich.table import Table

from ssbi.interfaces.builder import build_interfaces
from ssbi.interfaces.errors import SSBIError
from ssbi.interfaces.materials import get_material, load

PAIRS = [
    ("Li", "Li6PS5Cl", (1, 0, 0), (1, 0, 0), {}),
    ("Li", "Li3PS4", (1, 1, 0), (0, 1, 0), {}),
    ("Li", "Li2S", (1, 0, 0), (1, 1, 1), {}),
    ("Li2S", "Li6PS5Cl", (1, 1, 1), (1, 0, 0), {}),
    ("S8", "Li3PS4", (0, 0, 1), (0, 0, 1), {"max_atoms": 400, "film_thickness": 6.0, "substrate_thickness": 8.0}),
    ("Li", "Li7La3Zr2O12", (1, 0, 0), (1, 0, 0), {"max_atoms": 300}),
]


def main() -> None:
    table = Table(title="Interface builder (2 cores)", header_style="bold")
    for col in ("film", "substrate", "candidates", "best: atoms", "best: max strain %", "wall (s)"):
        table.add_column(col)
    for film, sub, fm, sm, opts in PAIRS:
        try:
            get_material(sub)
        except SSBIError:
            table.add_row(f"{film}{fm}", f"{sub}{sm}", "-", "-", "-", "skipped: not in the library")
            continue
        start = time.perf_counter()
        try:
            cands = build_interfaces(load(film), load(sub), fm, sm, **opts)
            best = cands[0].metadata
            row = (str(len(cands)), str(best.n_atoms), f"{100 * best.max_abs_strain:.2f}")
        except SSBIError as exc:
            row = ("0", "-", str(exc))
        table.add_row(f"{film}{fm}", f"{sub}{sm}", *row, f"{time.perf_counter() - start:.1f}")
    Console(width=130).print(table)


if __name__ == "__main__":
    main()
