"""The curated materials library (``configs/materials``) and structure loading.

Each material is one YAML file (metadata plus published crystallography) and, in
``structures/``, the structures made from it by ``ssbi materials curate``:

- ``NAME.parent.cif``: the published cell as written (may be partially occupied);
- ``NAME.cif``: the ordered structure at the experimental lattice (for a disordered
  phase, the chosen ordered approximant);
- ``NAME.chgnet.cif``: the same after a CHGNet relaxation (primitive cell);
- ``NAME.provenance.json``: how the two above were made.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ssbi.configs.settings import settings
from ssbi.interfaces.errors import InputError, MaterialNotFoundError, StructureReadError

if TYPE_CHECKING:
    from pymatgen.core import Structure

# the library's index (names, aliases, formulas, roles) is read without pymatgen, which structures import when built,
# so that looking a name up (`ssbi query --material`) starts fast
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

VARIANTS = ("experimental", "chgnet", "parent")
STRUCTURE_SUFFIXES = (".cif", ".json", ".vasp", ".poscar", ".xyz", ".extxyz", ".traj")


def library_dir() -> Path:
    """Folder new library entries are written to: the user's own (settings ``user_materials_dir``), else the
    library itself (``materials_dir``, SSBI_MATERIALS_DIR, else the packaged one)."""
    current = settings()
    if current.user_materials_dir:
        return Path(current.user_materials_dir)
    return library_dirs()[0]


def library_dirs() -> list[Path]:
    """The library's folders in the order they are read (a later entry of the same name wins): the library
    (settings ``materials_dir``, else the packaged ``configs/materials``), then ``user_materials_dir``."""
    current = settings()
    folders = [Path(current.materials_dir) if current.materials_dir else Path(current.config_dir) / "materials"]
    if current.user_materials_dir:
        folders.append(Path(current.user_materials_dir))
    return folders


@dataclass
class Material:
    """One library entry: metadata and published crystallography."""

    name: str
    formula: str
    roles: list[str]
    crystallography: dict[str, Any] | None  # None: a glass (or any phase) known by composition only
    source: dict[str, Any]
    description: str = ""
    aliases: list[str] = field(default_factory=list)
    ordering: dict[str, Any] | None = None
    positions_quality: str = "published"
    van_der_waals: bool = False
    molecule: dict[str, Any] | None = None  # molecular solid: {species, bond_cutoff (Å), size (atoms)}
    layered: bool = False  # vdW-bonded layers rather than molecules (black P, GeS)
    # published (measured) cell when the positions come from a DFT reference structure: the volume check
    # compares the relaxed cell with it ({a, b, c, alpha, beta, gamma, atoms, reference})
    experimental_cell: dict[str, Any] | None = None
    glass: bool = False  # a glass or glass-ceramic (75Li2S-25P2S5, LiPON): no crystal structure, by composition
    # energy above the hull (eV/atom) of a phase known by composition only, when the user knows it; None: unknown
    e_above_hull: float | None = None
    folder: str | None = field(default=None, repr=False, compare=False)  # the library folder it was read from

    @property
    def has_structure(self) -> bool:
        return self.crystallography is not None

    @property
    def kind(self) -> str:
        return "glass" if self.glass else ("crystal" if self.has_structure else "composition only")

    def no_structure(self, what: str = "adhesion, mechanics and MD") -> InputError:
        """The one-line refusal of an analysis that needs atoms, for a phase known by composition only."""
        return InputError(f"{self.name} is a {'glass' if self.glass else 'phase'} given by composition only "
                          f"({self.formula}), with no crystal structure: {what} need atoms (give a crystalline model "
                          f"with `ssbi materials add MODEL.cif --name ...`); its window and reactions come from the "
                          "hull")

    @property
    def is_disordered(self) -> bool:
        return self.has_structure and any(isinstance(s["species"], dict) for s in self.crystallography["sites"])

    def structure_path(self, variant: str = "experimental") -> Path:
        suffix = {"experimental": ".cif", "chgnet": ".chgnet.cif", "parent": ".parent.cif"}[variant]
        return Path(self.folder or library_dir()) / "structures" / f"{self.name}{suffix}"

    def parent_structure(self) -> Structure:
        """The published cell built from space group, lattice and Wyckoff sites."""
        from ssbi.interfaces.crystallography import structure_from_wyckoff  # lazy: start-up (pymatgen, spglib)

        if not self.has_structure:
            raise self.no_structure()
        return structure_from_wyckoff(self.crystallography)

    def experimental_volume_per_atom(self) -> float | None:
        """Å³/atom of the published cell, when the entry records one."""
        cell = self.experimental_cell
        if not cell:
            return None
        from pymatgen.core import Lattice

        lattice = Lattice.from_parameters(cell["a"], cell["b"], cell["c"], cell["alpha"], cell["beta"], cell["gamma"])
        return lattice.volume / cell["atoms"]

    def source_text(self) -> str:
        ids = [self.source.get("doi") and f"doi:{self.source['doi']}", self.source.get("database_id")]
        return "; ".join(i for i in ids if i) or self.source.get("reference", "")


@lru_cache(maxsize=1)
def _library(folders: tuple[str, ...]) -> dict[str, Material]:
    entries = {}
    for folder in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            data = yaml.load(path.read_text(), Loader=_YAML_LOADER)
            entries[data["name"]] = Material(**data, folder=folder)
    return dict(sorted(entries.items()))


ROLES = ("anode", "cathode", "electrolyte", "interphase", "competing")


def material_entry(
    structure: Structure,
    name: str,
    roles: list[str],
    source: dict[str, Any],
    symprec: float = 0.01,
    **fields: Any,
) -> Material:
    """A library entry for a structure (e.g. read from a CIF): its symmetrized crystallography,
    checked to rebuild the same cell, with the given name, roles and source."""
    from pymatgen.analysis.structure_matcher import StructureMatcher

    from ssbi.interfaces.crystallography import (  # lazy: start-up (pymatgen, spglib)
        crystallography_from_structure,
        structure_from_wyckoff,
    )

    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise InputError(f"invalid material name '{name}': use letters, digits, '-' or '_'")
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise InputError(f"unknown role(s) {', '.join(unknown) or '(none given)'}; allowed: {', '.join(ROLES)}")
    if not source.get("reference"):
        raise InputError("a source reference is required (who published the structure, where)")
    cryst = crystallography_from_structure(structure, symprec=symprec)
    rebuilt = structure_from_wyckoff(cryst)
    matcher = StructureMatcher(primitive_cell=True, scale=False, ltol=0.02, stol=0.05, angle_tol=1.0)
    if rebuilt.composition.reduced_composition != structure.composition.reduced_composition or not matcher.fit(structure, rebuilt):
        raise InputError(
            f"the symmetrized {cryst['spacegroup']} description of {name} does not rebuild the input structure; "
            "try a smaller --symprec"
        )
    return Material(
        name=name,
        formula=structure.composition.reduced_formula,
        roles=list(roles),
        crystallography=cryst,
        source={k: v for k, v in source.items() if v},
        positions_quality=f"as in the supplied structure, symmetrized to {cryst['spacegroup']} (symprec {symprec} Å)",
        **fields,
    )


def write_material(material: Material, folder: Path | None = None) -> Path:
    """Write a library entry as ``NAME.yaml`` (the format ``list_materials`` reads)."""
    folder = Path(folder or library_dir())
    data = {
        "name": material.name,
        "formula": material.formula,
        "aliases": material.aliases,
        "roles": material.roles,
        "description": material.description,
        "van_der_waals": material.van_der_waals,
        "layered": material.layered,
        "molecule": material.molecule,
        "positions_quality": material.positions_quality,
        "crystallography": material.crystallography,
        "source": material.source,
        "ordering": material.ordering,
    }
    if material.experimental_cell:
        data["experimental_cell"] = material.experimental_cell
    if material.glass:
        data["glass"] = True
    if material.e_above_hull is not None:
        data["e_above_hull"] = material.e_above_hull
    path = folder / f"{material.name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=120))
    refresh_library()
    return path


def refresh_library() -> None:
    """Read the library folder again on the next look-up (after entries were written or removed)."""
    _library.cache_clear()


def list_materials() -> list[Material]:
    """All library entries, sorted by name."""
    return list(_library(tuple(str(f) for f in library_dirs())).values())


def _lookup_table() -> dict[str, Material]:
    table = {}
    for mat in list_materials():
        # a phase known by composition only is not named by its formula (75Li2S-25P2S5 is not crystalline Li3PS4)
        for key in [mat.name, *([mat.formula] if mat.has_structure else []), *mat.aliases]:
            table.setdefault(key.lower(), mat)
    return table


def get_material(name: str) -> Material:
    """Library entry by name, formula or alias (case-insensitive)."""
    table = _lookup_table()
    mat = table.get(name.lower())
    if mat is None:
        names = sorted({m.name for m in table.values()})
        near = difflib.get_close_matches(name.lower(), list(table), n=3, cutoff=0.5)
        closest = list(dict.fromkeys(table[n].name for n in near))  # closest first
        hint = (
            f" Did you mean {', '.join(closest)}?"
            if near
            else f" Known: {', '.join(names)}."
        )
        raise MaterialNotFoundError(f"Unknown material '{name}'.{hint}")
    return mat


def read_structure(path: str | Path) -> Structure:
    """Read a CIF, POSCAR, pymatgen JSON or any ASE-readable file; one-line error if not."""
    from pymatgen.core import Structure

    path = Path(path)
    if not path.is_file():
        raise StructureReadError(f"Structure file not found: {path}")
    _check_text(path)
    try:
        structure = Structure.from_file(path)
    except Exception:
        try:
            from ase.io import read
            from pymatgen.io.ase import AseAtomsAdaptor

            atoms = read(path)
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) and not isinstance(exc, AssertionError) else \
                f"no structure pymatgen or ASE can read (the format is taken from the name: {path.suffix or path.name})"
            raise StructureReadError(f"Cannot read structure from {path}: {reason}") from None
        if atoms.cell.rank < 3 or not any(atoms.pbc):
            raise StructureReadError(f"{path}: a molecule or cluster ({len(atoms)} atoms, no 3D unit cell): give a "
                                     "periodic crystal (CIF, POSCAR, extxyz with a Lattice)")
        try:
            structure = AseAtomsAdaptor.get_structure(atoms)
        except Exception as exc:
            raise StructureReadError(f"Cannot read structure from {path}: {str(exc).splitlines()[0]}") from None
    if len(structure) == 0:
        raise StructureReadError(f"Cannot read structure from {path}: no atoms")
    check_species(structure, str(path))
    return structure


BINARY_SUFFIXES = (".gz", ".bz2", ".xz", ".traj", ".npz", ".nc")


def _check_text(path: Path) -> None:
    """One line for a file that is not text (structure formats here are text, or compressed by name)."""
    if path.name.endswith(BINARY_SUFFIXES):
        return
    head = path.open("rb").read(8192)
    try:
        head.decode("utf-8")
        binary = b"\0" in head
    except UnicodeDecodeError as exc:
        binary = exc.start < len(head) - 4  # not a multi-byte character cut at the end of the sample
    if binary:
        raise StructureReadError(f"{path}: not a text file (binary data): give a CIF, POSCAR, extxyz or "
                                 "pymatgen JSON file")


def check_species(structure: Structure, source: str) -> None:
    """One line when a site holds no real element (pymatgen reads an unknown symbol as a dummy species), a
    fractional occupancy sums above 1, or two atoms sit on top of each other."""
    from pymatgen.core import Element

    for sp in structure.composition:
        element = getattr(sp, "element", sp) if not type(sp).__name__ == "DummySpecies" else None
        if not isinstance(element, Element) or element.Z > 103:
            symbol = getattr(sp, "symbol", str(sp))
            raise StructureReadError(f"{source}: unknown element {symbol!r} (not in the periodic table)")
    for site in structure:
        if site.species.num_atoms > 1 + 1e-6:
            raise StructureReadError(f"{source}: site {site.frac_coords.round(3).tolist()} holds "
                                     f"{site.species.num_atoms:.2f} atoms (occupancies above 1)")
    if len(structure) > 1 and structure.is_ordered:
        import numpy as np

        d = structure.distance_matrix + np.eye(len(structure)) * 1e9
        if d.min() < 0.5:
            i, j = np.unravel_index(np.argmin(d), d.shape)
            raise StructureReadError(f"{source}: atoms {i} and {j} are {d.min():.2f} Å apart (overlapping sites)")


def _looks_like_path(name: str) -> bool:
    return os.sep in name or name.lower().endswith(STRUCTURE_SUFFIXES) or "POSCAR" in name or "CONTCAR" in name


def load(name_or_path: str | Path, variant: str = "experimental") -> Structure:
    """Structure of a library material (by name/alias) or from a file.

    ``variant``: ``experimental`` (ordered, experimental lattice; default),
    ``chgnet`` (CHGNet-relaxed) or ``parent`` (as published, may be disordered).
    """
    if variant not in VARIANTS:
        raise InputError(f"unknown variant {variant!r}; choose one of: {', '.join(VARIANTS)}")
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or Path(text).is_file() or _looks_like_path(text):
        structure = read_structure(text)
        if not structure.is_ordered and variant != "parent":
            site = next(s for s in structure if not s.is_ordered)
            raise StructureReadError(
                f"{text}: partial occupancies (site {site.frac_coords.round(3).tolist()}: {site.species}); a "
                "calculation needs an ordered cell: give one, or order it (pymatgen's "
                "OrderDisorderedStructureTransformation; `ssbi materials add` builds an ordered approximant)")
        return structure
    mat = get_material(text)
    if not mat.has_structure:
        raise mat.no_structure()
    if variant == "parent":
        return mat.parent_structure()
    path = mat.structure_path(variant)
    if not path.is_file():
        if variant == "experimental" and not mat.is_disordered:
            return mat.parent_structure()
        raise StructureReadError(
            f"{mat.name}: {path.name} is missing; run 'ssbi materials curate {mat.name}'"
        )
    return _library_structure(str(path), path.stat().st_mtime_ns).copy()


@lru_cache(maxsize=256)
def _library_structure(path: str, mtime_ns: int) -> Structure:
    """A library structure file, read once per version of the file (callers get copies)."""
    from pymatgen.core import Structure

    return Structure.from_file(path)


def summary(mat: Material, variant: str = "experimental") -> dict[str, Any]:
    """Formula, space group, lattice, density and source of one entry, as shown by the CLI."""
    if not mat.has_structure:  # a glass: composition and source only
        known = "unknown" if mat.e_above_hull is None else f"{1000 * mat.e_above_hull:.0f} meV/atom (given)"
        return {"name": mat.name, "formula": mat.formula, "roles": ", ".join(mat.roles), "spacegroup": mat.kind,
                "a": None, "b": None, "c": None, "density": None, "n_atoms": None, "source": mat.source_text(),
                "reference": mat.source.get("reference", ""), "positions_quality": mat.positions_quality,
                "ordering": f"energy above the hull: {known}"}
    structure = load(mat.name, variant)
    # the published space group (for a disordered phase, that of the average structure)
    sg = mat.crystallography["spacegroup"]
    a, b, c = structure.lattice.abc
    return {
        "name": mat.name,
        "formula": mat.formula,
        "roles": ", ".join(mat.roles),
        "spacegroup": sg,
        "a": a,
        "b": b,
        "c": c,
        "density": float(structure.density),
        "n_atoms": len(structure),
        "source": mat.source_text(),
        "reference": mat.source.get("reference", ""),
        "positions_quality": mat.positions_quality,
        "ordering": (mat.ordering or {}).get("note", ""),
    }
