"""Result store speed at 10^3, 10^4 and 10^5 documents: today's embedded store (montydb sqlite, before issue 15)
and the SQLite WAL store that replaced it, in the same run; mongomock for scale.

Each store is filled with N synthetic result documents made through the real schemas, mixed as a screening
campaign stores them (ssbi.workflows.testing.synthetic.campaign_documents): relaxations and single points make the
bulk; adhesion, mechanics and MD results are a fifth of the store up to 3 000 (one document per fingerprint: they
grow with the materials and settings studied, not with the store); at most 400 window/reaction documents (one per
key). Then timed on the paths ssbi uses:
- one result write (JobStore.update, as a job finishing does);
- a fingerprint look-up (ssbi.workflows.run.local.find_result, the "already stored?" check);
- every Results query kind (adhesion, interfaces, windows, reactions, mechanics, md) with a user's filters.
- the cost per returned row: every adhesion result of the store, as one query (ms per 1 000 rows).
Figures are p50 / p95 in ms over REPEATS (fewer for montydb at 10^5, where one query takes seconds).

Run: .venv/bin/python benchmarks/bench_store.py [sizes...]   (prints a table; asserts nothing)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

REPEATS = 20
MONGOMOCK_UP_TO = 1_000
TARGETS_MS = {"write": 20, "lookup": 10, "query": 50}  # issue 15, at 10^5 documents


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


def montydb_store(tmp: str):
    """The embedded store as it was before issue 15."""
    from jobflow import JobStore
    from maggma.stores import MontyStore

    from ssbi.workflows.store.blobs import BlobDirStore

    docs = MontyStore("outputs", database_path=f"{tmp}/store", database_name="ssbi", storage="sqlite")
    return JobStore(docs, additional_stores={"data": BlobDirStore(f"{tmp}/store/blobs")})


def new_result(template: dict) -> dict:
    out = dict(template["output"], fingerprint=uuid.uuid4().hex)
    return {**template, "uuid": str(uuid.uuid4()), "output": out}


def percentiles(times: list[float]) -> str:
    return f"{np.percentile(times, 50):.1f} / {np.percentile(times, 95):.1f}"


def measure(store, n: int, repeats: int) -> tuple[float, list[str]]:
    from ssbi.workflows.store.lookup import find_result
    from ssbi.workflows.report.results import Results
    from ssbi.workflows.testing.synthetic import fill, result_documents

    start = time.perf_counter()
    fill(store, n, mix="campaign")
    filled = time.perf_counter() - start
    template = result_documents(1, seed=1)[0][0]
    stored = [d["output"]["fingerprint"] for d in store.query({"output.kind": "adhesion"}, properties=[
        "output.fingerprint"], load=False, limit=50)]
    writes, looks = [], []
    for i in range(repeats):
        doc = new_result(template)
        t = time.perf_counter()
        store.update(doc, key=["uuid", "index"])
        writes.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        assert find_result(store, stored[i % len(stored)]) is not None
        looks.append(1000 * (time.perf_counter() - t))
    cells = [percentiles(writes), percentiles(looks)]
    results = Results(store)
    for _, run in queries(results):
        run(0)  # warm
        times = []
        for i in range(repeats):
            t = time.perf_counter()
            run(i)
            times.append(1000 * (time.perf_counter() - t))
        cells.append(percentiles(times))
    times = []
    for _ in range(3):  # median of 3: one large query is exposed to a garbage collection of the whole heap
        t = time.perf_counter()
        every = results.adhesion()
        times.append(time.perf_counter() - t)
    per_row = 1000 * float(np.median(times)) / max(1, len(every)) * 1000
    cells.append(f"{per_row:.0f} ({len(every):,} rows)")
    return filled, cells


def main(sizes) -> None:
    from ssbi.workflows.store.jobstore import open_store

    table = Table(title="Result store, ms (p50 / p95; 2 cores). Targets at 10^5: write <= 20, "
                        "fingerprint look-up <= 10, every query <= 50", header_style="bold")
    for col in ("store", "documents", "fill (s)", "write one", "fingerprint look-up",
                *(k for k, _ in queries(None)), "all adhesion, ms per 1 000 rows"):
        table.add_column(col, justify="left" if col == "store" else "right")
    backends = {"montydb sqlite (before)": montydb_store, "SQLite WAL (now)": None, "mongomock": "memory"}
    for n in sizes:
        for label, backend in backends.items():
            if backend == "memory" and n > MONGOMOCK_UP_TO:
                continue  # mongomock's unique index makes its inserts quadratic: 12 s at 10^3, hours at 10^5
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["SSBI_DATA_DIR"] = tmp
                if callable(backend):
                    store = backend(tmp)
                    store.connect()
                else:
                    store = open_store(backend or "embedded")
                repeats = 3 if label.startswith("montydb") and n >= 100_000 else REPEATS
                filled, cells = measure(store, n, repeats)
                store.close()
                table.add_row(label, f"{n:,}", f"{filled:.1f}", *cells)
                print(f"{label} | {n:,} | fill {filled:.1f} s | " + " | ".join(cells), flush=True)
        table.add_section()
    Console(width=200).print(table)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
