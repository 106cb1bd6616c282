"""Where phase-diagram entries come from: the results store, a JSON file, or Materials Project.

Every entry leaves here with ``parameters["energy_scale"]`` (mp2020 or raw-gga) and
``parameters["engine"]``, and with ``entry_id`` pointing back to its source.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from typing import Iterable, Optional

from pymatgen.core import Element, Structure
from pymatgen.entries.computed_entries import ComputedEntry, ComputedStructureEntry

from interfaces.analysis.scales import ENERGY_SCALES
from interfaces.errors import InputError

SOURCES = ("store", "file", "mp")


def elements_of(chemsys) -> list[str]:
    """Validated element symbols of 'Li-P-S', ['Li', 'P'] or a formula's elements."""
    parts = chemsys.split("-") if isinstance(chemsys, str) else [str(e) for e in chemsys]
    out = []
    for symbol in parts:
        try:
            out.append(Element(symbol.strip()).symbol)
        except ValueError:
            raise InputError(f"unknown element {symbol!r}") from None
    return sorted(set(out))


def subsystems(elements: Iterable[str]) -> list[str]:
    """Every chemical system within ``elements`` ('Li', 'Li-S', ..., 'Li-P-S')."""
    els = sorted(elements)
    return ["-".join(c) for n in range(1, len(els) + 1) for c in combinations(els, n)]


def entry_from_calc(doc: dict) -> ComputedEntry:
    """A stored CalcDoc (bulk relaxation) as an entry; ``entry_id`` is its result uuid.

    With the structure in the document: a ComputedStructureEntry; without it (a
    query that skipped it, as the builder's does): a ComputedEntry of the cell's
    composition.
    """
    from pymatgen.core import Composition

    out = doc["output"]
    engine = out["engine"]
    kwargs = dict(entry_id=doc["uuid"],
                  parameters={"energy_scale": engine["energy_scale"], "engine": engine["name"],
                              "engine_version": engine.get("version")},
                  data={"material": (out.get("materials") or [None])[0], "fingerprint": out["fingerprint"],
                        "completed_at": doc.get("completed_at")})
    if "structure" in out:
        return ComputedStructureEntry(Structure.from_dict(out["structure"]), out["energy"], **kwargs)
    unit = Composition(out["formula"])
    return ComputedEntry(unit * (out["n_atoms"] / unit.num_atoms), out["energy"], **kwargs)


def entries_from_store(store, elements: Iterable[str], engine: str) -> list[ComputedStructureEntry]:
    """Bulk relaxations by ``engine`` of every phase within ``elements`` (newest per structure)."""
    criteria = {"output.kind": "relax", "output.target": "bulk", "output.engine.name": engine,
                "output.chemsys": {"$in": subsystems(elements)}}
    seen, out = set(), []
    for doc in store.query(criteria, sort={"completed_at": -1}, load=True):
        fp = doc["output"]["fingerprint"]
        if fp not in seen:
            seen.add(fp)
            out.append(entry_from_calc(doc))
    return out


def entries_from_file(path, scale: Optional[str] = None) -> list[ComputedEntry]:
    """Entries from a JSON list of pymatgen ComputedEntry / ComputedStructureEntry dicts.

    Entries without ``energy_scale`` get ``scale`` (say which: Materials Project
    exports are mp2020); without it they are refused.
    """
    from monty.json import MontyDecoder

    path = Path(path)
    if not path.is_file():
        raise InputError(f"entry file {path} does not exist")
    try:
        raw = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"entry file {path} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if isinstance(raw, dict) and "entries" in raw:
        raw = raw["entries"]
    if not isinstance(raw, list) or not raw:
        raise InputError(f"entry file {path} holds no entries (expected a JSON list of ComputedEntry dicts)")
    entries = []
    for i, item in enumerate(raw):
        try:
            entry = MontyDecoder().process_decoded(item)
        except Exception as exc:  # noqa: BLE001 - any malformed entry
            raise InputError(f"entry {i} of {path} is not a pymatgen entry: {exc}") from None
        if not isinstance(entry, ComputedEntry):
            raise InputError(f"entry {i} of {path} is not a ComputedEntry/ComputedStructureEntry")
        params = dict(entry.parameters or {})
        if params.get("energy_scale") not in ENERGY_SCALES:
            if scale not in ENERGY_SCALES:
                raise InputError(f"entry {i} of {path} ({entry.composition.reduced_formula}) has no energy_scale: "
                                 "give --file-scale mp2020 (Materials Project exports) or raw-gga")
            params["energy_scale"] = scale
        params.setdefault("engine", "file")
        entry.parameters = params
        entry.entry_id = entry.entry_id or f"{path.name}:{i}"
        entries.append(entry)
    return entries


def entries_from_mp(elements: Iterable[str]) -> list[ComputedEntry]:
    """Materials Project entries (mp2020 scale) through ``mp-api``; needs MP_API_KEY and the network."""
    import os

    try:
        from mp_api.client import MPRester
    except ImportError:
        raise InputError("Materials Project source needs mp-api: pip install 'ssb-interfaces[mp]'") from None
    key = os.environ.get("MP_API_KEY") or os.environ.get("PMG_MAPI_KEY")
    if not key:
        raise InputError("Materials Project source needs an API key: set MP_API_KEY") from None
    try:
        with MPRester(key) as mpr:
            entries = mpr.get_entries_in_chemsys(list(elements))
    except Exception as exc:  # noqa: BLE001 - network, auth, server errors
        raise InputError(f"Materials Project query failed: {str(exc).splitlines()[0][:160]}") from None
    for entry in entries:
        entry.parameters = {**(entry.parameters or {}), "energy_scale": "mp2020", "engine": "materials-project"}
    return entries


def load_entries(source: str, elements: Iterable[str], engine: str = "chgnet", store=None,
                 file: Optional[str] = None, file_scale: Optional[str] = None) -> list[ComputedEntry]:
    """Entries within ``elements`` from ``source`` (store | file | mp)."""
    from interfaces.analysis.hull import entries_in_chemsys

    elements = elements_of(elements)
    if source == "store":
        if store is None:
            raise InputError("the store source needs a store")
        entries = entries_from_store(store, elements, engine)
        if not entries:
            raise InputError(f"no {engine} bulk relaxations for {'-'.join(elements)} in the store: run "
                             f"`ssbi phase-diagram {'-'.join(elements)} --engine {engine}` first")
    elif source == "file":
        if not file:
            raise InputError("the file source needs a file (--entries FILE.json)")
        entries = entries_in_chemsys(entries_from_file(file, file_scale), elements)
    elif source == "mp":
        entries = entries_from_mp(elements)
    else:
        raise InputError(f"unknown entry source {source!r}; choose one of: {', '.join(SOURCES)}")
    return entries
