"""Where phase-diagram entries come from, and which phases a chemical system has.

Entries come from the results store (plus the engine's shipped reference entries), a JSON file, or Materials
Project. Every entry leaves here with ``parameters["energy_scale"]`` (mp2020 or raw-gga) and
``parameters["engine"]``, and with ``entry_id`` pointing back to its source. Functions of one engine's entries take
the resolved :class:`~ssbi.workflows.engines.base.Engine`.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Iterable, Optional

from monty.json import MontyDecoder
from pymatgen.core import Composition, Element, Structure
from pymatgen.entries.computed_entries import ComputedEntry, ComputedStructureEntry

from ssbi.interfaces.analysis.hull import entries_in_chemsys
from ssbi.interfaces.analysis.scales import ENERGY_SCALES
from ssbi.interfaces.errors import InputError
from ssbi.interfaces.materials import get_material, list_materials
from ssbi.interfaces.phase_status import known_phases, phase_status
from ssbi.interfaces.reference import reference_index, reference_phases
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.store.lookup import bulk_cell
from ssbi.workflows.store.shipped import input_key, load_shipped, usable_shipped

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


def library_phases(chemsys) -> list[str]:
    """Library materials made only of the elements of ``chemsys``."""
    elements = set(elements_of(chemsys))
    return [m.name for m in list_materials() if m.has_structure
            and {el.symbol for el in Composition(m.formula).elements} <= elements]


def library_element(name: str) -> Optional[str]:
    """The element of an elemental library phase, else None."""
    comp = Composition(get_material(name).formula)
    return comp.elements[0].symbol if comp.is_element else None


def has_elemental_phase(element: str) -> bool:
    """Whether the reference set or the library holds a phase of the pure element."""
    return any(len(p.elements) == 1 for p in reference_phases([element])) or any(
        library_element(m.name) == element for m in list_materials())


def missing_element_hint(element: str) -> str:
    """What to add when no phase of the reference set or library contains ``element`` (the hull would be
    incomplete), and which engines can compute it."""
    from ssbi.workflows.engines.elements import engine_support  # lazy: an MLIP's species list

    return (f"{element} has no reference phases (no hull without them): add its elemental phase and its compounds, "
            f"e.g. `ssbi materials add {element}.cif --name {element} --reference \"...\"`, or import a phase set "
            f"(`ssbi reference import`); {engine_support(element)}")


def unsupported_hint(engine, elements: Iterable[str]) -> str:
    """One line when ``engine`` cannot compute some of ``elements``, else ""."""
    from ssbi.workflows.engines.elements import engine_support, unsupported  # lazy: an MLIP's species list

    missing = unsupported(engine.name, elements)
    if not missing:
        return ""
    return f"{engine.name} cannot compute {', '.join(missing)} (not among its species); {engine_support(missing[0])}"


def entry_from_calc(doc: dict) -> ComputedEntry:
    """A stored CalcDoc (bulk relaxation) as an entry; ``entry_id`` is its result uuid.

    With the structure in the document: a ComputedStructureEntry; without it (a
    query that skipped it, as the builder's does): a ComputedEntry of the cell's
    composition.
    """
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


def _accepted(doc: dict) -> bool:
    check = doc["output"].get("volume_check")
    return check is None or bool(check.get("accepted", True))


def coverage_gap(store, elements: Iterable[str], engine, entries: list) -> str:
    """Why the entries of ``elements`` are not a complete hull, or "" when they are: every element needs an
    elemental phase, and the system's phase set must be shipped for the engine or computed in the store
    (a phase-set run of the system or of a larger one)."""
    elements = set(elements_of(elements))
    have = {e.composition.elements[0].symbol for e in entries if e.composition.is_element}
    cannot = unsupported_hint(engine, elements)
    if cannot:
        return cannot
    for el in sorted(elements - have):
        if not has_elemental_phase(el):
            return missing_element_hint(el)
    if elements <= have and any(elements <= system for system in covered_systems(store, engine)):
        return ""
    shipped = usable_shipped(engine)
    system, name = "-".join(sorted(elements)), engine.name
    return (f"the {system} phase set has not been computed with {name} (shipped systems: "
            f"{', '.join(shipped.systems) if shipped else 'none'}): run `ssbi phase-diagram {system} --engine {name}`")


def covered_systems(store, engine) -> list[set[str]]:
    """Chemical systems whose phase set is complete for ``engine``: shipped, or run in this store."""
    shipped = usable_shipped(engine)
    out = [set(s.split("-")) for s in (shipped.systems if shipped else [])]
    out += [set(d["output"]["chemsys"].split("-"))
            for d in store.query({"output.kind": "phase_diagram", "output.engine": engine.name},
                                 properties=["output.chemsys"])]
    return out


def with_shipped(stored: list, engine, elements: Optional[Iterable[str]] = None, structures: bool = False) -> list:
    """``stored`` entries plus the engine's shipped reference entries (within ``elements``) whose phase
    (reference id or library name) has no stored relaxation; shipped ones are used only when they were made
    with the running engine's model and settings."""
    shipped = usable_shipped(engine)
    if shipped is None:
        return stored
    labels = {(e.data or {}).get("material") for e in stored}
    current = current_library_keys(engine)
    index = reference_index()

    def valid(e) -> bool:
        """A reference phase still in the set, or a library phase whose structure is the shipped one."""
        if e.data["origin"] == "library":
            return current.get(e.data["material"]) == e.data["fingerprint"]
        return e.data["material"] in index

    return stored + [e for e in shipped.relaxed_entries(elements, structures=structures)
                     if e.data["material"] not in labels and valid(e)]


def current_library_keys(engine) -> dict[str, str]:
    """Library name -> input key of its relaxation today (a shipped library entry counts only if it matches)."""
    return _library_keys(engine.name, json.dumps(engine.identity(), sort_keys=True, default=str),
                         tuple(sorted((m.name, str(m.structure_path())) for m in list_materials() if m.has_structure)))


@lru_cache(maxsize=4)
def _library_keys(engine: str, identity: str, names: tuple) -> dict[str, str]:
    out = {}
    for name, _ in names:
        try:
            out[name] = input_key(bulk_cell(name), "relax", json.loads(identity))
        except Exception:  # noqa: BLE001 - an entry that cannot be loaded has no shipped counterpart
            continue
    return out


def entries_from_store(store, elements: Iterable[str], engine, shipped: bool = True,
                       known_only: bool = False) -> list[ComputedEntry]:
    """Bulk relaxations by ``engine`` of every phase within ``elements`` (newest per structure), without those
    the volume check rejected, plus the shipped reference entries of the engine (``shipped``); ``known_only``:
    without the curated hypothetical phases (:mod:`ssbi.interfaces.phase_status`)."""
    elements = list(elements)
    criteria = {"output.kind": "relax", "output.target": "bulk", "output.engine.name": engine.name,
                "output.chemsys": {"$in": subsystems(elements)}}
    seen, out = set(), []
    for doc in store.query(criteria, sort={"completed_at": -1}, load=True):
        fp = doc["output"]["fingerprint"]
        if fp not in seen:
            seen.add(fp)
            if _accepted(doc):
                out.append(entry_from_calc(doc))
    out = with_shipped(out, engine, elements, structures=True) if shipped else out
    return known_phases(out) if known_only else out


def rejected_relaxations(store, elements: Iterable[str], engine) -> list[dict]:
    """Relaxations within ``elements`` that the volume check keeps out of the hull (stored and shipped)."""
    elements = list(elements)
    criteria = {"output.kind": "relax", "output.target": "bulk", "output.engine.name": engine.name,
                "output.chemsys": {"$in": subsystems(elements)}, "output.volume_check.accepted": False}
    rows = [{"label": (d["output"].get("materials") or ["?"])[0], "formula": d["output"]["formula"],
             "origin": "stored", **d["output"]["volume_check"]}
            for d in store.query(criteria, properties=["output.materials", "output.formula", "output.volume_check"])]
    shipped = usable_shipped(engine)
    if shipped is not None:
        allowed = set(elements)
        stored = {r["label"] for r in rows}
        for item in shipped.relaxed.values():
            check = item.get("volume_check") or {}
            if check.get("accepted", True) or item["label"] in stored:
                continue
            if {el.symbol for el in Composition(item["composition"]).elements} <= allowed:
                rows.append({"label": item["label"], "formula": item["formula"], "origin": "shipped", **check})
    return sorted(rows, key=lambda r: r["label"])


def entries_from_file(path, scale: Optional[str] = None) -> list[ComputedEntry]:
    """Entries from a JSON list of pymatgen ComputedEntry / ComputedStructureEntry dicts.

    Entries without ``energy_scale`` get ``scale`` (say which: Materials Project
    exports are mp2020); without it they are refused.
    """
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


def load_entries(source: str, elements: Iterable[str], engine=None, store=None,
                 file: Optional[str] = None, file_scale: Optional[str] = None,
                 systems: Optional[list] = None, known_only: bool = False) -> list[ComputedEntry]:
    """Entries within ``elements`` from ``source`` (store | file | mp).

    ``engine``: the resolved engine of the store source. ``systems``: the chemical systems the question needs
    (each must have a complete phase set in the store source); default: ``elements`` as one system.
    ``known_only``: without the curated hypothetical phases.
    """
    elements = elements_of(elements)
    if source == "store":
        if store is None:
            raise InputError("the store source needs a store")
        entries = entries_from_store(store, elements, engine)
        for system in systems or [elements]:
            gap = coverage_gap(store, system, engine, entries)
            if gap:
                raise InputError(gap)
    elif source == "file":
        if not file:
            raise InputError("the file source needs a file (--entries FILE.json)")
        entries = entries_in_chemsys(entries_from_file(file, file_scale), elements)
    elif source == "mp":
        entries = entries_from_mp(elements)
    else:
        raise InputError(f"unknown entry source {source!r}; choose one of: {', '.join(SOURCES)}")
    return known_phases(entries) if known_only else entries


def reference_rows(chemsys: Optional[str] = None, engine: str = "chgnet") -> tuple[list[dict], str]:
    """The reference phases (within ``chemsys``, else all) with ``engine``'s shipped energies per atom (single point,
    relaxed) and the relaxation's volume verdict; and a line on the shipped set (its systems, and whether the
    running engine can use it)."""
    phases = (reference_phases(elements_of(chemsys)) if chemsys
              else sorted(reference_index().values(), key=lambda p: p.id))
    shipped = load_shipped(engine)
    relaxed = {i["label"]: i for i in shipped.relaxed.values()} if shipped else {}
    screened = {i["label"]: i for i in shipped.screened.values()} if shipped else {}
    rows = [{"id": p.id, "formula": p.formula, "spacegroup": p.spacegroup, "sites": p.nsites,
             "single_point": (screened.get(p.id) or {}).get("energy_per_atom"),
             "relaxed": (relaxed.get(p.id) or {}).get("energy_per_atom"),
             "volume_check": (relaxed.get(p.id) or {}).get("volume_check"), "database": p.database,
             "status": phase_status(p.id, p.formula).status} for p in phases]
    note = ""
    if shipped:
        eng = get_engine(engine)
        usable = shipped.version_note(eng) if shipped.matches(eng) else "made with other settings: not used"
        note = (f"shipped {engine} entries: {len(shipped.screened)} single points, {len(shipped.relaxed)} "
                f"relaxations, systems {', '.join(shipped.systems)}{'; ' + usable if usable else ''}")
    return rows, note
