"""Registry search: the 3×3 grid over the interface cell against the symmetry-reduced search (3×3 over the shifts
that the two surfaces leave distinct, then 8 points around the best), rigid CHGNet single points.

For Li(100) | Li3PS4(100) and Li(100) | LLZO(100): the best rigid W_ad each finds, the single points it costs and
the wall time. The refined search should find at least the grid's W_ad at no more than twice its cost.

Run: .venv/bin/python benchmarks/bench_registry.py   (prints a table; asserts nothing)
"""

import os
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

PAIRS = [("Li", "Li3PS4", (1, 0, 0), (1, 0, 0)), ("Li", "LLZO", (1, 0, 0), (1, 0, 0))]


def main():
    os.environ.setdefault("SSBI_DATA_DIR", tempfile.mkdtemp(prefix="ssbi-bench-registry-"))
    from ssbi.interfaces.materials import load
    from ssbi.workflows.flows.adhesion import AdhesionMaker
    from ssbi.workflows.run.local import run_flow
    from ssbi.workflows.store.jobstore import open_store

    store = open_store("memory")
    table = Table(title="registry search, rigid CHGNet single points (2 cores)", header_style="bold")
    for col in ("interface", "search", "interface single points", "best W_ad (J/m²)", "best shift", "wall s"):
        table.add_column(col, justify="left" if col in ("interface", "search", "best shift") else "right")
    for film, sub, fm, sm in PAIRS:
        for search in ("grid", "refine"):
            maker = AdhesionMaker(engine="chgnet", film_miller=fm, substrate_miller=sm, relax=False,
                                  relax_bulk=False, scan_registry=True, registry_search=search,
                                  build={"max_atoms": 300, "film_thickness": 8.0, "substrate_thickness": 10.0})
            start = time.perf_counter()
            run_flow(maker.make(load(film), load(sub), film, sub), store)
            wall = time.perf_counter() - start
            doc = store.query_one({"output.kind": "adhesion", "output.fingerprint":
                                   maker.fingerprint(load(film), load(sub))}, load=True)["output"]
            reg = doc["registry"]
            table.add_row(f"{film}{fm} | {sub}{sm}", search, str(reg.get("n_single_points") or len(reg["shifts"])),
                          f"{doc['w_ad_rigid']:.3f}", f"({reg['best'][0]:.3f}, {reg['best'][1]:.3f})",
                          f"{wall:.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
