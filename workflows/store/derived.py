"""The collection of derived documents (windows, reactions) beside the job store's results, and their upsert."""

from __future__ import annotations

from typing import Sequence

ANALYSIS_COLLECTION = "analysis"
ANALYSIS_INDEXED = ("key", "kind", "engine", "material", "formula", "energy_scale", "a", "b", "chemsys")


def analysis_store(job_store):
    """The collection of derived (window, reaction) documents beside the job store's results."""
    cached = getattr(job_store, "_ssbi_analysis", None)
    if cached is not None:
        return cached
    docs = job_store.docs_store
    kind = type(docs).__name__
    if kind == "SQLiteStore":
        from ssbi.workflows.store.embedded import SQLiteStore  # lazy: start-up (maggma)

        store = SQLiteStore(docs.path, ANALYSIS_COLLECTION, key="key", indexed=ANALYSIS_INDEXED)
    elif kind == "MontyStore":
        from maggma.stores import MontyStore

        store = MontyStore(ANALYSIS_COLLECTION, database_path=docs.database_path, database_name=docs.database_name,
                           storage=docs.storage)
    elif kind in ("MongoURIStore", "MongoStore"):
        from maggma.stores import MongoURIStore

        uri = getattr(docs, "uri", None)
        store = MongoURIStore(uri, ANALYSIS_COLLECTION, database=docs.database)
    else:
        from maggma.stores import MemoryStore

        store = MemoryStore(ANALYSIS_COLLECTION)
    store.key = "key"
    store.connect()
    job_store._ssbi_analysis = store
    return store


def save(store, docs: Sequence) -> int:
    """Upsert derived documents by ``key``: a re-computation replaces, never duplicates."""
    rows = [d.model_dump(mode="json") for d in docs]
    if rows:
        store.update(rows, key="key")
    return len(rows)
