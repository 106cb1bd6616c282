"""Batched MLIP evaluation (torch-sim) against one-at-a-time ASE, and the fast elastic path against atomate2's flow."""

import numpy as np
import pytest
from helpers import memory_jobstore
from jobflow import Flow
from pymatgen.io.ase import AseAtomsAdaptor

from ssbi.interfaces.materials import load


def rattled(names, supercell=True, seed=0):
    """Library cells (and a 2x2x2 Li2S supercell), strained by 1 % and rattled: non-zero forces and stresses."""
    rng = np.random.default_rng(seed)
    cells = [load(n, "chgnet") for n in names]
    cells += [load("Li2S", "chgnet").make_supercell([2, 2, 2], in_place=False)] if supercell else []
    for s in cells:
        s.apply_strain(0.01)
        for i, shift in enumerate(rng.normal(0, 0.03, (len(s), 3))):
            s.translate_sites([i], shift, frac_coords=False)
    return cells


@pytest.mark.parametrize("engine", ["chgnet", "sevennet"])
def test_batched_single_points_equal_one_at_a_time(engine):
    from ssbi.workflows.engines.batched import batched_static
    from ssbi.workflows.engines.registry import get_engine

    eng = get_engine(engine)
    cells = rattled(["Li", "Li2S", "Li3PS4", "LiCl"])
    batched = batched_static(cells, eng, max_atoms=40)  # several model calls, one of them with 3 structures
    assert [len(r.structure) for r in batched] == [len(s) for s in cells]
    for s, r in zip(cells, batched):
        atoms = AseAtomsAdaptor.get_atoms(s)
        atoms.calc = eng.calculator()
        e = float(atoms.get_potential_energy())
        # 1e-6 eV/atom, or the float32 resolution of the total energy (4 ulp) where that is coarser (96 atoms)
        assert r.energy_per_atom == pytest.approx(e / len(s), abs=max(1e-6, 4 * float(np.finfo(np.float32).eps) * abs(e)
                                                                          / len(s)))
        assert np.abs(r.forces - atoms.get_forces()).max() < 5e-5  # eV/Å: float32 models, summed in another order
        assert np.abs(r.stress - atoms.get_stress(voigt=False)).max() < 1e-6  # eV/Å³
    assert max(np.abs(r.forces).max() for r in batched) > 0.1  # the rattle made forces worth comparing


def test_batched_relaxation_converges_each_structure_and_lowers_the_energy():
    from ssbi.workflows.engines.batched import batched_relax, batched_static
    from ssbi.workflows.engines.registry import get_engine
    from ssbi.workflows.errors import EngineError

    eng = get_engine("chgnet")
    cells = rattled(["Li2S", "Li3PS4"], supercell=False)
    before = batched_static(cells, eng)
    after = batched_relax(cells, eng, fmax=0.01)
    for s, b, a in zip(cells, before, after):
        assert np.linalg.norm(a.forces, axis=1).max() < 0.01
        assert a.energy < b.energy and a.steps > 0
        assert np.allclose(a.structure.lattice.matrix, s.lattice.matrix, atol=1e-5)  # fixed cell
    # a structure converged from the start stays put while the batch relaxes the others (no drift)
    still = load("Li2S", "chgnet")
    mixed = batched_relax([still, *cells], eng, fmax=0.01)
    assert mixed[0].steps == 0 and np.allclose(mixed[0].structure.cart_coords, still.cart_coords, atol=1e-5)
    assert mixed[1].energy == pytest.approx(after[0].energy, abs=1e-4 * len(cells[0]))
    with pytest.raises(EngineError, match="not below fmax"):
        batched_relax(cells[:1], eng, fmax=1e-6, max_steps=3)


def test_fast_elastic_path_matches_atomate2_full_flow_for_li2s(tmp_path, monkeypatch):
    """Li2S with CHGNet: the fast path (force-constant preconditioned) within 3 % of atomate2's full flow in K, G."""
    from ssbi.workflows.flows.mechanics import MechanicsMaker
    from ssbi.workflows.run.local import run_flow

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    docs = {}
    for protocol in ("full", "fast"):
        store = memory_jobstore()
        maker = MechanicsMaker(engine="chgnet", protocol=protocol)
        run_flow(Flow([maker.make(load("Li2S", "chgnet"), "Li2S")]), store)
        store.connect()
        docs[protocol] = store.query_one({"output.kind": "mechanics"})["output"]
    full, fast = docs["full"], docs["fast"]
    assert full["fingerprint"] != fast["fingerprint"]  # a protocol is part of a result's identity
    assert fast["k_vrh"] == pytest.approx(full["k_vrh"], rel=0.03)
    assert fast["g_vrh"] == pytest.approx(full["g_vrh"], rel=0.03)
    assert fast["n_deformations"] == full["n_deformations"]  # atomate2's deformations, relaxed another way


def test_fast_protocol_refused_for_an_engine_without_batching():
    from ssbi.workflows.errors import EngineError
    from ssbi.workflows.flows.mechanics import MechanicsMaker

    with pytest.raises(EngineError, match="no fast elastic path"):
        MechanicsMaker(engine="vasp", protocol="fast").fingerprint(load("Li2S", "chgnet"))
    assert MechanicsMaker(engine="vasp").elastic_protocol() == "full"
    with pytest.raises(EngineError, match="choose auto, fast or full"):
        MechanicsMaker(engine="chgnet", protocol="quick")
