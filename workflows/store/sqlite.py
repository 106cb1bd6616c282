"""The embedded results store: collections of documents in one SQLite file in WAL mode (:class:`SQLiteCollection`;
the maggma Store that jobflow's JobStore takes is :class:`ssbi.workflows.store.embedded.SQLiteStore`).

Why SQLite (see README "The embedded store"): transactions and a write-ahead log make every write all or
nothing, also under ``kill -9``; any number of processes share one file (SQLite's own locking); indexes
keep queries, writes and fingerprint look-ups O(log N). montydb, mongita and polodb were measured beside it
(``benchmarks/eval_embedded_backends.py``) and each failed one of these.

Layout per collection ``c``: table ``c`` (``id``, ``doc`` = JSON, zlib-compressed where asked, ``crc`` = CRC-32
of the stored bytes) and ``c__terms`` (``doc_id``, ``path``, ``value``): one row per value of each indexed
field (array fields give one row per element), indexed on ``(path, value)``. A query's equality and ``$in``
conditions on indexed fields select candidates through ``c__terms``; the whole query is then applied with
mongomock's matcher, so the query language is MongoDB's. Unique fields (the result fingerprint) are checked
inside the write transaction: a second document with the same fingerprint under another job uuid raises
:class:`AlreadyStored` and nothing is written.

A damaged file gives one :class:`~ssbi.workflows.errors.StoreError` line naming it and ``ssbi store check``;
a document whose bytes fail their checksum or do not decode is skipped by queries (and counted by
:meth:`SQLiteStore.check`), so one bad document does not hide the others. Nothing is created on disk until
the first write: read-only commands leave the folder as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import orjson

from ssbi.workflows.errors import StoreError

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 60.0
_SCALARS = (str, int, float, bool)


class AlreadyStored(StoreError):
    """A result with this fingerprint is stored already (the concurrent twin of this run won)."""

    def __init__(self, field: str, value: Any, uuid: Optional[str]):
        self.field, self.value, self.uuid = field, value, uuid
        super().__init__(f"already stored: {field} {str(value)[:16]} is result {uuid}")


class StoreDamaged(StoreError):
    """The SQLite file cannot be read."""


def damaged_message(path: str, exc: Exception) -> str:
    return (f"store {path} is damaged ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}): "
            f"run `ssbi store check` to see what is readable, then `ssbi store repair` to rescue it")


# encoding ------------------------------------------------------------------------------------------------------
def _default(obj):
    if isinstance(obj, dt.datetime):
        return {"$date": obj.isoformat()}
    if type(obj).__name__ == "ObjectId":
        return {"$oid": str(obj)}
    raise TypeError(f"cannot store a {type(obj).__name__}")


def _special_paths(obj, path=()) -> Iterator[tuple]:
    """Paths of the datetimes and ObjectIds in ``obj`` (JSON has neither; they are revived on reading)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _special_paths(v, (*path, k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _special_paths(v, (*path, i))
    elif isinstance(obj, dt.datetime) or type(obj).__name__ == "ObjectId":
        yield path


def _revive(doc: dict, paths: list) -> dict:
    for path in paths:
        *head, last = path
        target = doc
        for part in head:
            target = target[part]
        value = target[last]
        if "$date" in value:
            target[last] = dt.datetime.fromisoformat(value["$date"])
        else:
            from bson import ObjectId

            target[last] = ObjectId(value["$oid"])
    return doc


def encode(doc: dict, compress: bool) -> bytes:
    """JSON (zlib-compressed if asked); datetimes and ObjectIds as ``{"$date"}``/``{"$oid"}``, their paths in a
    trailing ``\n``-separated JSON list, so that reading revives them without walking the document."""
    raw = orjson.dumps(doc, default=_default,
                       option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    special = list(_special_paths(doc))
    if special:
        raw += b"\n" + orjson.dumps(special)
    return zlib.compress(raw, 1) if compress else raw


def decode(blob: bytes) -> dict:
    raw = zlib.decompress(blob) if blob[:1] == b"x" else blob  # zlib streams start with 0x78, JSON with "{"
    body, _, special = raw.partition(b"\n")  # orjson never writes a raw newline inside JSON
    doc = orjson.loads(body)
    return _revive(doc, orjson.loads(special)) if special else doc


HEAD_LIMIT = 512  # bytes of JSON above which a value stays out of the head
DROPPED = "__ssbi_dropped__"


def head_of(doc: dict) -> Optional[dict]:
    """The document without its large values (structures, arrays) at the top level and one level down (``output``),
    with the dropped paths under DROPPED; None when nothing is large (the document serves as its own head)."""
    dropped, head = [], {}
    for key, value in doc.items():
        if isinstance(value, dict) and key == "output":
            inner = {}
            for k2, v2 in value.items():
                if isinstance(v2, (dict, list)) and len(encode(v2, False)) > HEAD_LIMIT:
                    dropped.append(f"{key}.{k2}")
                else:
                    inner[k2] = v2
            head[key] = inner
        elif isinstance(value, (dict, list)) and len(encode(value, False)) > HEAD_LIMIT:
            dropped.append(key)
        else:
            head[key] = value
    if not dropped:
        return None
    head[DROPPED] = dropped
    return head


def _touches(need: set, dropped) -> bool:
    """Whether a needed path lies in, or contains, a dropped one."""
    for d in dropped:
        for p in need:
            if p == d or p.startswith(d + ".") or d.startswith(p + "."):
                return True
    return False


def term(value) -> Optional[str]:
    """The indexed form of a scalar (numbers that are whole compare equal as MongoDB does)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        value = int(value)
    if isinstance(value, _SCALARS):
        return orjson.dumps(value).decode()
    return None


def term_list(values: list) -> Optional[str]:
    """The indexed form of a whole array of scalars."""
    terms = [term(v) for v in values]
    return None if None in terms else "[" + ",".join(terms) + "]"


def terms_at(doc: Any, path: str) -> list[str]:
    """Index terms of a path: each scalar (array elements too), and each whole array of scalars."""
    out = [t for v in dict.fromkeys(values_at(doc, path)) if (t := term(v)) is not None]
    whole = get_path(doc, path)
    if isinstance(whole, list) and (t := term_list(whole)) is not None:
        out.append(t)
    return out


def values_at(doc: Any, path: str) -> list:
    """Every scalar at a dotted path (through lists, as MongoDB's multikey indexes)."""
    current = [doc]
    for part in path.split("."):
        nxt = []
        for item in current:
            if isinstance(item, dict) and part in item:
                value = item[part]
                nxt.extend(value if isinstance(value, list) else [value])
            elif isinstance(item, list):
                nxt.extend(x[part] for x in item if isinstance(x, dict) and part in x)
        current = nxt
    return [v for v in current if isinstance(v, _SCALARS)]


def get_path(doc: Any, path: str, default=None):
    for part in path.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return default
        doc = doc[part]
    return doc


def project(doc: dict, properties) -> dict:
    """The fields named (dotted paths) of ``doc``."""
    if isinstance(properties, dict):
        properties = [k for k, v in properties.items() if v]
    out: dict = {}
    for path in properties:
        if "." not in path:
            if path in doc:
                out[path] = doc[path]
            continue
        *head, last = path.split(".")
        src, dst = doc, out
        for part in head:
            src = src.get(part) if isinstance(src, dict) else None
            if src is None:
                break
            if not isinstance(src, dict):
                dst[part] = src
                src = None
                break
            dst = dst.setdefault(part, {})
        if isinstance(src, dict) and last in src:
            dst[last] = src[last]
    return out


def _sort_key(value):
    """MongoDB's order across types: missing/None, numbers, strings, objects, booleans, dates."""
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (5, value)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, dt.datetime):
        return (6, value)
    return (3, str(value))


def _matches(criteria: dict, doc: dict) -> bool:
    """MongoDB's matching of ``criteria`` (mongomock's matcher; imported only for criteria the index does not
    answer, so that reading by indexed fields starts fast)."""
    from mongomock.filtering import filter_applies

    return filter_applies(criteria, doc)


class SQLiteCollection:
    """One collection, table ``collection_name`` of the SQLite file ``path``: maggma's Store interface (query,
    update, remove_docs, distinct, count, groupby) without maggma, so that reading it imports no more than SQLite."""

    def __init__(self, path: str, collection_name: str, key: str = "uuid", indexed: tuple[str, ...] = ("uuid",),
                 unique: tuple[str, ...] = (), compress: bool = False, **kwargs):
        self.path = str(path)
        self.collection_name = collection_name
        self.indexed = tuple(dict.fromkeys((*indexed, *unique, key)))
        self.unique = tuple(unique)
        self.compress = compress
        self.kwargs = kwargs
        self._cx: Optional[sqlite3.Connection] = None
        self._lock = threading.RLock()
        self._has_table = False
        self.skipped: list[tuple[int, str]] = []  # (row id, why) of documents queries could not read
        self.key = key
        self.validator = None
        self.logger = logger

    # maggma Store plumbing ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return f"sqlite://{self.path}#{self.collection_name}"

    @property
    def _collection(self):
        return self

    @property
    def _terms(self) -> str:
        return f'"{self.collection_name}__terms"'

    @property
    def _table(self) -> str:
        return f'"{self.collection_name}"'

    def connect(self, force_reset: bool = False):
        if self._cx is not None and not force_reset:
            return
        self.close()
        if Path(self.path).is_file():
            self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            cx = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            for attempt in range(100):  # the first opener turns WAL on; a concurrent one may see "locked"
                try:
                    if cx.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        cx.execute("PRAGMA journal_mode=WAL")
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or attempt == 99:
                        raise
                    time.sleep(0.05)
            cx.execute("PRAGMA secure_delete=ON")  # deleted documents leave no readable ghost for a page scan
            cx.execute("PRAGMA synchronous=FULL")  # each commit reaches the disk: no lost result on power loss
            cx.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        except sqlite3.DatabaseError as exc:
            raise StoreDamaged(damaged_message(self.path, exc)) from None
        self._cx = cx
        self._has_table = False
        return cx

    def close(self):
        if self._cx is not None:
            self._cx.close()
            self._cx = None

    def __eq__(self, other) -> bool:
        return isinstance(other, SQLiteCollection) and (other.path, other.collection_name) == (self.path,
                                                                                           self.collection_name)

    def __hash__(self) -> int:
        return hash((self.path, self.collection_name))

    def ensure_index(self, key: str, unique: bool = False) -> bool:
        return key in self.indexed

    # schema and transactions -------------------------------------------------------------------------------
    def _table_exists(self) -> bool:
        if not self._has_table and self._cx is not None:
            row = self._cx.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                                   (self.collection_name,)).fetchone()
            self._has_table = row is not None
        return self._has_table

    def _create(self, cx: sqlite3.Connection) -> None:
        cx.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (id INTEGER PRIMARY KEY, coll TEXT NOT NULL, "
                   "head BLOB, hcrc INTEGER, doc BLOB NOT NULL, crc INTEGER NOT NULL)")
        # coll: lets a page scan tell the tables apart; head (before doc: reading it never walks the document's
        # overflow pages): the document without its large values, for queries that do not ask for them
        cx.execute(f"CREATE TABLE IF NOT EXISTS {self._terms} (doc_id INTEGER NOT NULL, path TEXT NOT NULL, "
                   "value TEXT NOT NULL)")
        cx.execute(f'CREATE INDEX IF NOT EXISTS "{self.collection_name}__by_value" ON {self._terms} '
                   "(path, value, doc_id)")
        cx.execute(f'CREATE INDEX IF NOT EXISTS "{self.collection_name}__by_doc" ON {self._terms} (doc_id)')
        self._has_table = True

    @contextmanager
    def _write(self):
        """One IMMEDIATE transaction (the write lock is taken first, so check-then-write is race-free)."""
        with self._lock:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            cx = self._cx or self._open()
            try:
                cx.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None
            try:
                self._create(cx)
                yield cx
            except BaseException as exc:
                cx.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError):
                    raise self._damaged(exc) from None
                raise
            else:
                cx.execute("COMMIT")

    def _damaged(self, exc: Exception) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return StoreError(f"store {self.path} stayed locked by another process for {BUSY_TIMEOUT_S:.0f} s")
        return StoreDamaged(damaged_message(self.path, exc))

    def _read(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            if self._cx is None:
                if not Path(self.path).is_file():
                    return []
                self._open()
            try:
                if not self._table_exists():
                    return []
                return self._cx.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None

    # candidates --------------------------------------------------------------------------------------------
    def _condition(self, field: str, cond) -> Optional[list[str]]:
        """The index terms one condition selects, or None when it cannot be answered from the index."""
        if field.startswith("$") or field not in self.indexed:
            return None
        if isinstance(cond, dict) and set(cond) == {"$in"} and isinstance(cond["$in"], (list, tuple)):
            values = [term(v) if not isinstance(v, list) else term_list(v) for v in cond["$in"]]
        elif isinstance(cond, list):
            values = [term_list(cond)]  # a whole array (as a Miller index): indexed as one term too
        elif not isinstance(cond, dict) and cond is not None:
            values = [term(cond)]
        else:
            return None
        return values if values and None not in values else None

    def _pushdown(self, criteria: dict) -> tuple[str, list, dict]:
        """SQL selecting candidate row ids from the indexed equality/``$in`` conditions, and ``$or`` of them
        ('' = all rows), and the rest of the criteria, which mongomock's matcher applies (a term match is MongoDB's
        own equality: scalars, array elements, whole arrays, whole numbers equal across int and float). The most
        selective condition drives; the others are index look-ups per candidate."""
        conds, residual = [], dict(criteria)
        for field, cond in criteria.items():
            if field == "$or" and isinstance(cond, list) and cond:
                branches = [next(iter(b.items())) if isinstance(b, dict) and len(b) == 1 else (None, None)
                            for b in cond]
                alts = [(f, self._condition(f, c)) for f, c in branches if f is not None]
                if len(alts) == len(cond) and all(v is not None for _, v in alts):
                    conds.append(alts)
                    del residual[field]
                continue
            values = self._condition(field, cond)
            if values is not None:
                conds.append([(field, values)])
                del residual[field]
        if not conds:
            return "", [], residual
        if len(conds) > 1:
            conds.sort(key=lambda alts: sum(self._estimate(f, v) for f, v in alts))

        def clause(alias: str, alts) -> tuple[str, list]:
            parts, params = [], []
            for f, vs in alts:
                parts.append(f"({alias}.path=? AND {alias}.value IN ({','.join('?' * len(vs))}))")
                params.extend([f, *vs])
            return " OR ".join(parts), params

        first, params = clause("t0", conds[0])
        sql = f"SELECT t0.doc_id FROM {self._terms} t0 WHERE {first}"
        for i, alts in enumerate(conds[1:], start=1):
            text, more = clause(f"t{i}", alts)
            sql += f" AND EXISTS (SELECT 1 FROM {self._terms} t{i} WHERE t{i}.doc_id=t0.doc_id AND ({text}))"
            params.extend(more)
        return sql, params, residual

    ESTIMATE_CAP = 500

    def _estimate(self, field: str, values: list) -> int:
        """How many documents a condition selects, counted up to ESTIMATE_CAP (cheap on the index)."""
        rows = self._read(f"SELECT count(*) FROM (SELECT 1 FROM {self._terms} WHERE path=? AND value IN "
                          f"({','.join('?' * len(values))}) LIMIT {self.ESTIMATE_CAP})", [field, *values])
        return rows[0][0] if rows else 0

    def _docs(self, criteria: dict, need: Optional[set] = None) -> Iterator[tuple[int, dict]]:
        """(row id, document) of every readable document matching ``criteria``. ``need``: the only paths the
        caller reads; the stored head (the document without its large values) serves when it holds them all."""
        where, params, residual = self._pushdown(criteria)
        if need is not None:
            need = set(need) | set(residual)
        selector = f" WHERE id IN ({where})" if where else ""
        if need is None:
            rows = self._read(f"SELECT id, doc, crc FROM {self._table}{selector} ORDER BY id", params)
            for row_id, blob, crc in rows:
                doc = self._decode(row_id, blob, crc)
                if doc is not None and (not residual or _matches(residual, doc)):
                    yield row_id, doc
            return
        rows = self._read(f"SELECT id, head, hcrc, CASE WHEN head IS NULL THEN doc END, CASE WHEN head IS NULL THEN "
                          f"crc END FROM {self._table}{selector} ORDER BY id", params)  # doc read only without head
        for row_id, head, hcrc, blob, crc in rows:
            doc = self._decode(row_id, head, hcrc) if head is not None else self._decode(row_id, blob, crc)
            if head is not None and (doc is None or _touches(need, doc.pop(DROPPED, ()))):
                found = self._read(f"SELECT doc, crc FROM {self._table} WHERE id=?", (row_id,))
                doc = self._decode(row_id, *found[0]) if found else None  # the head lacks a needed value
            if doc is not None and (not residual or _matches(residual, doc)):
                yield row_id, doc

    def _decode(self, row_id: int, blob: bytes, crc: int, warn: bool = True) -> Optional[dict]:
        why = None
        if zlib.crc32(blob) != crc:
            why = "checksum mismatch"
        else:
            try:
                return decode(blob)
            except (ValueError, zlib.error) as exc:
                why = f"does not decode ({str(exc)[:60]})"
        if warn and (row_id, why) not in self.skipped:
            self.skipped.append((row_id, why))
            logger.warning("store %s: skipped document %s of %s (%s); run `ssbi store check`", self.path, row_id,
                           self.collection_name, why)
        return None

    # maggma Store API --------------------------------------------------------------------------------------
    def count(self, criteria: Optional[dict] = None, hint=None) -> int:
        criteria = criteria or {}
        if not criteria:
            rows = self._read(f"SELECT count(*) FROM {self._table}")
            return rows[0][0] if rows else 0
        return sum(1 for _ in self._docs(criteria))

    def query(self, criteria: Optional[dict] = None, properties=None, sort: Optional[dict] = None, hint=None,
              skip: int = 0, limit: int = 0) -> Iterator[dict]:
        need = None
        if properties:
            fields = [k for k, v in properties.items() if v] if isinstance(properties, dict) else list(properties)
            need = {*fields, *(sort or {})}
        docs = [doc for _, doc in self._docs(criteria or {}, need)]
        for field, order in reversed(list((sort or {}).items())):
            descending = order == -1 or getattr(order, "value", order) == -1  # -1 or maggma's Sort.Descending
            docs.sort(key=lambda d: _sort_key(get_path(d, field)), reverse=descending)
        docs = docs[skip: skip + limit if limit else None]
        for doc in docs:
            yield project(doc, properties) if properties else doc

    def update(self, docs, key=None):
        docs = docs if isinstance(docs, list) else [docs]
        key = key or self.key
        keys = list(key) if isinstance(key, (list, tuple)) else [key]
        from monty.json import jsanitize

        prepared = []
        for d in (jsanitize(x, allow_bson=True, recursive_msonable=True) for x in docs):
            if self.validator and not self.validator.is_valid(d):
                if self.validator.strict:
                    raise ValueError(self.validator.validation_errors(d))
                self.logger.error(self.validator.validation_errors(d))
                continue
            missing = [k for k in keys if k not in d]
            if missing:
                raise StoreError(f"cannot store a document without {', '.join(missing)} in {self.collection_name}")
            prepared.append((d, encode(d, self.compress)))
        if not prepared:
            return
        with self._write() as cx:
            for d, blob in prepared:
                search = {k: d[k] for k in keys}
                old = [row_id for row_id, _ in self._docs_in(cx, search)]
                self._check_unique(cx, d, old)
                self._delete(cx, old)
                self._insert(cx, d, blob)

    def _insert(self, cx, doc: dict, blob: bytes, row_id: Optional[int] = None) -> int:
        """One row (document, its head, checksums) and its index terms."""
        head = head_of(doc)
        hblob = encode(head, False) if head is not None else None
        values = (self.collection_name, hblob, zlib.crc32(hblob) if hblob else None, blob, zlib.crc32(blob))
        if row_id is None:
            row_id = cx.execute(f"INSERT INTO {self._table} (coll, head, hcrc, doc, crc) VALUES (?, ?, ?, ?, ?)",
                                values).lastrowid
        else:
            cx.execute(f"UPDATE {self._table} SET coll=?, head=?, hcrc=?, doc=?, crc=? WHERE id=?", (*values, row_id))
            cx.execute(f"DELETE FROM {self._terms} WHERE doc_id=?", (row_id,))
        cx.executemany(f"INSERT INTO {self._terms} (doc_id, path, value) VALUES (?, ?, ?)",
                       [(row_id, path, t) for path in self.indexed for t in terms_at(doc, path)])
        return row_id

    def _docs_in(self, cx, criteria: dict) -> list[tuple[int, dict]]:
        where, params, _ = self._pushdown(criteria)
        sql = f"SELECT id, doc, crc FROM {self._table}" + (f" WHERE id IN ({where})" if where else "")
        out = []
        for row_id, blob, crc in cx.execute(sql, params).fetchall():
            doc = self._decode(row_id, blob, crc)
            if doc is not None and _matches(criteria, doc):
                out.append((row_id, doc))
        return out

    def _check_unique(self, cx, doc: dict, replacing: list[int]) -> None:
        """A unique field's value may be stored again only under the same job uuid (its replacement index)."""
        for path in self.unique:
            for value in values_at(doc, path):
                rows = cx.execute(f"SELECT doc_id FROM {self._terms} WHERE path=? AND value=?",
                                  (path, term(value))).fetchall()
                for (row_id,) in rows:
                    if row_id in replacing:
                        continue
                    found = cx.execute(f"SELECT doc, crc FROM {self._table} WHERE id=?", (row_id,)).fetchone()
                    other = self._decode(row_id, *found) if found else None
                    if other is not None and other.get("uuid") != doc.get("uuid"):
                        raise AlreadyStored(path, value, other.get("uuid"))

    def _delete(self, cx, row_ids: list[int]) -> None:
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            cx.execute(f"DELETE FROM {self._terms} WHERE doc_id IN ({marks})", chunk)
            cx.execute(f"DELETE FROM {self._table} WHERE id IN ({marks})", chunk)

    def _write_empty(self) -> None:
        """Create the file and table (nothing else)."""
        with self._write():
            pass

    def insert_many(self, docs: list[dict]) -> None:
        """Bulk insert in one transaction (no upsert look-up; for fills and imports of new documents)."""
        if not docs:
            return
        with self._write() as cx:
            for d in docs:
                self._insert(cx, d, encode(d, self.compress))

    def remove_docs(self, criteria: dict):
        if not Path(self.path).is_file():
            return
        with self._write() as cx:
            self._delete(cx, [row_id for row_id, _ in self._docs_in(cx, criteria)])

    def update_fields(self, criteria: dict, set_fields: dict[str, Any], unset: tuple[str, ...] = ()) -> int:
        """``$set``/``$unset`` of dotted fields in every matching document, in one transaction."""
        with self._write() as cx:
            found = self._docs_in(cx, criteria)
            for row_id, doc in found:
                for path, value in set_fields.items():
                    *head, last = path.split(".")
                    target = doc
                    for part in head:
                        target = target.setdefault(part, {})
                    target[last] = value
                for path in unset:
                    *head, last = path.split(".")
                    target = get_path(doc, ".".join(head)) if head else doc
                    if isinstance(target, dict):
                        target.pop(last, None)
                self._insert(cx, doc, encode(doc, self.compress), row_id=row_id)
            return len(found)

    def groupby(self, keys, criteria=None, properties=None, sort=None, skip=0, limit=0):
        keys = [keys] if isinstance(keys, str) else list(keys)
        groups: dict[bytes, tuple[dict, list]] = {}
        for doc in self.query(criteria, sort=sort):
            values = {k: get_path(doc, k) for k in keys}
            group = groups.setdefault(orjson.dumps(list(values.values()), default=str), (values, []))
            group[1].append(project(doc, properties) if properties else doc)
        for values, docs in list(groups.values())[skip: skip + limit if limit else None]:
            nested: dict = {}
            for path, value in values.items():
                *head, last = path.split(".")
                target = nested
                for part in head:
                    target = target.setdefault(part, {})
                target[last] = value
            yield nested, docs

    def distinct(self, field: str, criteria: Optional[dict] = None, all_exist: bool = False) -> list:
        seen: dict = {}
        for _, doc in self._docs(criteria or {}):
            value = get_path(doc, field)
            for v in value if isinstance(value, list) else [value]:
                seen.setdefault(orjson.dumps(v, default=str), v)
        return list(seen.values())

    # verification and rescue -------------------------------------------------------------------------------
    def check(self) -> dict:
        """SQLite's integrity check and every document's checksum and decoding: {'documents', 'bad', 'problems'}."""
        report = {"documents": 0, "bad": [], "problems": []}
        if not Path(self.path).is_file():
            return report
        try:
            integrity = [r[0] for r in self._read("PRAGMA integrity_check")]
        except StoreError as exc:
            report["problems"].append(str(exc))
            integrity = []
        if integrity and integrity != ["ok"]:
            report["problems"].extend(integrity[:5])
        for row_id, blob, crc in self.readable_rows(report["problems"]):
            report["documents"] += 1
            if self._decode(row_id, blob, crc) is None:
                report["bad"].append(row_id)
        return report

    def readable_rows(self, problems: list[str]) -> Iterator[tuple[int, bytes, int]]:
        """Every row that can be read, row by row where the file is damaged (appends to ``problems``)."""
        try:
            yield from self._read(f"SELECT id, doc, crc FROM {self._table} ORDER BY id")
            return
        except StoreError as exc:
            problems.append(str(exc).split(" (", 1)[-1].split("):")[0])
        if self._cx is None:  # the file does not open at all: nothing to read
            return
        try:
            top = self._read(f"SELECT max(id) FROM {self._table}")[0][0] or 0
        except StoreError:
            top = None
        empty = 0
        start = 1
        while (top is None and empty < 20) or (top is not None and start <= top):
            try:
                rows = self._read(f"SELECT id, doc, crc FROM {self._table} WHERE id BETWEEN ? AND ?",
                                  (start, start + 99))
            except StoreError:
                rows = []
                for row_id in range(start, start + 100):
                    try:
                        rows.extend(self._read(f"SELECT id, doc, crc FROM {self._table} WHERE id=?", (row_id,)))
                    except StoreError:
                        problems.append(f"row {row_id} of {self.collection_name} unreadable")
            empty = 0 if rows else empty + 1
            start += 100
            yield from rows


# rescue by page scan ------------------------------------------------------------------------------------------
def _varint(buf: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = buf[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise ValueError("bad varint")


def _value(buf: bytes, at: int, serial: int):
    sizes = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8, 8: 0, 9: 0}
    if serial in sizes:
        n = sizes[serial]
        if serial == 7:
            import struct

            return struct.unpack(">d", buf[at:at + 8])[0], at + 8
        if serial in (8, 9):
            return serial - 8, at
        return (int.from_bytes(buf[at:at + n], "big", signed=True) if n else None), at + n
    n = (serial - 12) // 2 if serial % 2 == 0 else (serial - 13) // 2
    raw = buf[at:at + n]
    return (raw if serial % 2 == 0 else raw.decode("utf-8", "replace")), at + n


def scan_pages(path: str) -> Iterator[tuple[str, int, bytes, int]]:
    """(collection, row id, stored bytes, crc) of every document record found in the file's table leaf pages,
    whatever the state of the b-tree above them (the rescue path for a truncated or overwritten file)."""
    data = Path(path).read_bytes()
    if len(data) < 100 or not data.startswith(b"SQLite format 3\x00"):
        return
    size = int.from_bytes(data[16:18], "big")
    size = 65536 if size == 1 else size
    usable = size - data[20]
    x_max = usable - 35
    m_min = ((usable - 12) * 32 // 255) - 23
    pages = len(data) // size
    for number in range(1, pages + 1):
        base = (number - 1) * size
        head = base + (100 if number == 1 else 0)
        if data[head] != 0x0D:
            continue
        cells = int.from_bytes(data[head + 3:head + 5], "big")
        for c in range(cells):
            try:
                at = base + int.from_bytes(data[head + 8 + 2 * c:head + 10 + 2 * c], "big")
                total, at = _varint(data, at)
                row_id, at = _varint(data, at)
                if total <= x_max:
                    payload = data[at:at + total]
                else:
                    k = m_min + ((total - m_min) % (usable - 4))
                    local = k if k <= x_max else m_min
                    payload = bytearray(data[at:at + local])
                    nxt = int.from_bytes(data[at + local:at + local + 4], "big")
                    while nxt and len(payload) < total:
                        start = (nxt - 1) * size
                        if start + size > len(data):
                            raise ValueError("overflow page beyond the end of the file")
                        nxt = int.from_bytes(data[start:start + 4], "big")
                        payload += data[start + 4:start + usable]
                    payload = bytes(payload[:total])
                if len(payload) < total:
                    continue
                header, pos = _varint(payload, 0)
                serials = []
                while pos < header:
                    serial, pos = _varint(payload, pos)
                    serials.append(serial)
                if len(serials) != 6 or serials[0] != 0 or serials[1] < 13 or serials[1] % 2 == 0 \
                        or serials[4] < 12 or serials[4] % 2:
                    continue  # not a document row (index entries, terms, schema)
                values, at2 = [], header
                for serial in serials:
                    value, at2 = _value(payload, at2, serial)
                    values.append(value)
                yield values[1], row_id, values[4], values[5]
            except (IndexError, ValueError):
                continue
