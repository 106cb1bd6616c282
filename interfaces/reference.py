"""Reference phases: the competing phases of the hulls (``configs/reference``).

Every Materials Project structure (database 2025.02.12, CC BY 4.0) whose elements
lie in {Li, P, S, Ge, Cl, La, Zr, O, N, In}, the Li halides and halogens, and three
structures from other public sources. ``index.csv`` gives each file's id, formula,
source repository, path and commit; ``PROVENANCE.md`` the validation. These are
DFT-relaxed cells (r2SCAN where MP has one) without energies: energies come from
the project's own engines (:mod:`ssbi.workflows.store.shipped`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pymatgen.core import Element, Structure

from ssbi.configs.settings import settings
from ssbi.interfaces.errors import InputError, StructureReadError


def reference_dir() -> Path:
    """Folder of the reference set (settings ``reference_dir``, SSBI_REFERENCE_DIR, overrides)."""
    current = settings()
    return Path(current.reference_dir) if current.reference_dir else Path(current.config_dir) / "reference"


@dataclass(frozen=True)
class ReferencePhase:
    """One reference structure and where it came from."""

    id: str
    formula: str
    chemsys: str
    nsites: int
    spacegroup: str
    file: str
    source_repo: str
    source_path: str
    commit: str
    database: str
    licence: str
    note: str = ""

    @property
    def elements(self) -> frozenset[str]:
        return frozenset(self.chemsys.split("-"))

    def path(self) -> Path:
        return reference_dir() / self.file

    def provenance(self) -> str:
        return f"{self.database}; {self.source_repo} {self.source_path} @{self.commit[:10]}"


@lru_cache(maxsize=4)
def _index(folder: str) -> dict[str, ReferencePhase]:
    path = Path(folder) / "index.csv"
    if not path.is_file():
        raise InputError(f"the reference set has no index: {path} is missing")
    out = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["id"]] = ReferencePhase(
                id=row["id"], formula=row["formula"], chemsys=row["chemsys"], nsites=int(row["nsites"]),
                spacegroup=row["spacegroup"], file=row["file"], source_repo=row["source_repo"],
                source_path=row["source_path"], commit=row["commit"], database=row["database"],
                licence=row["licence"], note=row.get("note", ""))
    return out


def reference_index() -> dict[str, ReferencePhase]:
    """Every reference phase by id."""
    return _index(str(reference_dir()))


def get_reference(ref_id: str) -> ReferencePhase:
    """One reference phase by id (``mp-641703``); one-line error for an unknown id."""
    index = reference_index()
    if ref_id not in index:
        raise InputError(f"unknown reference phase {ref_id!r}: not in {reference_dir() / 'index.csv'}")
    return index[ref_id]


def reference_phases(elements: Iterable[str]) -> list[ReferencePhase]:
    """Reference phases made only of ``elements`` (every subsystem), sorted by id."""
    allowed = {Element(str(e)).symbol for e in elements}
    return sorted((p for p in reference_index().values() if p.elements <= allowed), key=lambda p: p.id)


def reference_elements() -> set[str]:
    """Elements for which the reference set holds phases."""
    return {el for p in reference_index().values() for el in p.elements}


@lru_cache(maxsize=2048)
def _read(path: str) -> Structure:
    return Structure.from_file(path)


def reference_structure(ref_id: str) -> Structure:
    """The structure of a reference phase as stored (a copy); one line naming the file if it cannot be read."""
    phase = get_reference(ref_id)
    path = phase.path()
    if not path.is_file():
        raise StructureReadError(f"reference phase {ref_id}: {path} is missing")
    try:
        structure = _read(str(path))
    except Exception as exc:  # noqa: BLE001 - any parser failure is one line naming the file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StructureReadError(f"reference phase {ref_id}: cannot read {path}: {reason}") from None
    if len(structure) == 0:
        raise StructureReadError(f"reference phase {ref_id}: {path} holds no atoms")
    if structure.composition.reduced_formula != phase.formula:
        raise StructureReadError(f"reference phase {ref_id}: {path} holds {structure.composition.reduced_formula}, "
                                 f"the index says {phase.formula}")
    return structure.copy()
