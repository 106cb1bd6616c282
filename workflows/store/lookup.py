"""The one place that finds stored results: a result by fingerprint, a material's relaxed bulk (stored or shipped),
the newest mechanics of a material; and the bookkeeping of a forced re-run (results set aside, then removed).

One relaxed bulk per material and engine is shared by the hull, adhesion, MD and mechanics: the hull (a phase set)
relaxes the primitive cell of each library phase's experimental structure (:func:`bulk_cell`), and every other
analysis of a study starts from that relaxation, stored in this store or shipped with the reference entries. Slabs
need the conventional setting (Miller indices refer to it), so :func:`conventional_bulk` maps the relaxed primitive
cell back onto the library's conventional cell.

Functions that depend on the engine take a resolved :class:`~ssbi.workflows.engines.base.Engine`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

from pymatgen.core import Structure

from ssbi.interfaces.crystallography import in_setting_of
from ssbi.interfaces.materials import get_material, load
from ssbi.workflows.store.identity import calc_fingerprint
from ssbi.workflows.store.shipped import input_key, usable_shipped

SET_ASIDE_FIELD = "output.superseded_fingerprint"
RESULT_PROPERTIES = ["uuid", "output", "completed_at"]


# --- results by identity -------------------------------------------------------------------------------------------
def find_result(store, fingerprint: str, load: bool = False) -> Optional[dict]:
    """The newest stored result document with this fingerprint, if any (``load``: with its large data)."""
    return store.query_one({"output.fingerprint": fingerprint}, properties=None if load else RESULT_PROPERTIES,
                           load=load, sort={"completed_at": -1})


def find_results(store, fingerprints: list[str], load: bool = False) -> list[Optional[dict]]:
    """:func:`find_result` of each fingerprint, in order."""
    return [find_result(store, fp, load=load) for fp in fingerprints]


def latest_mechanics(store, material: str, engine_name: str) -> Optional[dict]:
    """The newest stored MechanicsDoc of ``material`` by ``engine_name`` (its ``output``), if any."""
    doc = store.query_one({"output.kind": "mechanics", "output.materials": material,
                           "output.engine.name": engine_name}, properties=["output"], sort={"completed_at": -1})
    return doc["output"] if doc else None


# --- bulks ----------------------------------------------------------------------------------------------------------
def bulk_cell(name: str) -> Structure:
    """The cell relaxed for library phase ``name``: the primitive cell of its experimental structure (a copy)."""
    path = get_material(name).structure_path("experimental")
    if not path.is_file():  # built from its Wyckoff description each time
        return load(name, "experimental").get_primitive_structure()
    return _primitive(name, str(path), path.stat().st_mtime_ns).copy()


@lru_cache(maxsize=256)
def _primitive(name: str, path: str, mtime_ns: int) -> Structure:
    """The primitive cell of a library structure file, found once per version of the file (spglib's search is not
    free, and a study asks for each bulk cell many times)."""
    return load(name, "experimental").get_primitive_structure()


def conventional_bulk(name: str, relaxed_primitive: Structure) -> Structure:
    """The relaxed primitive cell of ``name`` as the library's conventional cell (same orientation)."""
    return in_setting_of(relaxed_primitive, bulk_cell(name), load(name, "experimental"))


def stored_bulk(store, engine, name: str) -> Optional[dict]:
    """The relaxation of library phase ``name``'s bulk cell with ``engine``: stored in ``store``, else shipped, else
    None. Returns {"structure" (conventional setting), "primitive", "energy_per_atom", "uuid", "origin"}."""
    cell = bulk_cell(name)
    found = find_result(store, calc_fingerprint(cell, "relax", "bulk", engine.describe()))
    if found:
        relaxed = Structure.from_dict(found["output"]["structure"])
        energy, uuid, origin = found["output"]["energy_per_atom"], found["uuid"], "stored"
    else:
        shipped = usable_shipped(engine)
        item = shipped.relaxed.get(input_key(cell, "relax", engine.identity())) if shipped else None
        if item is None:
            return None
        relaxed = Structure.from_dict(item["structure"])
        energy, uuid, origin = item["energy"] / len(relaxed), None, "shipped"
    return {"structure": conventional_bulk(name, relaxed), "primitive": relaxed, "energy_per_atom": energy,
            "uuid": uuid, "origin": origin}


def stored_bulk_of(store, engine, structure: Structure) -> Optional[dict]:
    """The stored bulk relaxation of ``structure``'s primitive cell with ``engine`` (a structure that is not a
    library cell: a user's file), in ``structure``'s setting: {"structure", "energy_per_atom", "uuid", "origin"}."""
    prim = structure.get_primitive_structure()
    found = find_result(store, calc_fingerprint(prim, "relax", "bulk", engine.describe()))
    if not found:
        return None
    relaxed = Structure.from_dict(found["output"]["structure"])
    return {"structure": in_setting_of(relaxed, prim, structure), "energy_per_atom": found["output"]["energy_per_atom"],
            "uuid": found["uuid"], "origin": "stored"}


# --- forced re-runs ---------------------------------------------------------------------------------------------------
def _update_fields(store, criteria: dict, set_fields: dict, unset: tuple[str, ...]) -> int:
    docs = store.docs_store
    if hasattr(docs, "update_fields"):  # the embedded SQLite store
        return docs.update_fields(criteria, set_fields, unset)
    change: dict = {"$set": set_fields} if set_fields else {}
    if unset:
        change["$unset"] = {k: "" for k in unset}
    return docs._collection.update_many(criteria, change).modified_count


def set_aside(store, fingerprint: str) -> list[str]:
    """Before a forced re-run: the stored results of ``fingerprint`` give it up (moved to
    ``output.superseded_fingerprint``), so the new result can be stored under it; nothing is deleted yet."""
    uuids = [d["uuid"] for d in store.query({"output.fingerprint": fingerprint}, properties=["uuid"], load=False)]
    if uuids:
        _update_fields(store, {"uuid": {"$in": uuids}, "output.fingerprint": fingerprint},
                       {SET_ASIDE_FIELD: fingerprint}, ("output.fingerprint",))
    return uuids


def restore_set_aside(store, fingerprint: str) -> None:
    """The forced re-run failed: the results set aside take their fingerprint back."""
    _update_fields(store, {SET_ASIDE_FIELD: fingerprint}, {"output.fingerprint": fingerprint}, (SET_ASIDE_FIELD,))


def remove_set_aside(store, fingerprint: str) -> int:
    """The forced re-run is stored: delete the results it replaced and their engine task documents."""
    docs = list(store.query({SET_ASIDE_FIELD: fingerprint}, properties=["uuid", "output.task_uuid"], load=False))
    for doc in docs:
        task_uuid = doc.get("output", {}).get("task_uuid")
        if task_uuid:
            store.remove_docs({"uuid": task_uuid})
        store.remove_docs({"uuid": doc["uuid"]})
    return len(docs)


def is_already_stored(message: str) -> bool:
    """A run lost the race to its concurrent twin (unique fingerprint on SQLite or MongoDB)."""
    return "already stored:" in message or ("E11000" in message and "fingerprint" in message)
