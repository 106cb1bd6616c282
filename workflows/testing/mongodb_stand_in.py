"""A MongoDB stand-in for tests and CI, where no server can run.

With ``SSBI_TEST_MONGOMOCK_FILE`` set, ``ssbi`` (its command line, and the worker a queue job starts) turns every
``pymongo.MongoClient`` into a mongomock client on one store per process, read from that file at start and written
back at exit. FireWorks' LaunchPad, the JobStore and its GridFS data store then run their real code on
``mongodb://`` URIs. The process holds the file's lock from start to exit, so processes take turns (a second one
waits): the ``hpc`` test tier runs its commands one after another. Never set it outside tests.
"""

from __future__ import annotations

import atexit
import fcntl
import os
from pathlib import Path

ENV = "SSBI_TEST_MONGOMOCK_FILE"
_INSTALLED: dict = {}


def install(path: str | Path) -> None:
    """Patch pymongo's client to a mongomock one on the store in ``path`` (made if missing); once per process."""
    if _INSTALLED:
        return
    import bson.json_util
    import mongomock_ng as mongomock  # the mongomock that follows pymongo 4 (maggma's MemoryStore uses it too)
    import mongomock_ng.gridfs
    import pymongo
    from mongomock_ng.store import CollectionStore, DatabaseStore, ServerStore

    path = Path(path)
    lock = open(path.with_name(path.name + ".lock"), "a+")
    fcntl.flock(lock, fcntl.LOCK_EX)
    store = ServerStore()
    if path.is_file() and path.stat().st_size:
        data = bson.json_util.loads(path.read_text(encoding="utf-8"))
        for db_name, collections in data.items():
            db = store._databases.setdefault(db_name, DatabaseStore())
            for name, coll in collections.items():
                db._collections[name] = CollectionStore(name)
                db._collections[name]._documents.update(coll["documents"])

    class StandInClient(mongomock.MongoClient):
        def __init__(self, host=None, port=None, *args, **kwargs):
            kwargs.pop("_store", None)
            super().__init__(host, port, *args, _store=store, **kwargs)

        def close(self) -> None:  # mongomock's close empties the store; a server keeps its data
            pass

    def save() -> None:
        dump = {db: {name: {"name": name, "documents": list(coll._documents.items())}
                     for name, coll in db_store._collections.items()}
                for db, db_store in store._databases.items()}
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(bson.json_util.dumps(dump), encoding="utf-8")
        os.replace(tmp, path)
        fcntl.flock(lock, fcntl.LOCK_UN)

    pymongo.MongoClient = StandInClient
    mongomock_ng.gridfs.enable_gridfs_integration()
    atexit.register(save)
    _INSTALLED["store"] = store


def install_from_env() -> None:
    """:func:`install` when ``SSBI_TEST_MONGOMOCK_FILE`` names a file."""
    if os.environ.get(ENV):
        install(os.environ[ENV])
