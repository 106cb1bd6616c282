"""The large-data folder of the embedded store before issue 15 (one gzipped JSON file per blob, beside a montydb
collection). Read only by ``ssbi store import`` (:func:`ssbi.workflows.store.admin.import_legacy`) and by the store
benchmark's "before" column; new stores keep large data in their SQLite file.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import orjson
from maggma.core import Sort, Store
from mongomock.filtering import filter_applies


class BlobDirStore(Store):
    """A maggma Store over a folder: ``<path>/<key>.json.gz`` per document."""

    def __init__(self, path: str, key: str = "blob_uuid", **kwargs):
        self.path = str(path)
        self.kwargs = kwargs
        super().__init__(key=key, **kwargs)

    @property
    def name(self) -> str:
        return f"blobs://{self.path}"

    @property
    def _collection(self):
        return self

    def connect(self, force_reset: bool = False):
        Path(self.path).mkdir(parents=True, exist_ok=True)

    def close(self):
        pass

    def _file(self, key: str) -> Path:
        return Path(self.path) / f"{key}.json.gz"

    def _read(self, file: Path) -> dict:
        with gzip.open(file, "rb") as fh:
            return orjson.loads(fh.read())

    def _candidates(self, criteria: dict) -> Iterator[dict]:
        value = criteria.get(self.key)
        if isinstance(value, str):
            keys = [value]
        elif isinstance(value, dict) and set(value) == {"$in"}:
            keys = list(value["$in"])
        else:
            keys = None
        files = [self._file(k) for k in keys] if keys is not None else sorted(Path(self.path).glob("*.json.gz"))
        for file in files:
            if file.is_file():
                doc = self._read(file)
                if filter_applies(criteria, doc):
                    yield doc

    def count(self, criteria: dict | None = None) -> int:
        return sum(1 for _ in self._candidates(criteria or {}))

    def query(self, criteria=None, properties=None, sort=None, skip=0, limit=0) -> Iterator[dict]:
        docs = list(self._candidates(criteria or {}))
        for field, order in reversed(list((sort or {}).items())):
            docs.sort(key=lambda d: d.get(field), reverse=order == Sort.Descending)
        docs = docs[skip: skip + limit if limit else None]
        if isinstance(properties, dict):
            properties = [k for k, v in properties.items() if v]
        for doc in docs:
            yield {k: doc[k] for k in properties if k in doc} | {self.key: doc[self.key]} if properties else doc

    def update(self, docs, key=None):
        Path(self.path).mkdir(parents=True, exist_ok=True)
        for doc in docs if isinstance(docs, list) else [docs]:
            file = self._file(doc[self.key])
            tmp = file.with_suffix(".tmp")
            with gzip.open(tmp, "wb", compresslevel=3) as fh:
                fh.write(orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY, default=str))
            tmp.replace(file)

    def ensure_index(self, key: str, unique: bool = False) -> bool:
        return key == self.key

    def groupby(self, keys, criteria=None, properties=None, sort=None, skip=0, limit=0):
        raise NotImplementedError("BlobDirStore does not group")

    def remove_docs(self, criteria: dict):
        for doc in list(self._candidates(criteria)):
            self._file(doc[self.key]).unlink(missing_ok=True)

    def __eq__(self, other) -> bool:
        return isinstance(other, BlobDirStore) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)
