"""Queries over stored results. Filters are built only from validated values (no raw operators)."""

from __future__ import annotations

from typing import Optional

from jobflow import JobStore
from pymatgen.core import Composition

from interfaces.errors import InputError
from workflows.engines import TARGETS, engine_names
from workflows.execution import CALC_KINDS


def _formula(value: str) -> str:
    try:
        comp = Composition(value)
    except Exception:  # noqa: BLE001 - pymatgen raises several kinds
        raise InputError(f"not a chemical formula: {value!r}") from None
    if not comp.valid:
        raise InputError(f"not a chemical formula: {value!r}")
    return comp.reduced_formula


def _choice(value: str, allowed, label: str) -> str:
    if value not in allowed:
        raise InputError(f"unknown {label} {value!r}; choose one of: {', '.join(allowed)}")
    return value


def calc_criteria(formula: Optional[str] = None, material: Optional[str] = None, engine: Optional[str] = None,
                  kind: Optional[str] = None, target: Optional[str] = None) -> dict:
    """Mongo criteria for CalcDocs; every value is checked and matched by equality."""
    from interfaces.materials import get_material

    criteria: dict = {"output.kind": {"$in": list(CALC_KINDS)}}
    if kind:
        criteria["output.kind"] = _choice(kind, CALC_KINDS, "kind")
    if formula:
        criteria["output.formula"] = _formula(formula)
    if material:
        criteria["output.materials"] = get_material(material).name
    if engine:
        criteria["output.engine.name"] = _choice(engine.lower(), engine_names(), "engine")
    if target:
        criteria["output.target"] = _choice(target, TARGETS, "target")
    return criteria


def calc_rows(store: JobStore, **filters) -> list[dict]:
    """One flat row per stored calculation, newest first."""
    rows = []
    props = ["uuid", "completed_at", "output.materials", "output.formula", "output.kind", "output.target",
             "output.n_atoms", "output.energy", "output.energy_per_atom", "output.engine"]
    for doc in store.query(calc_criteria(**filters), properties=props, sort={"completed_at": -1}, load=False):
        out = doc["output"]
        rows.append({"id": doc["uuid"], "material": ",".join(out.get("materials", [])), "formula": out["formula"],
                     "kind": out["kind"], "target": out["target"], "atoms": out["n_atoms"],
                     "energy_eV": out["energy"], "eV_per_atom": out["energy_per_atom"],
                     "engine": out["engine"]["name"], "scale": out["engine"]["energy_scale"],
                     "completed": str(doc.get("completed_at", ""))[:19]})
    return rows
