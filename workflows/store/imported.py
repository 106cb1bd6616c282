"""A user's own reference entries (``ssbi reference import``): a pymatgen ComputedStructureEntry JSON (what
``mp-api``'s ``get_entries_in_chemsys`` returns, saved with ``monty.serialization.dumpfn``) or a folder of CIFs
computed with an engine (:mod:`ssbi.workflows.run.reference_import`). Saved as one named set under ``<data_dir>/imported/<name>.json``: the entries, each with
its energy scale, engine and origin, and the set's provenance (source path and sha256, when, the command). A set is
used as the whole phase set of a question (``--entries NAME``), never mixed with another engine's energies.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from monty.json import MontyEncoder

from ssbi.interfaces.analysis.scales import ENERGY_SCALES, common_scale
from ssbi.interfaces.errors import InputError
from ssbi.workflows.paths import data_dir
from ssbi.workflows.store.entries import entries_from_file

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_MP_ID = re.compile(r"^(mp-\d+|mvc-\d+)")


def imported_dir() -> Path:
    return data_dir() / "imported"


def imported_path(name: str) -> Path:
    return imported_dir() / f"{name}.json"


def resolve_entries(source: str) -> str:
    """The file of an ``--entries`` value: an imported set's name, else the path as given."""
    if _NAME.match(source) and imported_path(source).is_file() and not Path(source).is_file():
        return str(imported_path(source))
    return source


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.rglob("*.cif")) if path.is_dir() else [path]:
        h.update(f.read_bytes())
    return h.hexdigest()


def complete_elements(entries: list, where: str) -> list[str]:
    """The set's elements; one line when an element has no elemental entry (the hull would be incomplete)."""
    elements = sorted({el.symbol for e in entries for el in e.composition.elements})
    have = {e.composition.elements[0].symbol for e in entries if e.composition.is_element}
    missing = [el for el in elements if el not in have]
    if missing:
        raise InputError(f"{where} has no entry of elemental {', '.join(missing)}: the hull would be incomplete")
    return elements


def save_imported(name: str, entries: list, provenance: dict, force: bool) -> Path:
    if not _NAME.match(name):
        raise InputError(f"set name {name!r}: letters, digits, '.', '_' and '-' only")
    path = imported_path(name)
    if path.exists() and not force:
        raise InputError(f"an imported set {name!r} exists ({path}): choose another --name or give --force")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"name": name, "provenance": provenance, "entries": [e.as_dict() for e in entries]}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, cls=MontyEncoder))
    tmp.replace(path)
    return path


def import_entries_file(path, name: Optional[str] = None, scale: Optional[str] = None,
                        force: bool = False) -> tuple[Path, dict]:
    """A ComputedEntry/ComputedStructureEntry JSON as an imported set. Entries keep a scale they state; the others
    get ``scale`` (Materials Project's entries are on the MP2020 scale: ``get_entries_in_chemsys`` applies it)."""
    path = Path(path)
    entries = entries_from_file(path, scale)
    scale_used = common_scale(entries)
    elements = complete_elements(entries, str(path))
    for e in entries:
        ref = _MP_ID.match(str(e.entry_id or ""))
        e.data = {**(e.data or {}), "material": (e.data or {}).get("material") or (ref.group(1) if ref else
                                                                                   e.entry_id)}
        e.parameters = {**e.parameters, "engine": e.parameters.get("engine") if e.parameters.get("engine") not in
                        (None, "file") else f"imported:{name or path.stem}", "origin": "import"}
    run_types = sorted({str((e.parameters or {}).get("run_type")) for e in entries if (e.parameters or {}).get(
        "run_type")})
    provenance = {"kind": "entries", "source": str(path.resolve()), "sha256": _sha256(path),
                  "imported_at": datetime.now(timezone.utc).isoformat(), "energy_scale": scale_used,
                  "engine": entries[0].parameters["engine"], "elements": elements, "n_entries": len(entries),
                  "run_types": run_types}
    return save_imported(name or path.stem, entries, provenance, force), provenance


def list_imported() -> list[dict]:
    """Name and provenance of every imported set."""
    out = []
    for path in sorted(imported_dir().glob("*.json")) if imported_dir().is_dir() else []:
        try:
            raw = json.loads(path.read_text())
        except json.JSONDecodeError:
            continue
        out.append({"name": raw.get("name", path.stem), **raw.get("provenance", {})})
    return out


def check_scale(scale: Optional[str]) -> Optional[str]:
    if scale is not None and scale not in ENERGY_SCALES:
        raise InputError(f"unknown energy scale {scale!r}: one of {', '.join(ENERGY_SCALES)}")
    return scale

