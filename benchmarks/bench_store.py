"""Store speed: write and query times with 100, 1 000 and 5 000 result documents.

Each store is filled to N calculation documents (bulk insert), then timed on the
paths ssbi uses: JobStore.update of 20 new documents (one at a time, as jobs
finish), a lookup by fingerprint (deduplication) and a formula query.

Run: .venv/bin/python benchmarks/bench_store.py [sizes...]   (prints a table; asserts nothing)
"""

import sys
import tempfile
import time
import uuid
import warnings

warnings.filterwarnings("ignore")

from jobflow import JobStore  # noqa: E402
from maggma.stores import MemoryStore, MontyStore  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from interfaces.fingerprint import fingerprint  # noqa: E402
from interfaces.materials import load  # noqa: E402

FORMULAS = ["Li2S", "Li3PS4", "Li6PS5Cl", "LiCl", "Li3P", "Li2O", "Li"]


def make_doc(i: int, structure_dict: dict) -> dict:
    formula = FORMULAS[i % len(FORMULAS)]
    return {"uuid": str(uuid.uuid4()), "index": 1, "name": f"summary {i}", "completed_at": "2026-11-25T00:00:00",
            "output": {"kind": "relax", "target": "bulk", "formula": formula, "materials": [formula],
                       "fingerprint": fingerprint({"i": i}), "energy": -4.0 * i, "energy_per_atom": -4.0,
                       "n_atoms": 12, "engine": {"name": "chgnet", "energy_scale": "mp2020"},
                       "structure": structure_dict}}


def bench(make_store, n: int, structure_dict: dict, writes: int = 20) -> dict[str, float]:
    store = make_store()
    store.connect()
    docs = [make_doc(i, structure_dict) for i in range(n)]
    store.docs_store._collection.insert_many(docs)
    new = [make_doc(n + i, structure_dict) for i in range(writes)]
    start = time.perf_counter()
    for doc in new:
        store.update(doc, key=["uuid", "index"])
    write = (time.perf_counter() - start) / writes
    start = time.perf_counter()
    found = store.query_one({"output.fingerprint": docs[n // 2]["output"]["fingerprint"]}, load=False)
    lookup = time.perf_counter() - start
    assert found is not None
    start = time.perf_counter()
    rows = list(store.query({"output.formula": "Li2S"}, properties=["uuid", "output.energy"], load=False))
    query = time.perf_counter() - start
    store.close()
    return {"write": write, "lookup": lookup, "query": query, "rows": len(rows)}


def main(sizes: list[int]) -> None:
    structure_dict = load("Li2S").as_dict()
    table = Table(title="Result store: per-operation times", header_style="bold")
    for col in ("store", "documents", "write one (ms)", "lookup by fingerprint (ms)", "formula query (ms)", "rows"):
        table.add_column(col, justify="left" if col == "store" else "right")
    with tempfile.TemporaryDirectory() as tmp:
        backends = {
            "embedded (montydb sqlite)": lambda n: JobStore(
                MontyStore("outputs", database_path=f"{tmp}/m{n}", database_name="ssbi", storage="sqlite")),
            "memory (mongomock)": lambda n: JobStore(MemoryStore("outputs")),
        }
        for name, factory in backends.items():
            for n in sizes:
                res = bench(lambda: factory(n), n, structure_dict)
                table.add_row(name, f"{n:,}", f"{1000 * res['write']:.1f}", f"{1000 * res['lookup']:.1f}",
                              f"{1000 * res['query']:.1f}", str(res["rows"]))
    Console(width=140).print(table)


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [100, 1000, 5000])
