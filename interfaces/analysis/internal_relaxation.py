"""Internal (ionic) relaxation of a homogeneously strained crystal, preconditioned by the Γ-point force constants
of its relaxed bulk.

At small strain the relaxed-ion positions follow from the harmonic problem ``Φ u = f``: ``Φ`` the Γ-point force
constants of the cell (eV/Å², from phonopy's symmetry-reduced finite displacements) and ``f`` the forces on the
affinely strained cell (eV/Å). A quasi-Newton optimiser that starts from ``Φ`` as its Hessian (instead of ASE's
70 eV/Å² times the identity) takes a strained cell below a tight force criterion in a few force evaluations, where
FIRE or a cold BFGS take tens to hundreds, and it stays in the basin of the bulk. Pure Newton steps ``u = Φ⁻¹ f``
are not enough: measured on LGPS (7net-0), some strained cells oscillate at 0.008 eV/Å along modes whose curvature
at finite amplitude is twice the bulk's; BFGS's updates correct those.
"""

from __future__ import annotations

import numpy as np
from pymatgen.core import Structure

SOFT_MODE = 0.01  # eV/Å²: the least curvature an optimiser starts with along a mode


def gamma_displacements(structure: Structure, distance: float = 0.01, symprec: float = 1e-3,
                        plus_minus: bool = True):
    """phonopy's symmetry-reduced ± displacements of ``structure`` at Γ (the cell itself, no supercell), one-sided
    when not ``plus_minus``: ``(phonon, displaced structures)``; their forces go to :func:`gamma_hessian`.
    One-sided differences halve the cost in low symmetry but are poor where the bulk is a saddle (7net-0
    beta-Li3PS4: lowest Γ eigenvalue −0.97 eV/Å² one-sided, −0.26 with ±) and then cost more BFGS steps than they
    save (CHGNet γ-Li3PS4 cells: over 12 steps one-sided, at most 12 with ±)."""
    from phonopy import Phonopy
    from pymatgen.io.phonopy import get_phonopy_structure, get_pmg_structure

    phonon = Phonopy(get_phonopy_structure(structure), supercell_matrix=np.eye(3, dtype=int), symprec=symprec)
    phonon.generate_displacements(distance=distance, is_plusminus=plus_minus)
    return phonon, [get_pmg_structure(cell) for cell in phonon.supercells_with_displacements]


def gamma_hessian(phonon, forces: list) -> np.ndarray:
    """The (3N, 3N) Γ-point force-constant matrix (eV/Å², symmetrised) from the forces (eV/Å) on phonopy's
    displaced cells, in their order."""
    phonon.forces = np.asarray(forces, dtype=float)
    phonon.produce_force_constants()
    phonon.symmetrize_force_constants()
    n = phonon.force_constants.shape[0]
    return phonon.force_constants.transpose(0, 2, 1, 3).reshape(3 * n, 3 * n)


def preconditioner(hessian: np.ndarray, floor: float = SOFT_MODE, translation: float = 70.0) -> np.ndarray:
    """``hessian`` made positive definite for an optimiser's first Hessian: eigenvalues below ``floor`` eV/Å² raised
    to it, the three rigid translations (an optimiser's zero modes) set to ``translation`` (ASE's BFGS default)."""
    n = hessian.shape[0] // 3
    t = np.zeros((3 * n, 3))
    for k in range(3):
        t[k::3, k] = 1 / np.sqrt(n)  # rigid translations: zero modes of symmetrised force constants
    w, u = np.linalg.eigh(0.5 * (hessian + hessian.T) + translation * t @ t.T)
    return (u * np.maximum(w, floor)) @ u.T


def lowest_modes(hessian: np.ndarray, count: int = 6) -> list[float]:
    """The ``count`` lowest eigenvalues of ``hessian`` (eV/Å²; the first three are the translations, ≈ 0)."""
    return [float(x) for x in np.linalg.eigvalsh(0.5 * (hessian + hessian.T))[:count]]
