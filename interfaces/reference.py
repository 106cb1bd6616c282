"""Reference phases: the competing phases of the hulls (``configs/reference``).

Every Materials Project structure (database 2025.02.12, CC BY 4.0) whose elements
lie in {Li, P, S, Ge, Cl, La, Zr, O, N, In} (one CIF each in ``structures/``), those
elements plus exactly one of I, Br, F, Sn, Si, Mg, Al, Ag, Au, B, C, Nb, Ta (the
extended set, one LZMA zip ``structures-ext.zip``, so the wheel stays lean), and three
structures from other public sources. ``index.csv`` gives each file's id, formula,
source repository, path and commit; ``PROVENANCE.md`` the validation. These are
DFT-relaxed cells (r2SCAN where MP has one) without energies: energies come from
the project's own engines (:mod:`ssbi.workflows.store.shipped`).
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

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
        """The file, or for a member of an archive (``structures-ext.zip/mp-117.cif``) the archive."""
        archive, _ = _split_member(self.file)
        return reference_dir() / (archive or self.file)

    def exists(self) -> bool:
        archive, member = _split_member(self.file)
        if archive is None:
            return self.path().is_file()
        return self.path().is_file() and member in _members(str(self.path()))

    def read_text(self) -> str:
        """The CIF text, from its own file or from the archive that holds it."""
        archive, member = _split_member(self.file)
        if archive is None:
            return self.path().read_text()
        with zipfile.ZipFile(self.path()) as zf:
            return zf.read(member).decode()

    def provenance(self) -> str:
        return f"{self.database}; {self.source_repo} {self.source_path} @{self.commit[:10]}"


ARCHIVE_SUFFIX = ".zip/"


def _split_member(file: str) -> tuple[Optional[str], str]:
    """``structures-ext.zip/mp-117.cif`` -> (``structures-ext.zip``, ``mp-117.cif``); a plain file -> (None, file)."""
    if ARCHIVE_SUFFIX in file:
        archive, member = file.split(ARCHIVE_SUFFIX, 1)
        return archive + ".zip", member
    return None, file


@lru_cache(maxsize=4)
def _members(archive: str) -> frozenset[str]:
    with zipfile.ZipFile(archive) as zf:
        return frozenset(zf.namelist())


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
def _read(ref_id: str, folder: str) -> Structure:
    text = get_reference(ref_id).read_text()
    return Structure.from_str(text, fmt="cif")


def reference_structure(ref_id: str) -> Structure:
    """The structure of a reference phase as stored (a copy); one line naming the file if it cannot be read."""
    phase = get_reference(ref_id)
    path = reference_dir() / phase.file
    if not phase.exists():
        raise StructureReadError(f"reference phase {ref_id}: {path} is missing")
    try:
        structure = _read(ref_id, str(reference_dir()))
    except Exception as exc:  # noqa: BLE001 - any parser failure is one line naming the file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StructureReadError(f"reference phase {ref_id}: cannot read {path}: {reason}") from None
    if len(structure) == 0:
        raise StructureReadError(f"reference phase {ref_id}: {path} holds no atoms")
    if structure.composition.reduced_formula != phase.formula:
        raise StructureReadError(f"reference phase {ref_id}: {path} holds {structure.composition.reduced_formula}, "
                                 f"the index says {phase.formula}")
    return structure.copy()
