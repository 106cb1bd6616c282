"""A folder of CIFs as an imported reference set (``ssbi reference import DIR``): each structure relaxed with the
chosen engine through the reference-build path (CalcMaker, worker processes, a checkpoint), saved with its
provenance by :mod:`ssbi.workflows.store.imported`."""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from pymatgen.core import Structure
from pymatgen.entries.computed_entries import ComputedStructureEntry

from ssbi.interfaces.errors import InputError, StructureReadError
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.run.reference_build import CalcTask, _run_all
from ssbi.workflows.store.imported import _sha256, complete_elements, imported_dir, imported_path, save_imported


def read_cif_folder(folder) -> dict:
    """Stem -> structure of every CIF of ``folder``; one line for an empty folder, an unreadable CIF or a missing
    elemental phase (before anything is computed)."""
    folder = Path(folder)
    files = sorted(folder.glob("*.cif"))
    if not files:
        raise InputError(f"{folder} holds no .cif files")
    structures = {}
    for f in files:
        try:
            structures[f.stem] = Structure.from_file(f)
        except Exception as exc:  # noqa: BLE001 - any unreadable CIF: one line, nothing computed
            raise StructureReadError(f"{f.name}: not a readable CIF ({str(exc).splitlines()[0][:120]})") from None
    complete_elements([ComputedStructureEntry(s, 0.0) for s in structures.values()], str(folder))
    return structures


def import_cif_folder(folder, engine: str, name: Optional[str] = None, workers: int = 1, force: bool = False,
                      progress: Callable[[str, int, int], None] = lambda *a: None) -> tuple[Path, dict]:
    """Every CIF of ``folder`` relaxed with ``engine`` (the reference-build path: CalcMaker, one process per worker,
    a checkpoint), saved as an imported set on the engine's energy scale."""
    structures = read_cif_folder(folder)
    folder = Path(folder)
    eng = get_engine(engine)
    eng.check()
    name = name or folder.name
    if imported_path(name).exists() and not force:
        raise InputError(f"an imported set {name!r} exists ({imported_path(name)}): choose another --name or give "
                         "--force")
    checkpoint = imported_dir() / f"{name}.partial.jsonl"
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    tasks = [(CalcTask("relax", stem, "import", s.as_dict(), check_volume=True), stem) for stem, s in
             structures.items()]
    done = _run_all(eng.name, tasks, workers, checkpoint, progress, tempfile.mkdtemp(prefix="ssbi-import-"))
    entries = []
    for stem in structures:
        out = done[("relax", stem, stem)]
        entries.append(ComputedStructureEntry(
            Structure.from_dict(out["structure"]), out["energy"], entry_id=f"import:{name}:{stem}",
            parameters={"energy_scale": eng.energy_scale, "engine": eng.name, "engine_version": eng.known_version(),
                        "origin": "import", "source_file": f"{stem}.cif"},
            data={"material": stem, "volume_check": out.get("volume_check")}))
    provenance = {"kind": "cifs", "source": str(folder.resolve()), "sha256": _sha256(folder),
                  "imported_at": datetime.now(timezone.utc).isoformat(), "energy_scale": eng.energy_scale,
                  "engine": eng.name, "engine_identity": eng.identity(),
                  "elements": sorted({el.symbol for s in structures.values() for el in s.composition.elements}),
                  "n_entries": len(entries)}
    path = save_imported(name, entries, provenance, force)
    checkpoint.unlink(missing_ok=True)
    return path, provenance
