"""Curate the materials library: ordered approximants and CHGNet-relaxed structures."""

from __future__ import annotations

import json
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
from pymatgen.core import Structure
from pymatgen.io.cif import CifWriter

from ssbi.interfaces.errors import InputError
from ssbi.interfaces.materials import (
    ROLES,
    Material,
    library_dir,
    list_materials,
    material_entry,
    read_structure,
    refresh_library,
    write_material,
)
from ssbi.interfaces.ordering import enumerate_orderings
from ssbi.interfaces.reference import reference_structure
from ssbi.interfaces.structure_checks import max_displacement, volume_change

OXIDATION_STATES = {"Li": 1, "P": 5, "S": -2, "Cl": -1, "Ge": 4, "O": -2, "N": -3, "La": 3, "Zr": 4, "In": 3}
RELAX_FMAX = 0.05  # eV/Å
RELAX_STEPS = 500
MAX_DISPLACEMENT = 1.0  # Å, for every atom of an ordered phase and the framework of an approximant
MAX_LI_DISPLACEMENT_APPROXIMANT = 1.5  # Å, Li of a disordered Li sublattice (partial sites 1.3-1.8 Å apart)


MAX_VOLUME_CHANGE = 0.08  # |ΔV| after CHGNet relaxation, ordered or disordered non-vdW phase
MAX_VOLUME_GAIN_VDW = 0.30  # molecular and layered solids swell without dispersion


def library_check_failures(material: Material, provenance: dict) -> list[str]:
    """The library's acceptance checks on a curated entry; each failure as one phrase.

    Volume within 8 % after the CHGNet relaxation (vdW solids: at most 30 % larger),
    every atom within 1 Å of its site (a disordered phase's framework within 1 Å and
    its Li within 1.5 Å). Gas-molecule crystals (Cl2, O2, N2) are element references
    and exempt from the volume check.
    """
    rel = provenance["relaxation"]
    dv = rel.get("volume_change_vs_experiment", rel["volume_change"])  # a DFT reference cell: vs the measured one
    failures = []
    gas = bool((material.molecule or {}).get("gas_reference"))
    if material.van_der_waals:
        if not gas and dv > MAX_VOLUME_GAIN_VDW:
            failures.append(f"volume grew by {100 * dv:+.1f} % (vdW limit +{100 * MAX_VOLUME_GAIN_VDW:.0f} %)")
    elif abs(dv) > MAX_VOLUME_CHANGE:
        failures.append(
            f"volume changed by {100 * dv:+.1f} % (limit ±{100 * MAX_VOLUME_CHANGE:.0f} %; "
            "a molecular or layered solid needs --van-der-waals)"
        )
    if material.is_disordered:
        chosen = [c for c in provenance["ordering"]["candidates"] if c["ewald_rank"] == provenance["ordering"]["chosen_ewald_rank"]]
        if chosen and not chosen[0]["on_site"]:
            failures.append(
                f"no ordering stays on its sites (framework moved {chosen[0]['max_framework_displacement_A']:.2f} Å, "
                f"Li {chosen[0]['max_displacement_A']:.2f} Å)"
            )
    elif rel["max_displacement_A"] > MAX_DISPLACEMENT:
        failures.append(f"an atom moved {rel['max_displacement_A']:.2f} Å (limit {MAX_DISPLACEMENT:.0f} Å)")
    return failures


def stays_on_site(start: Structure, relaxed: Structure) -> bool:
    """An ordered approximant that kept its crystallographic sites after relaxation."""
    return (
        max_displacement(start, relaxed, exclude=("Li",)) <= MAX_DISPLACEMENT
        and max_displacement(start, relaxed) <= MAX_LI_DISPLACEMENT_APPROXIMANT
    )


@lru_cache(maxsize=1)
def chgnet_optimizer():
    """CHGNet's structure optimiser, loaded once per process (weights ship in the wheel)."""
    from chgnet.model import StructOptimizer

    return StructOptimizer(use_device="cpu")


def relax_chgnet(structure: Structure, fmax: float = RELAX_FMAX, steps: int = RELAX_STEPS) -> dict:
    """Relax cell and positions with CHGNet (FIRE + Frechet cell filter).

    Returns the relaxed structure (same atom order), its energy per atom (eV,
    MP2020-compatible scale as CHGNet was trained) and the number of steps.
    """
    result = chgnet_optimizer().relax(
        structure, fmax=fmax, steps=steps, relax_cell=True, verbose=False
    )
    traj = result["trajectory"]
    return {
        "structure": result["final_structure"],
        "energy_per_atom": float(traj.energies[-1]) / len(structure),
        "steps": len(traj.energies),
    }


def conventional_matrix(parent: Structure, cell: Structure) -> np.ndarray:
    """Integer matrix M with M @ cell.lattice = parent (conventional) lattice."""
    m = parent.lattice.matrix @ np.linalg.inv(cell.lattice.matrix)
    rounded = np.round(m)
    if not np.allclose(m, rounded, atol=1e-3):
        raise ValueError("the ordered cell is not a sublattice cell of the published cell")
    return rounded.astype(int)


