"""The embedded-store candidates side by side (issue 15): montydb (sqlite, flatfile, lightning/LMDB), mongita,
polodb, and ssbi's SQLite store (WAL, indexed terms). Each is driven through its own pymongo-like API.

Per backend:
- **first use, 4 writers**: 4 processes write 10 documents each into a new store at once; documents found after;
- **kill -9**: a process writing documents one by one is killed after 1.5 s; does the store open and read;
- **unique fingerprint**: is a second document with the same ``output.fingerprint`` refused;
- **write / lookup at N**: one document written, one fingerprint looked up, with N stored (ms, median of 5).

Backends not installed are skipped (``pip install mongita polodb-python lmdb`` to run them all).
Run: .venv/bin/python benchmarks/eval_embedded_backends.py [N]   (prints a table; asserts nothing)
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings

warnings.filterwarnings("ignore")


def make_doc(i: int) -> dict:
    return {"uuid": str(uuid.uuid4()), "index": 1, "completed_at": "2026-11-25T00:00:00",
            "output": {"kind": "relax", "formula": "Li2S", "fingerprint": f"fp-{i}-{uuid.uuid4().hex[:6]}",
                       "energy": -4.0 * i, "structure": {"sites": [{"xyz": [0.1 * k, 0.2, 0.3]} for k in range(12)]}}}


class Backend:
    """open(path) -> collection-like with insert_one(doc), find_one(criteria), count()."""

    def __init__(self, name, opener):
        self.name, self.opener = name, opener


def _monty(storage):
    def opener(path):
        from montydb import MontyClient, set_storage

        if not os.path.exists(os.path.join(path, "monty.storage.cfg")):
            set_storage(path, storage=storage, use_bson=False)
        client = MontyClient(path)
        return _Wrap(client["db"]["docs"], flush=getattr(client, "close", None))
    return opener


def _mongita(path):
    from mongita import MongitaClientDisk

    return _Wrap(MongitaClientDisk(path)["db"]["docs"])


def _polodb(path):
    import polodb

    db = polodb.PoloDB(os.path.join(path, "polo.db"))
    wrap = _Wrap(db.collection("docs"), count=lambda c: c.count_documents())
    wrap.db = db  # the collection closes with its database object
    return wrap


def _ssbi(path):
    from ssbi.workflows.store.embedded import SQLiteStore

    store = SQLiteStore(os.path.join(path, "ssbi.sqlite3"), "outputs", indexed=("uuid", "output.fingerprint"),
                        unique=("output.fingerprint",))
    store.connect()

    class Coll:
        def insert_one(self, doc):
            store.update(doc, key=["uuid", "index"])

        def find_one(self, criteria):
            return next(store.query(criteria), None)

        def count(self):
            return store.count()

        def create_unique(self):
            return True

        def bulk(self, docs):
            store.insert_many(docs)
    return Coll()


class _Wrap:
    def __init__(self, coll, flush=None, count=None):
        self.coll, self.flush, self._count = coll, flush, count

    def insert_one(self, doc):
        self.coll.insert_one(dict(doc))

    def find_one(self, criteria):
        return self.coll.find_one(criteria)

    def count(self):
        return self._count(self.coll) if self._count else self.coll.count_documents({})

    def create_unique(self):
        try:
            self.coll.create_index("output.fingerprint", unique=True)
        except Exception:  # noqa: BLE001 - a candidate without unique indexes
            try:
                self.coll.create_index({"keys": {"output.fingerprint": 1}, "options": {"unique": True}})
            except Exception:  # noqa: BLE001
                return False
        return True


BACKENDS = {
    "montydb sqlite (today)": _monty("sqlite"),
    "montydb flatfile": _monty("flatfile"),
    "montydb lightning (LMDB)": _monty("lightning"),
    "mongita (disk)": _mongita,
    "polodb": _polodb,
    "ssbi SQLite WAL (new)": _ssbi,
}


def available(name) -> bool:
    module = {"montydb lightning (LMDB)": "lmdb", "mongita (disk)": "mongita", "polodb": "polodb"}.get(name)
    if module is None:
        return True
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def worker(name: str, path: str, n: int, forever: bool = False) -> None:
    coll = BACKENDS[name](path)
    i = 0
    while forever or i < n:
        coll.insert_one(make_doc(i))
        i += 1
    if hasattr(coll, "flush") and coll.flush:
        coll.flush()


def spawn(name, path, n, forever=False):
    return subprocess.Popen([sys.executable, __file__, "--worker", name, path, str(n), "1" if forever else "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_use(name) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        procs = [spawn(name, tmp, 10) for _ in range(4)]
        errors = [p.communicate()[1].strip().splitlines()[-1:] for p in procs]
        failed = sum(1 for p in procs if p.returncode)
        try:
            found = BACKENDS[name](tmp).count()
        except Exception as exc:  # noqa: BLE001
            return f"store unreadable: {type(exc).__name__}"
        first = next((e[0] for e in errors if e), "")
        return f"{found}/40" + (f"; {failed} failed: {first[:60]}" if failed else "")


def killed(name) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        worker(name, tmp, 5)
        proc = spawn(name, tmp, 0, forever=True)
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        try:
            coll = BACKENDS[name](tmp)
            n = coll.count()
            coll.find_one({"output.formula": "Li2S"})
            return f"reads, {n} docs"
        except Exception as exc:  # noqa: BLE001
            return f"unreadable: {type(exc).__name__}: {str(exc)[:50]}"


def unique(name) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        coll = BACKENDS[name](tmp)
        if not coll.create_unique():
            return "no"
        doc = make_doc(0)
        coll.insert_one(doc)
        try:
            coll.insert_one({**doc, "uuid": "other"})
        except Exception:  # noqa: BLE001 - refused, as wanted
            return "yes"
        return "no (index ignored)"


def speed(name, n) -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        coll = BACKENDS[name](tmp)
        docs = [make_doc(i) for i in range(n)]
        if hasattr(coll, "bulk"):
            coll.bulk(docs)
        else:
            coll.coll.insert_many([dict(d) for d in docs])
        writes, looks = [], []
        for i in range(5):
            t = time.perf_counter()
            coll.insert_one(make_doc(n + i))
            writes.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert coll.find_one({"output.fingerprint": docs[(i * 7919) % n]["output"]["fingerprint"]})
            looks.append(time.perf_counter() - t)
        return f"{1000 * statistics.median(writes):.1f}", f"{1000 * statistics.median(looks):.1f}"


def main(n: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Embedded store candidates (2 cores; write/lookup with {n:,} documents stored)",
                  header_style="bold")
    for col in ("backend", "first use, 4 writers", "after kill -9", "unique fingerprint", "write (ms)",
                "lookup (ms)"):
        table.add_column(col)
    for name in BACKENDS:
        if not available(name):
            table.add_row(name, "not installed", "", "", "", "")
            continue
        try:
            write, look = speed(name, n)
        except Exception as exc:  # noqa: BLE001
            write, look = f"failed: {type(exc).__name__}", ""
        cells = []
        for probe in (first_use, killed, unique):
            try:
                cells.append(probe(name))
            except Exception as exc:  # noqa: BLE001 - a candidate that fails a probe outright
                cells.append(f"failed: {type(exc).__name__}: {str(exc)[:50]}")
        table.add_row(name, *cells, write, look)
    Console(width=160).print(table)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1")
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
