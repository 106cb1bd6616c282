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


GPA_PER_EV_A3 = 160.21766208


def cell_block(volume: float, exp_cell_factor: float, bulk_modulus: float = 30.0,
               shear_modulus: float = 15.0) -> np.ndarray:
    """(9, 9) first Hessian of the cell coordinates of ASE's ``FrechetCellFilter`` (``exp_cell_factor`` times the
    log of the deformation gradient, row-major): ``V C / f²`` for an isotropic ``C`` with ``bulk_modulus`` and
    ``shear_modulus`` (GPa). ASE's default (70 eV/Å² per coordinate) is hundreds of times too stiff for a cell
    of tens of atoms (V C / f² ≈ 0.05–0.5), so a cold BFGS creeps towards the equilibrium cell."""
    k, g = bulk_modulus / GPA_PER_EV_A3, shear_modulus / GPA_PER_EV_A3
    lam = k - 2 * g / 3
    eye = np.eye(3)
    c = lam * np.einsum("ij,kl->ijkl", eye, eye) + 2 * g * np.einsum("ik,jl->ijkl", eye, eye)
    return volume * c.reshape(9, 9) / exp_cell_factor ** 2


def exp_preconditioner(atoms, mu: float = 0.5, a: float = 3.0, shift: float = 0.5) -> np.ndarray:
    """(3N, 3N) first Hessian for the atoms of ``atoms`` from its geometry alone: ASE's ``Exp`` preconditioner (a
    graph Laplacian of bonds weighted by ``mu·exp(−a (r/r_nn − 1))``, eV/Å²; Packwood et al., J. Chem. Phys. 144,
    164109 (2016)) plus ``shift`` eV/Å² on the diagonal (the rigid translations). Soft where atoms are far apart,
    stiff along short bonds, where ASE's BFGS starts from 70 eV/Å² for every coordinate."""
    from ase.optimize.precon import Exp

    precon = Exp(A=a, mu=mu)
    precon.make_precon(atoms)
    p = precon.P.toarray()
    if p.shape[0] != 3 * len(atoms):
        p = np.kron(p, np.eye(3))
    return p + shift * np.eye(3 * len(atoms))


def relax_cell_preconditioned(atoms, fmax: float, hessian: np.ndarray | None = None, steps: int = 1000,
                              fix_symmetry: float | None = 0.01, maxstep: float = 0.2,
                              bulk_modulus: float = 30.0, shear_modulus: float = 15.0) -> int:
    """Relax ``atoms`` (with a calculator) in place, positions and cell, by ASE's BFGS on a ``FrechetCellFilter``
    (the cell forces are the virial over the number of atoms: atomate2's bulk relaxation) under ``FixSymmetry``,
    its first Hessian :func:`cell_block` for the cell and, for the atoms, ``hessian`` (Γ force constants, eV/Å²,
    made positive by :func:`preconditioner`) or :func:`exp_preconditioner`. Returns the BFGS steps; raises
    RuntimeError when not below ``fmax`` (eV/Å) in ``steps``.

    Measured with 7net-0 from the CHGNet cells, to 0.002 eV/Å (steps): LGPS 59, against 185 with ASE's 70 eV/Å²
    for the atoms and 211 with it for the cell too (atomate2's); Li7P3S11 51, 167, 243. The starting cell's Φ for
    the atoms gives 40 and 35, but costs its displacements and, from a cell 1–2 % off in volume, preconditions the
    strained cells poorly (12–15 steps each instead of 2–7)."""
    from ase.constraints import FixSymmetry
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    n = 3 * len(atoms)
    start = np.zeros((n + 9, n + 9))
    start[:n, :n] = exp_preconditioner(atoms) if hessian is None else preconditioner(hessian)
    if fix_symmetry:
        atoms.set_constraint(FixSymmetry(atoms, symprec=fix_symmetry))
    cell_filter = FrechetCellFilter(atoms)
    start[n:, n:] = cell_block(atoms.get_volume(), cell_filter.exp_cell_factor, bulk_modulus, shear_modulus)
    opt = BFGS(cell_filter, logfile=None, maxstep=maxstep)
    opt.H0 = start  # ASE's BFGS starts from H0 (set in its initialize)
    if not opt.run(fmax=fmax, steps=steps):
        raise RuntimeError(f"cell relaxation of {atoms.get_chemical_formula()}: not below {fmax} eV/Å after "
                           f"{steps} BFGS steps")
    return int(opt.nsteps)
