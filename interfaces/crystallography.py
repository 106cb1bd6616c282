"""Structures from published crystallography: space group, lattice and Wyckoff sites."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from pymatgen.core import Composition, Lattice, Structure
from pymatgen.core.operations import SymmOp


def lattice_from_parameters(spacegroup_number: int, params: dict[str, float]) -> Lattice:
    """Lattice from the independent parameters of its crystal system."""
    a = params["a"]
    b = params.get("b", a)
    c = params.get("c", a)
    if spacegroup_number >= 143 and spacegroup_number <= 194:  # trigonal/hexagonal axes
        return Lattice.hexagonal(a, c)
    alpha = params.get("alpha", 90.0)
    beta = params.get("beta", 90.0)
    gamma = params.get("gamma", 90.0)
    return Lattice.from_parameters(a, b, c, alpha, beta, gamma)


def _occupancy(value: Any) -> float:
    """Occupancy as a float; strings such as "2/3" are read exactly."""
    return float(Fraction(value)) if isinstance(value, str) else float(value)


def _species(spec: Any) -> Composition | str:
    if isinstance(spec, dict):
        return Composition({el: _occupancy(occ) for el, occ in spec.items()})
    return str(spec)


def structure_from_wyckoff(cryst: dict[str, Any]) -> Structure:
    """Build the full cell from a crystallography block of the materials library.

    ``cryst`` holds ``spacegroup`` (Hermann-Mauguin symbol), ``spacegroup_number``,
    ``lattice`` (a, b, c, alpha, beta, gamma as needed), ``sites`` (species, wyckoff,
    xyz; species may be a dict of partial occupancies) and, for a non-standard
    setting, ``symops`` as xyz strings exactly as published.
    """
    number = int(cryst["spacegroup_number"])
    lattice = lattice_from_parameters(number, cryst["lattice"])
    species = [_species(site["species"]) for site in cryst["sites"]]
    coords = [site["xyz"] for site in cryst["sites"]]
    if cryst.get("symops"):
        ops = [SymmOp.from_xyz_str(op) for op in cryst["symops"]]
        return _apply_symops(lattice, species, coords, ops)
    return Structure.from_spacegroup(number, lattice, species, coords, tol=1e-3)


def _apply_symops(lattice: Lattice, species, coords, ops: list[SymmOp]) -> Structure:
    """Generate all equivalent positions of each site under ``ops`` (no duplicates)."""
    all_species, all_coords = [], []
    for sp, xyz in zip(species, coords):
        orbit: list[np.ndarray] = []
        for op in ops:
            new = np.mod(op.operate(xyz), 1.0)
            if not any(_same_frac(new, old) for old in orbit):
                orbit.append(new)
        all_species.extend([sp] * len(orbit))
        all_coords.extend(orbit)
    return Structure(lattice, all_species, all_coords)


def _same_frac(a: np.ndarray, b: np.ndarray, tol: float = 1e-3) -> bool:
    d = np.abs(a - b)
    d = np.minimum(d, 1 - d)
    return bool(np.all(d < tol))
