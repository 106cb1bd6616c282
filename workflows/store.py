"""The results store: a jobflow JobStore from one name or URI.

- ``embedded`` (default): montydb on disk under the project data folder, large
  data (``data`` additional store) as files beside it;
- ``mongodb``: any ``mongodb://`` or ``mongodb+srv://`` URI, GridFS for large data;
- ``memory``: mongomock, for tests (one process).

Settings come from ``configs/stores.yaml`` then ``~/.config/ssb-interfaces/stores.yaml``.
URIs are shown redacted (no password) in every message.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from jobflow import JobStore

from workflows.errors import StoreError
from ssbi_configs.settings import settings
from workflows.paths import CONFIG_DIR, data_dir, user_config_dir

DOCS_COLLECTION = "outputs"
DATA_COLLECTION = "outputs_data"
INDEXED_FIELDS = ("uuid", "output.kind", "output.fingerprint", "output.formula", "output.materials",
                  "output.engine.name")
CONNECT_TIMEOUT_MS = 3000


def _config() -> dict[str, Any]:
    config = yaml.safe_load((CONFIG_DIR / "stores.yaml").read_text())
    user = user_config_dir() / "stores.yaml"
    if user.is_file():
        extra = yaml.safe_load(user.read_text()) or {}
        config["stores"].update(extra.get("stores", {}))
        config["default"] = extra.get("default", config["default"])
    return config


def store_names() -> list[str]:
    return sorted(_config()["stores"])


def redact(uri: str) -> str:
    """The URI without its password."""
    return re.sub(r"(mongodb(?:\+srv)?://[^:/@]+):[^@]*@", r"\1:***@", uri)


def resolve(name_or_uri: str | None = None) -> dict[str, Any]:
    """The settings of a store given by name, URI or the configured default."""
    config = _config()
    current = settings()
    target = name_or_uri or current.store or config["default"]
    if target.startswith(("mongodb://", "mongodb+srv://")):
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
        spec["uri"] = uri
    return spec


def describe(name_or_uri: str | None = None) -> str:
    """One line naming the store (password redacted)."""
    spec = resolve(name_or_uri)
    if spec["type"] == "embedded":
        return f"embedded ({data_dir() / 'store'})"
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
    spec = resolve(name_or_uri)
    kind = spec["type"]
    if kind == "embedded":
        from maggma.stores import MontyStore

        from workflows.blobstore import BlobDirStore

        root = Path(spec.get("path") or data_dir() / "store")
        root.mkdir(parents=True, exist_ok=True)
        docs = MontyStore(DOCS_COLLECTION, database_path=str(root), database_name="ssbi",
                          storage=spec.get("storage", "sqlite"))
        data = BlobDirStore(str(root / "blobs"))
    elif kind == "memory":
        from maggma.stores import MemoryStore

        docs, data = MemoryStore(DOCS_COLLECTION), MemoryStore(DATA_COLLECTION)
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
    if spec["type"] == "mongodb":
        for field in INDEXED_FIELDS:
            store.docs_store.ensure_index(field)
    return store
