"""MLIP overhead: N single-point jobs on Li2S (3 atoms) with the model reused vs loaded per job.

Run: .venv/bin/python benchmarks/bench_engines.py [N]   (prints a table; asserts nothing)
"""

import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from atomate2.forcefields.jobs import ForceFieldStaticMaker  # noqa: E402
from jobflow import JobStore, run_locally  # noqa: E402
from maggma.stores import MemoryStore  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from ssbi.interfaces.materials import load  # noqa: E402
from ssbi.workflows.engines.registry import get_engine  # noqa: E402


def timed_jobs(make_maker, structure, n: int) -> tuple[float, float]:
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    jobs = [make_maker().make(structure) for _ in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = run_locally(jobs, store=store, ensure_success=True, log=False, root_dir=tmp, create_folders=True)
        wall = time.perf_counter() - start
    energy = out[jobs[-1].uuid][1].output.output.energy
    return wall, energy


def main(n: int = 50) -> None:
    structure = load("Li2S").get_primitive_structure()
    table = Table(title=f"{n} CHGNet single points on Li2S ({len(structure)} atoms), jobflow run_locally",
                  header_style="bold")
    for col in ("model", "wall (s)", "per job (ms)", "energy (eV)"):
        table.add_column(col, justify="left" if col == "model" else "right")
    engine = get_engine("chgnet")
    results = {}
    for label, make in (("reused (ssbi engine)", lambda: engine.static_maker()),
                        ("loaded per job (atomate2 default)", lambda: ForceFieldStaticMaker(force_field_name="CHGNet"))):
        wall, energy = timed_jobs(make, structure, n)
        results[label] = wall
        table.add_row(label, f"{wall:.2f}", f"{1000 * wall / n:.0f}", f"{energy:.5f}")
    console = Console(width=120)
    console.print(table)
    reused, fresh = results.values()
    console.print(f"loading per job is {fresh / reused:.1f}x slower than reusing the model")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
