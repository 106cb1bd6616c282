"""The results store: a jobflow JobStore from one name or URI.

- ``embedded`` (default): one SQLite file (WAL, indexed; :mod:`ssbi.workflows.store.sqlite`) under the project
  data folder, ``<data dir>/store/ssbi.sqlite3``, large data (``data`` additional store) in the same file;
- ``mongodb``: any ``mongodb://`` or ``mongodb+srv://`` URI, GridFS for large data;
- ``memory``: mongomock, for tests (one process).

Settings come from ``configs/stores.yaml`` then ``~/.config/ssb-interfaces/stores.yaml``.
URIs are shown redacted (no password) in every message.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ssbi.configs.settings import settings
from ssbi.workflows.errors import StoreError
from ssbi.workflows.paths import CONFIG_DIR, check_private, data_dir, user_config_dir
from ssbi.workflows.store.derived import ANALYSIS_COLLECTION, ANALYSIS_INDEXED
from ssbi.workflows.store.sqlite import SQLiteCollection

if TYPE_CHECKING:
    from jobflow import JobStore

DOCS_COLLECTION = "outputs"
DATA_COLLECTION = "outputs_data"
INDEXED_FIELDS = ("uuid", "output.kind", "output.fingerprint", "output.formula", "output.materials",
                  "output.engine.name", "output.film", "output.substrate", "output.task_uuid", "output.target",
                  "output.film_miller", "output.substrate_miller")
UNIQUE_FIELD = "output.fingerprint"  # one stored result per fingerprint (per job uuid)
DATA_INDEXED = ("blob_uuid", "job_uuid")
STORE_FILE = "ssbi.sqlite3"
CONNECT_TIMEOUT_MS = 3000


def _config() -> dict[str, Any]:
    config = yaml.safe_load((CONFIG_DIR / "stores.yaml").read_text())
    user = user_config_dir() / "stores.yaml"
    if user.is_file():
        text = user.read_text()
        check_private(user, text)
        extra = yaml.safe_load(text) or {}
        config["stores"].update(extra.get("stores", {}))
        config["default"] = extra.get("default", config["default"])
    return config


def store_names() -> list[str]:
    return sorted(_config()["stores"])


def redact(uri: str) -> str:
    """The URI without its credentials: the whole user-info part (up to the last ``@`` before the host) is
    replaced, so that an unescaped ``@`` in a password leaks nothing either."""
    return re.sub(r"^(mongodb(?:\+srv)?://)[^/?#]*@", r"\1***@", uri)


def check_uri(uri: str) -> None:
    """One line saying what is wrong with a MongoDB URI (pymongo's parser; no DNS look-up for +srv)."""
    from pymongo.errors import InvalidURI

    try:
        if uri.startswith("mongodb+srv://"):
            userinfo = uri[len("mongodb+srv://"):].split("/", 1)[0].rpartition("@")[0]
            if userinfo.count("@") or userinfo.count(":") > 1:
                raise InvalidURI("Username and password must be escaped according to RFC 3986, "
                                 "use urllib.parse.quote_plus")
        else:
            from pymongo.uri_parser import parse_uri

            parse_uri(uri)
    except (InvalidURI, ValueError) as exc:
        raise StoreError(f"invalid MongoDB URI {redact(uri)}: {redact(str(exc).splitlines()[0])}") from None


def resolve(name_or_uri: str | None = None) -> dict[str, Any]:
    """The settings of a store given by name, URI or the configured default."""
    config = _config()
    current = settings()
    target = name_or_uri or current.store or config["default"]
    if target.startswith(("mongodb://", "mongodb+srv://")):
        check_uri(target)
        return {"type": "mongodb", "uri": target, "database": config["stores"].get("mongodb", {}).get("database")}
    if target not in config["stores"]:
        raise StoreError(f"unknown store {target!r}; choose one of: {', '.join(store_names())}, or a mongodb:// URI")
    spec = dict(config["stores"][target], name=target)
    if spec["type"] == "mongodb" and not spec.get("uri"):
        name = spec.get("uri_env", "SSBI_MONGODB_URI")  # SsbiSettings.mongodb_uri, or a variable stores.yaml names
        uri = current.mongodb_uri if name == "SSBI_MONGODB_URI" else os.environ.get(name)
        if not uri:
            raise StoreError(f"store {target!r} needs a URI: set {spec.get('uri_env', 'SSBI_MONGODB_URI')} "
                             "or give --store mongodb://...")
        check_uri(uri)
        spec["uri"] = uri
    return spec


def embedded_file(spec: dict[str, Any]) -> Path:
    """The SQLite file of an embedded store."""
    return Path(spec.get("path") or data_dir() / "store") / STORE_FILE


def describe(name_or_uri: str | None = None) -> str:
    """One line naming the store (password redacted)."""
    spec = resolve(name_or_uri)
    if spec["type"] == "embedded":
        return f"embedded ({embedded_file(spec)})"
    if spec["type"] == "mongodb":
        return f"mongodb ({redact(spec['uri'])})"
    return spec["type"]


def _ping(uri: str) -> None:
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    try:
        client = MongoClient(uri, serverSelectionTimeoutMS=CONNECT_TIMEOUT_MS, connectTimeoutMS=CONNECT_TIMEOUT_MS)
        client.admin.command("ping")
        client.close()
    except (PyMongoError, ValueError) as exc:
        first = str(exc).splitlines()[0].split(" (configured timeouts")[0][:160] if str(exc) else type(exc).__name__
        raise StoreError(f"store {redact(uri)} is not reachable within {CONNECT_TIMEOUT_MS / 1000:.0f} s: "
                         f"{redact(first)}") from None


def make_job_store(name_or_uri: str | None = None, check: bool = True) -> JobStore:
    """A JobStore (not yet connected) for the store given by name or URI.

    ``check``: for MongoDB, fail within a few seconds when the server is not reachable.
    """
    from jobflow import JobStore

    from ssbi.workflows.store.embedded import SQLiteStore  # lazy: start-up (maggma and jobflow take 0.5 s)

    spec = resolve(name_or_uri)
    kind = spec["type"]
    if kind == "embedded":
        file = str(embedded_file(spec))  # created by the first write, not before
        docs = SQLiteStore(file, DOCS_COLLECTION, indexed=INDEXED_FIELDS, unique=(UNIQUE_FIELD,))
        data = SQLiteStore(file, DATA_COLLECTION, key="blob_uuid", indexed=DATA_INDEXED, compress=True)
    elif kind == "memory":
        from maggma.stores import MemoryStore

        docs, data = MemoryStore(DOCS_COLLECTION), MemoryStore(DATA_COLLECTION)
        docs.safe_update = data.safe_update = False  # maggma reads it when a write fails; MemoryStore lacks it
    elif kind == "mongodb":
        from maggma.stores import MongoURIStore
        from maggma.stores.gridfs import GridFSURIStore

        uri = spec["uri"]
        if check:
            _ping(uri)
        database = spec.get("database")
        docs = MongoURIStore(uri, DOCS_COLLECTION, database=database)
        data = GridFSURIStore(uri, DATA_COLLECTION, database=database)
    else:
        raise StoreError(f"store type {kind!r} is not one of embedded, memory, mongodb")
    return JobStore(docs, additional_stores={"data": data})


def open_store(name_or_uri: str | None = None) -> JobStore:
    """A connected JobStore, with the queried fields indexed where that helps."""
    spec = resolve(name_or_uri)
    store = make_job_store(name_or_uri)
    try:
        store.connect()
    except Exception as exc:  # noqa: BLE001 - one line for any backend failure
        raise StoreError(f"cannot open store {describe(name_or_uri)}: {exc}") from None
    if spec["type"] in ("mongodb", "memory"):
        ensure_indexes(store)
    return store


def ensure_indexes(store: JobStore) -> None:
    """Indexes on the queried fields, and one result per fingerprint (a partial unique index), on a
    MongoDB or mongomock collection. An existing database that already holds duplicates keeps a plain index."""
    from pymongo.errors import PyMongoError

    collection = store.docs_store._collection
    for field in INDEXED_FIELDS:
        if field != UNIQUE_FIELD:
            store.docs_store.ensure_index(field)
    try:
        collection.create_index([(UNIQUE_FIELD, 1), ("uuid", 1)], name="one_result_per_fingerprint_and_job")
        collection.create_index(UNIQUE_FIELD, unique=True, name="one_result_per_fingerprint",
                                partialFilterExpression={UNIQUE_FIELD: {"$type": "string"}, "index": 1})
    except PyMongoError as exc:
        import logging

        logging.getLogger(__name__).warning("no unique fingerprint index on %s (%s); `ssbi store check` lists "
                                            "duplicates", store.docs_store.name, str(exc).splitlines()[0][:120])
        store.docs_store.ensure_index(UNIQUE_FIELD)


class ResultsReader:
    """The results and derived documents of an embedded store, read only, through the calls of a JobStore that
    queries use (``query``, ``query_one``, ``distinct``; large data not loaded), without jobflow or maggma: what
    ``ssbi query`` reads, so that it starts in a blink."""

    def __init__(self, file: Path):
        self.docs_store = SQLiteCollection(str(file), DOCS_COLLECTION, indexed=INDEXED_FIELDS, unique=(UNIQUE_FIELD,))
        self._ssbi_analysis = SQLiteCollection(str(file), ANALYSIS_COLLECTION, key="key", indexed=ANALYSIS_INDEXED)

    def query(self, criteria=None, properties=None, sort=None, skip: int = 0, limit: int = 0, load: bool = False):
        if load:
            raise StoreError("a results reader does not load large data: open the store with open_store")
        return self.docs_store.query(criteria, properties, sort, skip=skip, limit=limit)

    def query_one(self, criteria=None, properties=None, sort=None, load: bool = False):
        return next(iter(self.query(criteria, properties, sort, limit=1, load=load)), None)

    def distinct(self, field: str, criteria=None, load: bool = False) -> list:
        return self.docs_store.distinct(field, criteria)

    def close(self) -> None:
        self.docs_store.close()
        self._ssbi_analysis.close()


def open_results(name_or_uri: str | None = None):
    """The store to read results from: for the embedded store a :class:`ResultsReader` (SQLite only; nothing is
    created), for the others the connected JobStore (:func:`open_store`)."""
    spec = resolve(name_or_uri)
    if spec["type"] == "embedded":
        return ResultsReader(embedded_file(spec))
    return open_store(name_or_uri)
