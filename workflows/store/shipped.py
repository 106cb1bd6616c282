"""Shipped reference entries: an engine's phase set computed once and shipped with the project.

``configs/reference/entries/<engine>.json.gz`` holds, for the systems in
``configs/reference/systems.yaml``, the single point of every reference structure
and the relaxations the phase-set selection chose (reference phases and library
phases): relaxed structure, energy, volume verdict, and the engine's version and
settings. ``ssbi reference build --engine chgnet`` regenerates it through the same
Makers the flows use.

A shipped item is used when the running engine has the same identity (name, model,
energy scale and settings: :meth:`Engine.identity`) and the item's input cell is
the one the flow would compute (its fingerprint). Anything else is computed.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from pymatgen.core import Composition, Element, Structure

from ssbi.configs.settings import settings
from ssbi.interfaces.errors import InputError
from ssbi.workflows.paths import CONFIG_DIR
from ssbi.workflows.store.identity import calc_fingerprint

ENTRIES_DIR = CONFIG_DIR / "reference" / "entries"
SYSTEMS_FILE = CONFIG_DIR / "reference" / "systems.yaml"
FORMAT_VERSION = 1


def input_key(structure: Structure, kind: str, identity: dict) -> str:
    """Identity of a bulk calculation for matching shipped items (engine identity, not package version)."""
    return calc_fingerprint(structure, kind, "bulk", identity)


@dataclass
class ShippedSet:
    """One engine's shipped phase set."""

    engine: dict
    identity: dict
    systems: list[str]
    selection: dict
    generated: str
    command: str
    screened: dict[str, dict] = field(default_factory=dict)  # input key -> item
    relaxed: dict[str, dict] = field(default_factory=dict)  # input key -> item
    path: Optional[Path] = None

    def matches(self, engine) -> bool:
        return self.identity == json.loads(json.dumps(engine.identity()))

    def version_note(self, engine) -> str:
        """Empty when the running package is the one the set was made with."""
        made, now = self.engine.get("version"), engine.known_version()
        return "" if made == now else f"shipped {self.engine['name']} entries were made with {made}; running {now}"

    def relaxed_entries(self, elements: Optional[Iterable[str]] = None, accepted_only: bool = True,
                        structures: bool = False) -> list:
        """The relaxed items as entries within ``elements``: ComputedEntry of the cell's composition, or
        ComputedStructureEntry with ``structures`` (needed to remove MP2020 corrections: peroxide vs oxide)."""
        from pymatgen.entries.computed_entries import ComputedEntry, ComputedStructureEntry

        allowed = None if elements is None else {Element(str(e)) for e in elements}
        out = []
        for key, item in self.relaxed.items():
            if accepted_only and not (item.get("volume_check") or {"accepted": True})["accepted"]:
                continue
            comp = Composition(item["composition"])
            if allowed is not None and not set(comp.elements) <= allowed:
                continue
            kwargs = dict(entry_id=f"shipped:{self.engine['name']}:{item['label']}",
                          parameters={"energy_scale": self.engine["energy_scale"], "engine": self.engine["name"],
                                      "engine_version": self.engine.get("version"), "origin": "shipped"},
                          data={"material": item["label"], "fingerprint": key,
                                "origin": item.get("origin", "reference")})
            if structures:
                out.append(ComputedStructureEntry(Structure.from_dict(item["structure"]), item["energy"], **kwargs))
            else:
                out.append(ComputedEntry(comp, item["energy"], **kwargs))
        return out


def entries_dir() -> Path:
    """Folder of the shipped entry files (settings ``reference_entries_dir``, SSBI_REFERENCE_ENTRIES_DIR, overrides,
    e.g. for tests)."""
    folder = settings().reference_entries_dir
    return Path(folder) if folder else ENTRIES_DIR


def shipped_path(engine_name: str) -> Path:
    return entries_dir() / f"{engine_name}.json.gz"


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Optional[ShippedSet]:
    try:
        with gzip.open(path, "rt") as fh:
            raw = json.load(fh)
    except (OSError, json.JSONDecodeError, EOFError) as exc:
        raise InputError(f"shipped reference entries {path} cannot be read ({exc}); regenerate them with "
                         f"`ssbi reference build`") from None
    if raw.get("format") != FORMAT_VERSION:
        raise InputError(f"shipped reference entries {path} have format {raw.get('format')!r}, not {FORMAT_VERSION}")
    return ShippedSet(engine=raw["engine"], identity=raw["identity"], systems=raw["systems"],
                      selection=raw["selection"], generated=raw["generated"], command=raw["command"],
                      screened={i["key"]: i for i in raw["screened"]}, relaxed={i["key"]: i for i in raw["relaxed"]},
                      path=Path(path))


def load_shipped(engine_name: str) -> Optional[ShippedSet]:
    """The shipped set of an engine, or None when there is none."""
    path = shipped_path(engine_name)
    if not path.is_file():
        return None
    return _load(str(path), path.stat().st_mtime)


def usable_shipped(engine) -> Optional[ShippedSet]:
    """The engine's shipped set if it was made with the same model and settings, else None."""
    shipped = load_shipped(engine.name)
    return shipped if shipped is not None and shipped.matches(engine) else None


def shipped_systems() -> list[str]:
    """The chemical systems the shipped sets cover (``configs/reference/systems.yaml``)."""
    import yaml

    return list(yaml.safe_load(SYSTEMS_FILE.read_text())["systems"])


def item_from_calc(doc: dict, label: str, origin: str, key: str) -> dict:
    """A shipped item from a CalcDoc (``output`` of a stored job document)."""
    out = doc
    item = {"key": key, "label": label, "origin": origin, "formula": out["formula"], "n_atoms": out["n_atoms"],
            "energy": out["energy"], "energy_per_atom": out["energy_per_atom"],
            "composition": Structure.from_dict(out["structure"]).composition.as_dict()
            if isinstance(out["structure"], dict) else out["structure"].composition.as_dict()}
    if out.get("cpu_seconds") is not None:
        item["cpu_seconds"] = round(float(out["cpu_seconds"]), 2)  # one thread, as `ssbi reference build` runs it
    if out["kind"] == "relax":
        structure = out["structure"] if isinstance(out["structure"], dict) else out["structure"].as_dict()
        item.update(structure=structure, volume=out["volume"], volume_check=out.get("volume_check"))
    return item


def write_shipped(path: Path, engine, systems: list[str], selection: dict, command: str,
                  screened: list[dict], relaxed: list[dict]) -> Path:
    """Write a shipped set (sorted, so that regenerating gives a stable file)."""
    from datetime import datetime, timezone

    data = {"format": FORMAT_VERSION, "engine": engine.describe(), "identity": engine.identity(),
            "systems": systems, "selection": selection, "generated": datetime.now(timezone.utc).isoformat(),
            "command": command,
            "screened": sorted(screened, key=lambda i: (i["label"], i["key"])),
            "relaxed": sorted(relaxed, key=lambda i: (i["label"], i["key"]))}
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as fh:
        json.dump(data, fh, separators=(",", ":"), default=str)
    _load.cache_clear()
    return path

