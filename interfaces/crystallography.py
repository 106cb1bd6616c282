"""Structures from published crystallography: space group, lattice and Wyckoff sites."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from pymatgen.core import Composition, Lattice, Structure
from pymatgen.core.operations import SymmOp

from ssbi.interfaces.errors import InputError


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


def _independent_lattice(number: int, lattice: Lattice) -> dict[str, float]:
    """The lattice parameters the crystal system leaves free (as read by lattice_from_parameters)."""
    a, b, c = (round(float(x), 5) for x in lattice.abc)
    alpha, beta, gamma = (round(float(x), 4) for x in lattice.angles)
    if number >= 195:
        return {"a": a}
    if number >= 75:  # tetragonal, trigonal (hexagonal axes), hexagonal
        return {"a": a, "c": c}
    if number >= 16:
        return {"a": a, "b": b, "c": c}
    if number >= 3:
        return {"a": a, "b": b, "c": c, "beta": beta}
    return {"a": a, "b": b, "c": c, "alpha": alpha, "beta": beta, "gamma": gamma}


def _occupancy_value(occ: float) -> float | str:
    """An occupancy as written in the library: a simple fraction as "2/3", else a float."""
    frac = Fraction(occ).limit_denominator(12)
    if abs(float(frac) - occ) < 1e-4 and 10 % frac.denominator != 0 and frac.denominator % 4 != 0:
        return f"{frac.numerator}/{frac.denominator}"
    return round(float(occ), 4)


def _site_species(site) -> str | dict[str, float | str]:
    if site.is_ordered:
        return site.specie.symbol
    return {el.symbol: _occupancy_value(float(occ)) for el, occ in site.species.element_composition.items()}


def crystallography_from_structure(structure: Structure, symprec: float = 0.01) -> dict[str, Any]:
    """The library's crystallography block (space group, free lattice parameters, one site
    per Wyckoff orbit) of a structure, in the standard setting that ``structure_from_wyckoff``
    builds; the inverse of that function."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    refined = SpacegroupAnalyzer(structure, symprec=symprec).get_refined_structure()
    analyzer = SpacegroupAnalyzer(refined, symprec=symprec)
    number = analyzer.get_space_group_number()
    symmetrized = analyzer.get_symmetrized_structure()
    sites = []
    for orbit, wyckoff in zip(symmetrized.equivalent_sites, symmetrized.wyckoff_symbols):
        site = min(orbit, key=lambda s: tuple(np.round(np.mod(s.frac_coords, 1.0), 4)))
        xyz = [round(float(x), 5) for x in np.mod(site.frac_coords, 1.0)]
        sites.append({"species": _site_species(site), "wyckoff": wyckoff, "xyz": [0.0 if x == 1.0 else x for x in xyz]})
    return {
        "spacegroup": analyzer.get_space_group_symbol(),
        "spacegroup_number": number,
        "lattice": _independent_lattice(number, refined.lattice),
        "sites": sites,
    }


def in_setting_of(relaxed_primitive: Structure, primitive: Structure, conventional: Structure) -> Structure:
    """``relaxed_primitive`` (a relaxation of ``primitive``) as the supercell that ``conventional`` is of
    ``primitive``: the relaxed bulk in the conventional setting, where Miller indices refer to it."""
    matrix = conventional.lattice.matrix @ np.linalg.inv(primitive.lattice.matrix)
    integer = np.rint(matrix)
    if np.abs(matrix - integer).max() > 1e-3 or round(abs(np.linalg.det(integer))) < 1:
        raise InputError(f"{conventional.composition.reduced_formula}: the cell is not a supercell of its "
                         "primitive cell")
    if len(relaxed_primitive) != len(primitive):
        raise InputError(f"{primitive.composition.reduced_formula}: the relaxed bulk has {len(relaxed_primitive)} "
                         f"sites, its input {len(primitive)}")
    out = relaxed_primitive.copy()
    out.make_supercell(integer.astype(int))
    return out


def near_cubic_supercell(structure: Structure, max_atoms: int) -> Structure:
    """The diagonal supercell of ``structure`` closest to a cube (repeats ∝ 1/a, 1/b, 1/c) with at most
    ``max_atoms`` atoms (the cell itself when even one repeat more does not fit): the cell of a bulk MD."""
    abc = np.array(structure.lattice.abc)
    best = [1, 1, 1]
    length = float(abc.max())
    while True:
        repeats = [max(1, int(round(length / x))) for x in abc]
        if len(structure) * int(np.prod(repeats)) > max_atoms:
            break
        best = repeats
        length += 0.25 * float(abc.min())
    return structure * best