def curate(material: Material, out_dir: Path, log: Callable[[str], None] = print) -> dict:
    """Write parent, ordered and CHGNet-relaxed structures plus provenance for one entry."""
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.time()
    parent = material.parent_structure()
    CifWriter(parent, symprec=None).write_file(out_dir / f"{material.name}.parent.cif")
    provenance: dict = {"material": material.name, "relaxation": {"code": "CHGNet", "fmax_eV_per_A": RELAX_FMAX, "max_steps": RELAX_STEPS, "cell": "relaxed (Frechet filter)", "energy_scale": "mp2020"}}

    if material.is_disordered:
        opts = material.ordering or {}
        n_relax = int(opts.get("n_relax", 5))
        primitive = opts.get("cell", "primitive") == "primitive"
        ranked = enumerate_orderings(parent, OXIDATION_STATES, n_best=n_relax, primitive=primitive)
        candidates = []
        for r in ranked:
            start_cell = r.structure
            relaxed = relax_chgnet(start_cell)
            log(f"  {material.name} ordering #{r.rank}: Ewald {r.ewald_energy:.3f} eV, CHGNet {relaxed['energy_per_atom']:.4f} eV/atom")
            candidates.append((r, start_cell, relaxed))
        # keep orderings that stay on their sites: framework atoms within 1 Å; the
        # disordered Li may settle between neighbouring partial sites (up to 1.5 Å)
        on_site = [c for c in candidates if stays_on_site(c[1], c[2]["structure"])]
        best = min(on_site or candidates, key=lambda c: c[2]["energy_per_atom"])
        start_cell, relaxed = best[1], best[2]
        provenance["ordering"] = {
            "method": "all orderings in the smallest cell holding the composition, ranked by Ewald energy; best n relaxed with CHGNet; kept: lowest CHGNet energy among those that stay on their sites (framework atoms within 1 A, Li within 1.5 A)",
            "oxidation_states": {el: OXIDATION_STATES[el] for el in sorted(parent.composition.as_dict())},
            "cell_atoms": len(start_cell),
            "candidates": [
                {
                    "ewald_rank": r.rank,
                    "ewald_energy_eV": r.ewald_energy,
                    "chgnet_energy_eV_per_atom": rel["energy_per_atom"],
                    "max_displacement_A": max_displacement(cell, rel["structure"]),
                    "max_framework_displacement_A": max_displacement(cell, rel["structure"], exclude=("Li",)),
                    "on_site": stays_on_site(cell, rel["structure"]),
                    "steps": rel["steps"],
                }
                for r, cell, rel in candidates
            ],
            "chosen_ewald_rank": best[0].rank,
        }
    else:
        start_cell = parent.get_primitive_structure()
        relaxed = relax_chgnet(start_cell)

    # both stored in the published conventional cell, so Miller indices mean what they say
    to_conv = conventional_matrix(parent, start_cell)
    ordered_conv = start_cell.copy()
    ordered_conv.make_supercell(to_conv)
    relaxed_conv = relaxed["structure"].copy()
    relaxed_conv.make_supercell(to_conv)
    CifWriter(ordered_conv).write_file(out_dir / f"{material.name}.cif")
    CifWriter(relaxed_conv).write_file(out_dir / f"{material.name}.chgnet.cif")
    provenance["relaxation"].update(
        {
            "energy_eV_per_atom": relaxed["energy_per_atom"],
            "steps": relaxed["steps"],
            "volume_change": volume_change(start_cell, relaxed["structure"]),
            "max_displacement_A": max_displacement(start_cell, relaxed["structure"]),
            "n_atoms": len(start_cell),
            "relaxed_cell": "primitive (or ordering) cell, then tiled to the published conventional cell",
        }
    )
    measured = material.experimental_volume_per_atom()
    if measured:
        relaxed_v = relaxed["structure"].volume / len(relaxed["structure"])
        provenance["relaxation"]["volume_change_vs_experiment"] = relaxed_v / measured - 1.0
        provenance["relaxation"]["experimental_cell"] = material.experimental_cell
    provenance["wall_time_s"] = round(time.time() - start, 1)
    (out_dir / f"{material.name}.provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return provenance


def _entry_files(folder: Path, name: str) -> dict[Path, bytes]:
    """The YAML and structure files of one library entry, with their contents."""
    paths = [folder / f"{name}.yaml", *(folder / "structures").glob(f"{name}.*")]
    return {p: p.read_bytes() for p in paths if p.is_file()}


def _restore(folder: Path, name: str, previous: dict[Path, bytes]) -> None:
    """Undo a failed :func:`add_material`: remove what it wrote, put back what it replaced."""
    for path in _entry_files(folder, name):
        path.unlink()
    for path, content in previous.items():
        path.write_bytes(content)
    refresh_library()


def add_material(name: str, reference: str, structure_file: Optional[Path] = None, reference_id: Optional[str] = None,
                 roles: Sequence[str] = ("competing",), doi: Optional[str] = None, database_id: Optional[str] = None,
                 aliases: Sequence[str] = (), description: str = "", van_der_waals: bool = False,
                 layered: bool = False, symprec: float = 0.01, force: bool = False,
                 log: Callable[[str], None] = print,
                 progress: Callable[[str], None] = lambda stage: None) -> tuple[Material, Path, dict]:
    """A phase added to the library from a structure file or a reference id: its Wyckoff description written as a
    library entry, curated (ordered approximant if needed, CHGNet relaxation) and checked (:func:`curate`,
    :func:`library_check_failures`). Nothing is kept when a check fails (an entry it replaces with ``force`` is put
    back). Returns the entry, its file and the curation's provenance."""
    if (structure_file is None) == (reference_id is None):
        raise InputError("give a structure file or --reference-id (one of them)")
    structure = reference_structure(reference_id) if reference_id else read_structure(structure_file)
    folder = library_dir()
    taken = {m.name.lower(): m.name for m in list_materials()}
    if name.lower() in taken:
        if not force:
            raise InputError(f"'{taken[name.lower()]}' is already in the library "
                             f"({folder / (taken[name.lower()] + '.yaml')}); use --force to replace it")
        name = taken[name.lower()]
    if layered and not van_der_waals:
        raise InputError("--layered describes a van der Waals solid: give --van-der-waals too")
    source = {"reference": reference, "doi": doi, "database_id": database_id or reference_id,
              "reference_structure": reference_id}
    entry = material_entry(structure, name, list(roles), source, symprec, aliases=list(aliases),
                           description=description, van_der_waals=van_der_waals, layered=layered)
    previous = _entry_files(folder, entry.name)  # what force replaces, put back if the new entry fails
    failures = ["curation did not finish"]
    try:
        path = write_material(entry, folder)
        progress(f"curating {entry.name} ({len(entry.parent_structure())} atoms, "
                 f"{entry.crystallography['spacegroup']})")
        prov = curate(entry, folder / "structures", log=log)
        failures = library_check_failures(entry, prov)
    finally:
        if failures:
            _restore(folder, entry.name, previous)
    if failures:
        raise InputError(f"{entry.name} not added: {'; '.join(failures)}")
    return entry, path, prov


def add_composition_material(name: str, composition: str, reference: str, roles: Sequence[str] = ("electrolyte",),
                             glass: bool = True, e_above_hull: Optional[float] = None, doi: Optional[str] = None,
                             aliases: Sequence[str] = (), description: str = "", force: bool = False) -> tuple[Material,
                                                                                                                 Path]:
    """A phase known by composition only (a glass or glass-ceramic: 75Li2S-25P2S5 as Li3PS4, LiPON as
    Li2.9PO3.3N0.46): its window, reactions and interphases come from the hull, where it is placed; its energy above
    the hull is ``e_above_hull`` (eV/atom) when known, else unknown. Analyses that need atoms refuse it."""
    from pymatgen.core import Composition, Element

    try:
        comp = Composition(composition)
    except Exception:  # noqa: BLE001 - pymatgen's parser: any malformed formula
        raise InputError(f"--composition {composition!r} is not a chemical formula") from None
    unknown = [getattr(el, "symbol", str(el)) for el in comp.elements if not isinstance(el, Element)]
    if unknown:
        raise InputError(f"unknown element {unknown[0]!r} in --composition {composition!r}")
    if comp.num_atoms <= 0:
        raise InputError(f"--composition {composition!r} has no atoms")
    if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InputError(f"invalid material name '{name}': use letters, digits, '-', '.' or '_'")
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise InputError(f"unknown role(s) {', '.join(unknown) or '(none given)'}; allowed: {', '.join(ROLES)}")
    if not reference:
        raise InputError("a source reference is required (who made or measured the phase, where)")
    if e_above_hull is not None and not 0 <= e_above_hull < 1:
        raise InputError(f"--e-above-hull {e_above_hull} eV/atom is outside [0, 1)")
    taken = {m.name.lower(): m.name for m in list_materials()}
    if name.lower() in taken and not force:
        raise InputError(f"'{taken[name.lower()]}' is already in the library; use --force to replace it")
    # a stoichiometric formula reduced (Li3PS4); a glass's fractional one as written (Li2.9PO3.3N0.46)
    formula = comp.reduced_formula if all(float(v).is_integer() for v in comp.values()) else composition.strip()
    entry = Material(name=taken.get(name.lower(), name), formula=formula, roles=list(roles), crystallography=None,
                     source={k: v for k, v in {"reference": reference, "doi": doi}.items() if v},
                     description=description, aliases=list(aliases), glass=glass, e_above_hull=e_above_hull,
                     positions_quality="none (composition only)")
    return entry, write_material(entry, library_dir())
