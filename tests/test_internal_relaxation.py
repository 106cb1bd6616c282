"""Γ-point force constants and the strained-cell relaxation they precondition (the fast elastic path)."""

import numpy as np
import pytest
from ase.constraints import FixSymmetry
from ase.optimize import FIRE
from pymatgen.analysis.elasticity import Deformation
from pymatgen.io.ase import AseAtomsAdaptor

from ssbi.interfaces.analysis.internal_relaxation import (
    gamma_displacements,
    gamma_hessian,
    lowest_modes,
    preconditioner,
)
from ssbi.interfaces.materials import load


def chgnet():
    from ssbi.workflows.engines.registry import get_engine

    return get_engine("chgnet")


def forces_of(structures, engine):
    from ssbi.workflows.engines.batched import batched_static

    return [r.forces for r in batched_static(structures, engine)]


def test_gamma_hessian_of_li2s_matches_a_displacement_by_hand():
    eng = chgnet()
    li2s = load("Li2S", "chgnet")
    phonon, shifted = gamma_displacements(li2s, 0.01)
    assert len(shifted) == 4  # Fm-3m: one S and one Li site, ± one direction each
    assert len(gamma_displacements(li2s, 0.01, plus_minus=False)[1]) == 2  # one-sided
    hessian = gamma_hessian(phonon, forces_of(shifted, eng))
    # the column of atom 1, x, by a central difference of our own
    plus, minus = li2s.copy(), li2s.copy()
    plus.translate_sites([1], [0.01, 0, 0], frac_coords=False)
    minus.translate_sites([1], [-0.01, 0, 0], frac_coords=False)
    fp, fm = forces_of([plus, minus], eng)
    column = -(fp - fm).ravel() / 0.02
    assert np.abs(hessian[:, 3] - column).max() < 0.02 * np.abs(column).max()
    # rigid translations cost nothing, the cubic optical modes are degenerate, and the crystal is stable at Γ
    w = lowest_modes(hessian, 9)
    assert max(abs(x) for x in w[:3]) < 1e-6 and min(w[3:]) > 0.3  # eV/Å² (CHGNet: 0.64 and 0.86)
    assert np.allclose(w[3:6], w[3], rtol=1e-3) and np.allclose(w[6:9], w[6], rtol=1e-3)  # two triplets


def test_preconditioner_keeps_stiff_modes_and_makes_the_rest_positive():
    rng = np.random.default_rng(1)
    n = 4
    a = rng.normal(size=(3 * n, 3 * n))
    t = np.zeros((3 * n, 3))
    for k in range(3):
        t[k::3, k] = 1 / np.sqrt(n)
    q = np.eye(3 * n) - t @ t.T  # a translation-invariant Hessian with one unstable and one soft mode
    w, u = np.linalg.eigh(q @ (a @ a.T) @ q)
    w[3], w[4] = -0.5, 0.001
    hessian = (u * w) @ u.T
    h = preconditioner(hessian, floor=0.01)
    wh = np.linalg.eigvalsh(h)
    assert wh.min() == pytest.approx(0.01)
    assert np.allclose(h @ t, 70.0 * t)  # translations at ASE's default stiffness
    stiff = u[:, 5:]
    assert np.allclose(stiff.T @ h @ stiff, np.diag(w[5:]), atol=1e-8)


def test_preconditioned_strained_cells_relax_in_a_few_steps_to_the_stress_fire_reaches():
    """Against atomate2's strained-cell relaxation (FIRE under FixSymmetry at 0.01 Å), ten times tighter."""
    from ssbi.workflows.flows.fast_elastic import KBAR_PER_EV_A3, relax_strained

    eng = chgnet()
    bulk = load("Li3PS4", "chgnet")  # 16 atoms, Pmn2_1: PS4 units rotate under strain
    deformations = [Deformation.from_index_amount((0, 0), 0.01), Deformation.from_index_amount((1, 2), 0.01)]
    out = relax_strained(bulk, deformations, eng, fmax=0.0002)
    assert out["hessian_evaluations"] == len(gamma_displacements(bulk)[1])
    assert all(cell["steps"] <= 12 for cell in out["strained"])  # FIRE needs over a hundred to this criterion
    for d, cell in zip(deformations, out["strained"]):
        atoms = AseAtomsAdaptor.get_atoms(d.apply_to_structure(bulk))
        atoms.calc = eng.calculator()
        atoms.set_constraint(FixSymmetry(atoms, symprec=0.01))
        clamped = -KBAR_PER_EV_A3 * atoms.get_stress(voigt=False)
        FIRE(atoms, logfile=None).run(fmax=0.0002, steps=3000)
        relaxed = -KBAR_PER_EV_A3 * atoms.get_stress(voigt=False)
        assert np.abs(relaxed - clamped).max() > 0.5  # kbar: internal relaxation matters in this cell
        assert np.abs(np.asarray(cell["stress"]) - relaxed).max() < 0.05


def test_cell_relaxation_with_an_elastic_cell_block_reaches_atomate2s_cell_in_fewer_steps():
    """A γ-Li3PS4 cell 6 % compressed: BFGS starting from the Exp preconditioner and the elastic block for the cell
    ends where ASE's BFGS with its 70 eV/Å² everywhere ends (atomate2's bulk relaxation, same filter and symmetry),
    in fewer steps; with Φ for the atoms instead, in fewer still."""
    from ase.filters import FrechetCellFilter
    from ase.optimize import BFGS

    from ssbi.interfaces.analysis.internal_relaxation import cell_block, relax_cell_preconditioned

    eng = chgnet()
    start = load("Li3PS4", "chgnet")
    start.scale_lattice(start.volume * 0.94)
    cold = AseAtomsAdaptor.get_atoms(start)
    cold.calc = eng.calculator()
    cold.set_constraint(FixSymmetry(cold, symprec=0.01))
    opt = BFGS(FrechetCellFilter(cold), logfile=None)
    assert opt.run(fmax=0.002, steps=1000)
    block = AseAtomsAdaptor.get_atoms(start)
    block.calc = eng.calculator()
    steps = relax_cell_preconditioned(block, fmax=0.002)
    phonon, shifted = gamma_displacements(start)
    both = AseAtomsAdaptor.get_atoms(start)
    both.calc = eng.calculator()
    steps_phi = relax_cell_preconditioned(both, fmax=0.002, hessian=gamma_hessian(phonon, forces_of(shifted, eng)))
    assert steps_phi < steps < opt.nsteps
    for atoms in (block, both):
        assert atoms.get_volume() == pytest.approx(cold.get_volume(), rel=2e-3)
        assert atoms.get_potential_energy() == pytest.approx(cold.get_potential_energy(), abs=2e-3 * len(atoms))
        assert np.abs(atoms.get_stress()).max() * 160.2 < 0.1  # GPa: the cell is relaxed
    # the cell block: V·C/f² with C isotropic (a dilation costs 9 K V/f² per unit of each diagonal log strain)
    dilation = np.eye(3).ravel()
    assert dilation @ cell_block(100.0, 10.0, bulk_modulus=160.2, shear_modulus=0.0) @ dilation == pytest.approx(
        9.0, rel=1e-3)
