"""CHGNet MD speed on Li | Li2S interfaces of about 100, 200 and 400 atoms, and the cost of checkpointing.

Each size: a short warm-up, then ``STEPS`` Langevin steps (2 fs) saved every 10
steps, once with a checkpoint every 10 steps and once with one checkpoint at the
end. Prints a table; asserts nothing.

Run: .venv/bin/python benchmarks/bench_md.py [STEPS]
"""

import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

SIZES = {100: dict(film_thickness=6, substrate_thickness=8), 200: dict(film_thickness=12, substrate_thickness=16),
         400: dict(film_thickness=24, substrate_thickness=32)}


def interface(target: int):
    from ssbi.interfaces.builder import build_interfaces
    from ssbi.interfaces.materials import load

    cands = build_interfaces(load("Li", "chgnet"), load("Li2S", "chgnet"), (1, 0, 0), (1, 0, 0), max_atoms=int(target * 1.5),
                             max_strain=0.08, max_area=200, vacuum=10, max_candidates=50, **SIZES[target])
    return min(cands, key=lambda c: abs(c.metadata.n_atoms - target)).interface


def timed(atoms, calc, steps: int, chunk: int) -> float:
    from ssbi.workflows.engines.md import run_md

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_md(atoms, calc, tmp, 600, steps, timestep_fs=2.0, save_every=10, chunk_steps=chunk)
        return time.perf_counter() - start


def main(steps: int = 40) -> None:
    from pymatgen.io.ase import AseAtomsAdaptor

    from ssbi.workflows.engines.registry import get_engine

    calc = get_engine("chgnet").calculator()
    table = Table(title=f"CHGNet NVT MD on 2 cores ({steps} steps of 2 fs per run)", header_style="bold")
    for col in ("atoms", "s/step", "steps/s", "ns/day", "checkpoint every 10 steps (s)", "one checkpoint (s)",
                "checkpoint cost"):
        table.add_column(col, justify="right")
    for target in SIZES:
        atoms = AseAtomsAdaptor.get_atoms(interface(target))
        timed(atoms, calc, 10, 10)  # warm-up (model, graph code paths)
        t_each = timed(atoms, calc, steps, 10)
        t_once = timed(atoms, calc, steps, steps)
        per_step = t_once / steps
        ns_day = 86400 / per_step * 2e-6
        table.add_row(str(len(atoms)), f"{per_step:.3f}", f"{1 / per_step:.2f}", f"{ns_day:.3f}", f"{t_each:.1f}",
                      f"{t_once:.1f}", f"{t_each / t_once:.3f}x")
    Console(width=150).print(table)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
