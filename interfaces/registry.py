"""In-plane registry of a film on a substrate: the shifts that symmetry leaves distinct, a coarse grid over them
and a finer grid around the best point.

A shift of the film by a translation that maps the film slab onto itself, or the substrate slab onto itself
(shifting the substrate by t is the film by −t), gives the same interface. The distinct shifts are therefore one
cell of the lattice those translations generate, usually much smaller than the interface cell (Li(100) on a
13 Å electrolyte cell repeats every 3.4 Å). Rotations of the two surfaces could reduce it further and are not
used. Shifts are fractions of the interface cell's a and b.
"""

from __future__ import annotations

import itertools

import numpy as np
from pymatgen.core import Structure

SITE_TOL = 0.05  # Å: a translation maps a slab onto itself when every atom lands this close to one of its kind


def slab_translations(slab: Structure, tol: float = SITE_TOL) -> list[np.ndarray]:
    """In-plane translations (fractions of the cell's a, b; [0, 1)) that map ``slab`` onto itself."""
    frac = slab.frac_coords % 1.0
    species = [s.species_string for s in slab]
    ref = 0
    z = slab.cart_coords[:, 2]
    out = []
    for j, sp in enumerate(species):
        if sp != species[ref] or abs(z[j] - z[ref]) > tol:
            continue
        t = np.array([frac[j, 0] - frac[ref, 0], frac[j, 1] - frac[ref, 1], 0.0]) % 1.0
        moved = (frac + t) % 1.0
        dist = slab.lattice.get_all_distances(moved, frac)
        same = np.array([[a == b for b in species] for a in species])
        dist = np.where(same, dist, np.inf)
        if np.all(dist.min(axis=1) < tol):
            out.append(t[:2])
    return out


def _wrap(t: np.ndarray) -> np.ndarray:
    w = np.round(t, 6) % 1.0
    return np.where(np.isclose(w, 1.0), 0.0, w)


def registry_cell(film_slab: Structure, substrate_slab: Structure, tol: float = SITE_TOL) -> np.ndarray:
    """2×2 basis (rows, fractions of the interface cell's a, b) of the cell of distinct shifts."""
    group = {tuple(_wrap(a + b)) for a in slab_translations(film_slab, tol) or [np.zeros(2)]
             for b in slab_translations(substrate_slab, tol) or [np.zeros(2)]}
    n = len(group)
    if n == 1:
        return np.eye(2)
    cart = film_slab.lattice.matrix[:2, :2]
    vectors = [np.array(g) + np.array(off) for g in group for off in itertools.product((-1, 0, 1), repeat=2)
               if any(np.array(g) + np.array(off))]
    vectors.sort(key=lambda v: np.linalg.norm(v @ cart))
    for a, b in itertools.combinations(vectors, 2):
        if abs(abs(a[0] * b[1] - a[1] * b[0]) - 1.0 / n) < 1e-4:
            return np.array([a, b])
    return np.eye(2)


def grid_in_cell(basis: np.ndarray, n: int, centre=(0.0, 0.0), step: float = None) -> list[tuple[float, float]]:
    """n×n points of the cell ``basis`` (or, with ``step``, a (2·1+1)² block around ``centre`` in cell fractions,
    without the centre) as fractions of the interface cell."""
    if step is None:
        uv = [(i / n, j / n) for i in range(n) for j in range(n)]
    else:
        uv = [(centre[0] + i * step, centre[1] + j * step) for i in (-1, 0, 1) for j in (-1, 0, 1) if i or j]
    return [tuple(float(x) for x in _wrap(np.array(u) @ basis)) for u in uv]


def cell_fractions(basis: np.ndarray, shift) -> tuple[float, float]:
    """A shift (interface-cell fractions) as fractions of the cell of distinct shifts."""
    uv = np.linalg.solve(basis.T, np.asarray(shift, float))
    return float(uv[0]), float(uv[1])
