"""The embedded store's collections as maggma Stores: what jobflow's JobStore and the stability builder take."""

from __future__ import annotations

from maggma.core import Store

from ssbi.workflows.store.sqlite import SQLiteCollection


class SQLiteStore(SQLiteCollection, Store):
    """A maggma Store over table ``collection_name`` of the SQLite file ``path`` (:class:`SQLiteCollection`)."""

    def __init__(self, path: str, collection_name: str, key: str = "uuid", indexed: tuple[str, ...] = ("uuid",),
                 unique: tuple[str, ...] = (), compress: bool = False, **kwargs):
        SQLiteCollection.__init__(self, path, collection_name, key=key, indexed=indexed, unique=unique,
                                  compress=compress)
        Store.__init__(self, key=key, **kwargs)

    __eq__ = SQLiteCollection.__eq__
    __hash__ = SQLiteCollection.__hash__
