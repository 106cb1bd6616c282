"""Query latency of Results (p50 / p95, ms) per result kind at 1 000 and 10 000 stored result documents,
on the embedded store (montydb on disk) and on mongomock. Documents are synthetic but made through the real
schemas (workflows.testing.synthetic); every query carries typical filters (material, engine).

Run: .venv/bin/python benchmarks/bench_query.py [sizes...]   (prints a table; asserts nothing)
"""

import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

REPEATS = 20


def queries(results):
    """(kind, callable) pairs with filters like a user's."""
    return [
        ("adhesion", lambda i: results.adhesion(anode="Li", electrolyte=["Li3PS4", "Li6PS5Cl"][i % 2],
                                                engine="chgnet")),
        ("interfaces", lambda i: results.interfaces(electrolyte="Li10GeP2S12", miller="100")),
        ("windows", lambda i: results.windows(electrolyte=["Li3PS4", "Li7La3Zr2O12"][i % 2], engine="chgnet")),
        ("reactions", lambda i: results.reactions(electrode="Li", electrolyte="Li6PS5Cl")),
        ("mechanics", lambda i: results.mechanics(material="Li6PS5Cl", engine="sevennet")),
        ("md", lambda i: results.md(material="Li3PS4")),
    ]


def main(sizes) -> None:
    from workflows.query import Results
    from workflows.store import open_store
    from workflows.testing.synthetic import fill

    table = Table(title=f"Results query latency, ms (p50 / p95 of {REPEATS}; 2 cores)", header_style="bold")
    table.add_column("store")
    table.add_column("documents", justify="right")
    table.add_column("fill (s)", justify="right")
    kinds = [k for k, _ in queries(None)]
    for k in kinds:
        table.add_column(k, justify="right")
    for backend in ("embedded", "memory"):
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["SSBI_DATA_DIR"] = tmp
                store = open_store(backend)
                start = time.perf_counter()
                fill(store, n)
                filled = time.perf_counter() - start
                results = Results(store)
                cells = []
                for _, run in queries(results):
                    run(0)  # warm
                    times = []
                    for i in range(REPEATS):
                        t = time.perf_counter()
                        run(i)
                        times.append(1000 * (time.perf_counter() - t))
                    cells.append(f"{np.percentile(times, 50):.0f} / {np.percentile(times, 95):.0f}")
                table.add_row("embedded (montydb)" if backend == "embedded" else "mongomock", f"{n:,}",
                              f"{filled:.1f}", *cells)
    Console().print(table)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
