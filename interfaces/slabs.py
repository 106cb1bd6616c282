"""Slab helpers: Miller-index checks, strain of a 2D cell, fixed bottom layers."""

from __future__ import annotations

from math import gcd

import numpy as np
from pymatgen.analysis.elasticity.strain import Strain
from pymatgen.core import Structure

from ssbi.interfaces.errors import MillerIndexError


def check_miller(miller, label: str = "Miller index") -> tuple[int, int, int]:
    """Three integers, not all zero, reduced to lowest terms."""
    try:
        values = [int(v) for v in miller]
        if any(float(v) != int(v) for v in miller):
            raise ValueError
    except (TypeError, ValueError):
        raise MillerIndexError(f"{label} must be three integers, got {miller!r}") from None
    if len(values) != 3:
        raise MillerIndexError(f"{label} must have three integers (h k l), got {len(values)}")
    if not any(values):
        raise MillerIndexError(f"{label} (0 0 0) does not define a plane")
    div = gcd(gcd(abs(values[0]), abs(values[1])), abs(values[2]))
    return tuple(v // div for v in values)  # type: ignore[return-value]


def _in_plane_frame(vectors: np.ndarray) -> np.ndarray:
    """2x2 coordinates of two in-plane vectors in a frame with the first along x."""
    a, b = np.asarray(vectors[0], float), np.asarray(vectors[1], float)
    la = np.linalg.norm(a)
    cos_g = np.dot(a, b) / (la * np.linalg.norm(b))
    lb = np.linalg.norm(b)
    return np.array([[la, 0.0], [lb * cos_g, lb * np.sqrt(max(0.0, 1 - cos_g**2))]])


def in_plane_strain(natural: np.ndarray, strained: np.ndarray) -> Strain:
    """Green-Lagrange strain taking the ``natural`` in-plane vectors to ``strained``."""
    n2, s2 = _in_plane_frame(natural), _in_plane_frame(strained)
    deform = np.linalg.solve(n2, s2).T  # s = F n for column vectors
    e2 = 0.5 * (deform.T @ deform - np.eye(2))
    e3 = np.zeros((3, 3))
    e3[:2, :2] = e2
    return Strain(e3)


def set_in_plane_lattice(structure: Structure, target: np.ndarray) -> Structure:
    """Copy of ``structure`` whose a, b take the lengths and angle of ``target``.

    The direction of ``a`` and the plane normal are kept; fractional coordinates are
    unchanged, so every atom follows the homogeneous in-plane deformation.
    """
    lat = structure.lattice.matrix
    a_hat = lat[0] / np.linalg.norm(lat[0])
    normal = np.cross(lat[0], lat[1])
    normal /= np.linalg.norm(normal)
    e_hat = np.cross(normal, a_hat)
    t2 = _in_plane_frame(target)
    new_a = t2[0, 0] * a_hat
    new_b = t2[1, 0] * a_hat + t2[1, 1] * e_hat
    old_basis = np.array([lat[0], lat[1], normal])
    new_basis = np.array([new_a, new_b, normal])
    mapping = np.linalg.solve(old_basis, new_basis)  # row vectors: x' = x @ mapping
    new_lat = lat @ mapping
    out = structure.copy()
    out.lattice = type(structure.lattice)(new_lat)
    return out


def fixed_mask(heights: np.ndarray, depth: float) -> np.ndarray:
    """Atoms within ``depth`` Å of the lowest one (the substrate bottom)."""
    return heights <= heights.min() + depth + 1e-6


POLYANION_CENTERS = ("P", "Ge", "Si", "As", "Sb", "B", "Sn", "Al")
POLYANION_LIGANDS = ("S", "O", "Se", "N")


def broken_units(slab: Structure, bulk: Structure, tolerance: float = 1.2, indices=None) -> int:
    """Polyanion centres (P of PS4, Ge of GeS4 ...) in ``slab`` with fewer ligands than in ``bulk``.

    A ligand counts within ``tolerance`` × the shortest centre–ligand distance of the
    bulk. A slab whose termination cuts through PS4 units leaves dangling PS3/S
    fragments that react with any partner; builders should prefer terminations with none.
    ``indices``: count only these sites of ``slab`` (e.g. one face).
    """
    out = 0
    symbols = {s.specie.symbol for s in bulk}
    for center in (c for c in POLYANION_CENTERS if c in symbols):
        for ligand in (x for x in POLYANION_LIGANDS if x in symbols):
            c_idx = [i for i, s in enumerate(bulk) if s.specie.symbol == center]
            bond = min(n.nn_distance for i in c_idx for n in bulk.get_neighbors(bulk[i], 3.5)
                       if n.specie.symbol == ligand) if c_idx else None
            if bond is None:
                continue
            cutoff = tolerance * bond
            full = min(sum(1 for n in bulk.get_neighbors(bulk[i], cutoff) if n.specie.symbol == ligand)
                       for i in c_idx)
            for i, site in enumerate(slab):
                if site.specie.symbol == center and (indices is None or i in indices):
                    n_lig = sum(1 for n in slab.get_neighbors(site, cutoff) if n.specie.symbol == ligand)
                    out += n_lig < full
    return out
