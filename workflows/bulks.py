"""One relaxed bulk per material and engine, shared by the hull, adhesion, MD and mechanics.

The hull (a phase set) relaxes the primitive cell of each library phase's
experimental structure (:func:`bulk_cell`). Every other analysis of a study starts
from that relaxation: stored in this store, or shipped with the reference entries.
Slabs need the conventional setting (Miller indices refer to it), so
:func:`conventional_bulk` maps the relaxed primitive cell back onto the library's
conventional cell.
"""

from __future__ import annotations

from typing import Optional

from pymatgen.core import Structure

from workflows.engines.spec import EngineLike


def bulk_cell(name: str) -> Structure:
    """The cell relaxed for library phase ``name``: the primitive cell of its experimental structure."""
    from interfaces.materials import load

    return load(name, "experimental").get_primitive_structure()


def conventional_bulk(name: str, relaxed_primitive: Structure) -> Structure:
    """The relaxed primitive cell of ``name`` as the library's conventional cell (same orientation)."""
    from interfaces.crystallography import in_setting_of
    from interfaces.materials import load

    return in_setting_of(relaxed_primitive, bulk_cell(name), load(name, "experimental"))


def stored_bulk(store, engine: EngineLike, name: str) -> Optional[dict]:
    """The relaxation of ``name``'s bulk cell with ``engine``: stored in ``store``, else shipped, else None.

    Returns {"structure" (conventional setting), "primitive", "energy_per_atom", "uuid", "origin"}.
    """
    from workflows.engines import get_engine
    from workflows.execution import find_result
    from workflows.flows.calc import CalcMaker
    from workflows.reference_entries import input_key, usable_shipped

    cell = bulk_cell(name)
    eng = get_engine(engine)
    found = find_result(store, CalcMaker(engine=eng.spec, kind="relax", target="bulk").fingerprint(cell))
    if found:
        relaxed = Structure.from_dict(found["output"]["structure"])
        energy, uuid, origin = found["output"]["energy_per_atom"], found["uuid"], "stored"
    else:
        shipped = usable_shipped(eng)
        item = shipped.relaxed.get(input_key(cell, "relax", eng.identity())) if shipped else None
        if item is None:
            return None
        relaxed = Structure.from_dict(item["structure"])
        energy, uuid, origin = item["energy"] / len(relaxed), None, "shipped"
    return {"structure": conventional_bulk(name, relaxed), "primitive": relaxed, "energy_per_atom": energy,
            "uuid": uuid, "origin": origin}
