"""Checking, repairing and importing result stores (``ssbi store check/repair/import``)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ssbi.workflows.errors import StoreError
from ssbi.workflows.paths import leftover_runs
from ssbi.workflows.store.blobs import BlobDirStore
from ssbi.workflows.store.derived import ANALYSIS_COLLECTION, ANALYSIS_INDEXED, analysis_store
from ssbi.workflows.store.embedded import SQLiteStore
from ssbi.workflows.store.jobstore import DATA_INDEXED, INDEXED_FIELDS, UNIQUE_FIELD, embedded_file, open_store, resolve
from ssbi.workflows.store.sqlite import AlreadyStored, decode, scan_pages

COLLECTIONS = ("outputs", "outputs_data", "analysis")


@dataclass
class CollectionReport:
    collection: str
    documents: int = 0
    unreadable: list[int] = field(default_factory=list)  # row ids
    problems: list[str] = field(default_factory=list)


@dataclass
class StoreReport:
    store: str
    collections: list[CollectionReport]
    missing_blobs: list[str] = field(default_factory=list)
    orphaned_blobs: list[str] = field(default_factory=list)  # large data no document refers to (a write cut off)
    leftover_runs: list[str] = field(default_factory=list)  # run folders of killed runs (`ssbi store clean`)
    duplicate_fingerprints: list[str] = field(default_factory=list)
    set_aside: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing_blobs or self.duplicate_fingerprints
                    or any(c.unreadable or c.problems for c in self.collections))


def embedded_stores(file: Path) -> dict[str, SQLiteStore]:
    """The collections of an embedded store file, configured as :func:`ssbi.workflows.store.jobstore.make_job_store` does."""
    return {"outputs": SQLiteStore(str(file), "outputs", indexed=INDEXED_FIELDS, unique=(UNIQUE_FIELD,)),
            "outputs_data": SQLiteStore(str(file), "outputs_data", key="blob_uuid", indexed=DATA_INDEXED,
                                        compress=True),
            "analysis": SQLiteStore(str(file), "analysis", key="key", indexed=ANALYSIS_INDEXED)}


def _blob_refs(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        if "blob_uuid" in obj and isinstance(obj["blob_uuid"], str):
            yield obj["blob_uuid"]
        for v in obj.values():
            yield from _blob_refs(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _blob_refs(v)


def check_embedded(file: Path) -> StoreReport:
    """Every document's checksum and decoding, SQLite's integrity check, blob references, one result per
    fingerprint."""
    if not file.is_file():
        return StoreReport(str(file), [CollectionReport(c) for c in COLLECTIONS])
    reports, refs, fingerprints, set_aside = [], set(), {}, 0
    blob_keys: set[str] = set()
    for name, store in embedded_stores(file).items():
        report = CollectionReport(name)
        for row_id, blob, crc in store.readable_rows(report.problems):
            report.documents += 1
            doc = store._decode(row_id, blob, crc, warn=False)
            if doc is None:
                report.unreadable.append(row_id)
                continue
            if name == "outputs":
                refs.update(_blob_refs(doc.get("output")))
                out = doc.get("output") if isinstance(doc.get("output"), dict) else {}
                if out.get("fingerprint"):
                    fingerprints.setdefault(out["fingerprint"], set()).add(doc.get("uuid"))
                set_aside += "superseded_fingerprint" in out
            elif name == "outputs_data":
                blob_keys.add(doc.get("blob_uuid"))
        integrity = store._read("PRAGMA integrity_check") if not report.problems else []
        report.problems.extend(r[0] for r in integrity if r[0] != "ok")
        store.close()
        reports.append(report)
    return StoreReport(str(file), reports, missing_blobs=sorted(refs - blob_keys),
                       orphaned_blobs=sorted(k for k in blob_keys - refs if k),
                       duplicate_fingerprints=sorted(fp for fp, uuids in fingerprints.items() if len(uuids) > 1),
                       set_aside=set_aside)


def check_mongo(job_store) -> StoreReport:
    """Counts and duplicate fingerprints of a MongoDB (or mongomock) store."""
    docs = job_store.docs_store._collection
    dups = [d["_id"] for d in docs.aggregate([
        {"$match": {"output.fingerprint": {"$type": "string"}}},
        {"$group": {"_id": "$output.fingerprint", "uuids": {"$addToSet": "$uuid"}}},
        {"$match": {"uuids.1": {"$exists": True}}}])]
    report = CollectionReport("outputs", documents=docs.count_documents({}))
    return StoreReport(job_store.docs_store.name, [report], duplicate_fingerprints=dups,
                       set_aside=docs.count_documents({"output.superseded_fingerprint": {"$exists": True}}))


def repair_embedded(file: Path) -> tuple[Path, dict[str, tuple[int, int]]]:
    """Copy every readable document into a new file, which takes the old one's place; the damaged file is kept
    beside it (``<file>.damaged-<time>``). Returns that path and, per collection, (rescued, lost)."""
    if not file.is_file():
        raise StoreError(f"no store at {file}: nothing to repair")
    new = file.with_name(file.name + ".repairing")
    for leftover in (new, Path(f"{new}-wal"), Path(f"{new}-shm")):
        leftover.unlink(missing_ok=True)
    counts = {}
    targets = embedded_stores(new)
    scanned = None
    for name, source in embedded_stores(file).items():
        problems: list[str] = []
        good: dict[int, dict] = {}
        lost = 0
        for row_id, blob, crc in source.readable_rows(problems):
            doc = source._decode(row_id, blob, crc, warn=False)
            if doc is None:
                lost += 1
            else:
                good[row_id] = doc
        source.close()
        if problems:  # the b-tree is damaged: read the document records straight from the pages
            scanned = list(scan_pages(str(file))) if scanned is None else scanned
            for coll, row_id, blob, crc in scanned:
                if coll == name and row_id not in good and isinstance(blob, bytes):
                    doc = source._decode(row_id, blob, crc, warn=False)
                    if doc is not None:
                        good[row_id] = doc
            lost = max(lost, sum(1 for p in problems if p.startswith("row ")))
        docs = [good[k] for k in sorted(good)]
        targets[name]._write_empty()
        for start in range(0, len(docs), 2000):
            targets[name].insert_many(docs[start:start + 2000])
        targets[name].close()
        counts[name] = (len(docs), lost)
    kept = file.with_name(f"{file.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{file}{suffix}").exists():
            shutil.move(f"{file}{suffix}", f"{kept}{suffix}")
    shutil.move(str(new), str(file))
    return kept, counts


def import_legacy(folder: Path, job_store) -> dict[str, int]:
    """Copy a montydb store of an earlier ssbi (``<folder>/ssbi/*.collection``, ``<folder>/blobs``) into
    ``job_store``. Documents whose fingerprint is stored already are skipped (counted as duplicates)."""
    from maggma.stores import MontyStore

    if not (folder / "ssbi").is_dir():
        raise StoreError(f"{folder} is not an earlier ssbi store (no ssbi/ folder of montydb collections)")
    counts = {"results": 0, "duplicates": 0, "analysis": 0, "blobs": 0}
    try:
        old = MontyStore("outputs", database_path=str(folder), database_name="ssbi", storage="sqlite")
        old.connect()
        docs = list(old.query())
        old_analysis = MontyStore(ANALYSIS_COLLECTION, database_path=str(folder), database_name="ssbi",
                                  storage="sqlite")
        old_analysis.connect()
        analyses = list(old_analysis.query())
        blobs = list(BlobDirStore(str(folder / "blobs")).query()) if (folder / "blobs").is_dir() else []
    except Exception as exc:  # noqa: BLE001 - any failure of the old backend is one line
        raise StoreError(f"cannot read the earlier store {folder}: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    for doc in docs:
        doc.pop("_id", None)
        try:
            job_store.docs_store.update(doc, key=["uuid", "index"])
            counts["results"] += 1
        except AlreadyStored:
            counts["duplicates"] += 1
    for doc in blobs:
        job_store.additional_stores["data"].update(doc, key="blob_uuid")
        counts["blobs"] += 1
    target = analysis_store(job_store)
    for doc in analyses:
        doc.pop("_id", None)
        target.update(doc, key="key")
        counts["analysis"] += 1
    return counts


__all__ = ["check_embedded", "check_mongo", "decode", "import_legacy", "repair_embedded"]


# --- what the commands ask for -------------------------------------------------------------------------------------
def embedded_file_of(store: str | None = None) -> Path | None:
    """The SQLite file of ``store`` (name or URI) when it is an embedded store, else None."""
    spec = resolve(store)
    return embedded_file(spec) if spec["type"] == "embedded" else None


def check(store: str | None = None) -> StoreReport:
    """``ssbi store check``: every document and blob of ``store`` (embedded file or MongoDB), read only."""
    file = embedded_file_of(store)
    report = check_embedded(file) if file else check_mongo(open_store(store))
    report.leftover_runs = [str(p) for p in leftover_runs()]
    return report


def clean(store: str | None = None) -> dict[str, int]:
    """``ssbi store clean``: the run folders of killed runs removed, and (embedded store) large data that no
    document refers to: {"runs": n, "blobs": n}."""
    runs = leftover_runs()
    for folder in runs:
        shutil.rmtree(folder, ignore_errors=True)
    blobs = 0
    file = embedded_file_of(store)
    if file and file.is_file():
        orphans = check_embedded(file).orphaned_blobs
        if orphans:
            data = embedded_stores(file)["outputs_data"]
            data.remove_docs({"blob_uuid": {"$in": orphans}})
            data.close()
            blobs = len(orphans)
    return {"runs": len(runs), "blobs": blobs}


def repair(store: str | None = None) -> tuple[Path, Path, dict[str, tuple[int, int]]]:
    """``ssbi store repair``: the embedded store's readable documents copied into a new file that takes its place:
    (the store file, the damaged file kept beside it, {collection: (rescued, lost)})."""
    file = embedded_file_of(store)
    if file is None:
        raise StoreError("repair is for the embedded store; a MongoDB server has its own tools (mongodump, validate)")
    kept, counts = repair_embedded(file)
    return file, kept, counts


def import_store(folder: Path, store: str | None = None) -> dict[str, int]:
    """``ssbi store import``: an earlier ssbi store (montydb) copied into ``store`` (:func:`import_legacy`)."""
    return import_legacy(folder, open_store(store))
