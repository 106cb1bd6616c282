"""Write interface candidates to disk: CIF, extxyz, POSCAR and candidates.json."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Optional

import numpy as np
from ase.constraints import FixAtoms
from ase.io import write as ase_write
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor
from pymatgen.io.cif import CifWriter
from pymatgen.io.vasp import Poscar

from ssbi.interfaces.builder import InterfaceCandidate, build_interfaces, plain_structure
from ssbi.interfaces.errors import InputError
from ssbi.interfaces.materials import load
from ssbi.interfaces.slabs import check_miller


def to_ase_atoms(structure: Structure):
    """ASE Atoms with FixAtoms from ``selective_dynamics`` and a ``region`` tag array."""
    atoms = AseAtomsAdaptor.get_atoms(plain_structure(structure))
    props = structure.site_properties
    if "selective_dynamics" in props:
        fixed = np.array([not any(sd) for sd in props["selective_dynamics"]])
        atoms.set_constraint(FixAtoms(mask=fixed))
        atoms.set_array("fixed", fixed.astype(int))
    if "region" in props:
        atoms.set_array("region", np.array(props["region"], dtype="U10"))
    return atoms


def _write_structure(structure: Structure, stem: Path) -> None:
    CifWriter(plain_structure(structure)).write_file(stem.with_suffix(".cif"))
    ase_write(stem.with_suffix(".extxyz"), to_ase_atoms(structure), format="extxyz")


def write_candidates(candidates: list[InterfaceCandidate], out_dir: Path, inputs: dict) -> Path:
    """Write every candidate under ``out_dir`` and ``candidates.json``; all or nothing.

    Files are written to a temporary folder next to ``out_dir`` and moved into place
    only when all of them were written.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ssbi-build-", dir=out_dir.parent))
    try:
        records = []
        for cand in candidates:
            name = f"candidate_{cand.metadata.rank:02d}"
            folder = tmp / name
            folder.mkdir()
            _write_structure(cand.interface, folder / "interface")
            _write_structure(cand.film_slab, folder / "film_slab")
            _write_structure(cand.substrate_slab, folder / "substrate_slab")
            iface = Structure(cand.interface.lattice, cand.interface.species, cand.interface.frac_coords,
                              site_properties={"selective_dynamics": cand.interface.site_properties["selective_dynamics"]})
            Poscar(iface, comment=f"{name} {cand.metadata.film_formula}|{cand.metadata.substrate_formula}").write_file(folder / "POSCAR")
            records.append({"folder": name, **cand.metadata.model_dump(mode="json")})
        doc = {"inputs": inputs, "n_candidates": len(records), "candidates": records}
        (tmp / "candidates.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        out_dir.mkdir(exist_ok=True)
        for old in out_dir.glob("candidate_*"):
            shutil.rmtree(old)
        for item in tmp.iterdir():
            target = out_dir / item.name
            if target.exists() and target.is_file():
                target.unlink()
            shutil.move(str(item), target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir / "candidates.json"


def build_and_write(film: str, substrate: str, film_miller, substrate_miller, variant: str = "experimental",
                    out: Path = Path("out"), build: Optional[dict] = None) -> tuple[list[InterfaceCandidate], Path, float]:
    """The ranked interface candidates of ``film`` (h k l) | ``substrate`` (library names or structure files;
    ``build``: :class:`~ssbi.interfaces.build_settings.BuildSettings` options) written into ``out``
    (:func:`write_candidates`): the candidates, ``candidates.json`` and the seconds the build took."""
    fm = check_miller(film_miller, "film Miller index")
    sm = check_miller(substrate_miller, "substrate Miller index")
    build = dict(build or {})
    if build.get("strained", "auto") not in ("auto", "film", "substrate"):
        raise InputError(f"--strained must be auto, film or substrate, not '{build['strained']}'")
    film_s, sub_s = load(film, variant), load(substrate, variant)
    start = time.time()
    cands = build_interfaces(film_s, sub_s, fm, sm, **build)
    seconds = time.time() - start
    inputs = {"film": film, "substrate": substrate, "variant": variant, "film_miller": list(fm),
              "substrate_miller": list(sm)}
    return cands, write_candidates(cands, out, inputs), seconds
