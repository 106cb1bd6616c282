"""Work of adhesion: formulas, UBER, the flow with CHGNet and with recorded CP2K, bad input."""

import json

import numpy as np
import pytest
from conftest import ssbi
from helpers import memory_jobstore

from ssbi.interfaces.adhesion import fit_uber, uber, work_of_adhesion
from ssbi.interfaces.errors import NoMatchError, SSBIError
from ssbi.interfaces.materials import load
from ssbi.workflows.flows.adhesion import AdhesionMaker
from ssbi.workflows.run.local import RunFailedError, run_flow

SMALL = dict(film_thickness=4, substrate_thickness=5, max_atoms=80, max_area=80, max_strain=0.08, vacuum=10)


def test_work_of_adhesion_units():
    # 1 eV over 16.021766 Å² is 1 J/m²; a periodic stack counts two interfaces
    assert work_of_adhesion(-10.0, -20.0, -31.0, 16.021766) == pytest.approx(1.0)
    assert work_of_adhesion(-10.0, -20.0, -31.0, 16.021766, n_interfaces=2) == pytest.approx(0.5)


def test_uber_fit_recovers_parameters():
    rng = np.random.default_rng(7)
    gaps = np.linspace(1.0, 6.0, 9)
    truth = (0.85, 2.2, 0.55)
    energies = uber(gaps, *truth) * (1 + 0.002 * rng.standard_normal(gaps.size))
    fit = fit_uber(gaps, energies)
    for got, want in zip((fit.w_ad, fit.d0, fit.length), truth):
        assert got == pytest.approx(want, rel=0.01)


def run_adhesion(maker, film, substrate, tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_jobstore()
    flow = maker.make(load(film, "chgnet"), load(substrate, "chgnet"), film, substrate)
    run_flow(flow, store)
    docs = list(store.query({"output.kind": "adhesion"}, load=True))
    assert len(docs) == 1
    return docs[0]["output"]


def test_chgnet_relaxed_adhesion_li_li2s(tmp_path, monkeypatch):
    # Li on the S-terminated face of Li2S(100) (`ssbi terminations Li2S 1 0 0`: S2 or Li4)
    maker = AdhesionMaker(engine="chgnet", build={**SMALL, "substrate_termination": "S2"}, relax_bulk=False,
                          relax=True)
    doc = run_adhesion(maker, "Li", "Li2S", tmp_path, monkeypatch)
    assert doc["termination"] == ["Li", "S2"]
    for value in (doc["w_ad_rigid"], doc["w_ad_relaxed"]):
        assert np.isfinite(value) and 0 < value < 5
    # relaxing can only lower each energy, and here it strengthens the contact
    for key in ("interface", "film_slab", "substrate_slab"):
        assert doc["energies"][f"{key}_relaxed"] <= doc["energies"][f"{key}_rigid"] + 1e-6
    assert doc["w_ad_relaxed"] > doc["w_ad_rigid"]
    # the strained side (Li, about 3 % biaxial) stores elastic energy; the other side none
    assert doc["strained_side"] == "film" and doc["strain_energy"]["substrate"] == 0.0
    assert 0 < doc["strain_energy_per_atom"]["film"] < 0.05
    assert doc["interface_structure"]["sites"]  # the relaxed interface is stored
    # each side's reference is the lower of its own slab relaxation and its half of the relaxed interface relaxed
    # apart (a face that reconstructs only in contact must not count as adhesion)
    e = doc["energies"]
    refs = [min(e[f"{side}_slab_relaxed"], e[f"{side}_half_relaxed"]) for side in ("film", "substrate")]
    assert doc["w_ad_relaxed"] == pytest.approx(work_of_adhesion(*refs, e["interface_relaxed"], doc["area"]))
    for side in ("film", "substrate"):
        assert doc["slab_reconstruction"][side] == pytest.approx(
            (e[f"{side}_slab_relaxed"] - e[f"{side}_half_relaxed"]) / doc["area"] * 16.021766)


def test_separated_halves_split_by_region():
    from pymatgen.core import Lattice, Structure

    from ssbi.interfaces.adhesion import separated_halves

    cell = Structure(Lattice.tetragonal(3.0, 20.0), ["Li", "Li", "S", "S"],
                     [[0, 0, 0.1], [0.5, 0.5, 0.2], [0, 0, 0.5], [0.5, 0.5, 0.6]])
    halves = separated_halves(cell, ["substrate", "substrate", "film", "film"])
    assert halves["film"].composition.reduced_formula == "S" and len(halves["film"]) == 2
    assert halves["substrate"].composition.reduced_formula == "Li"
    assert halves["film"].lattice == cell.lattice  # the interface's own cell
    with pytest.raises(ValueError, match="3 regions for 4 sites"):
        separated_halves(cell, ["film", "film", "substrate"])


@pytest.mark.parametrize("film, substrate, film_miller, substrate_miller, build", [
    ("Li", "Li3PS4", (1, 1, 0), (0, 1, 0), dict(film_thickness=4, substrate_thickness=6, max_atoms=160)),
    ("Li", "Li6PS5Cl", (1, 0, 0), (1, 0, 0), dict(film_thickness=4, substrate_thickness=6, max_atoms=160)),
    ("Li2S", "Li6PS5Cl", (1, 1, 1), (1, 0, 0), dict(film_thickness=4, substrate_thickness=6, max_atoms=200)),
])
def test_chgnet_rigid_adhesion_is_positive(film, substrate, film_miller, substrate_miller, build, tmp_path,
                                           monkeypatch):
    maker = AdhesionMaker(engine="chgnet", film_miller=film_miller, substrate_miller=substrate_miller,
                          build={**build, "vacuum": 10}, relax_bulk=False, relax=False)
    doc = run_adhesion(maker, film, substrate, tmp_path, monkeypatch)
    assert np.isfinite(doc["w_ad_rigid"]) and 0 < doc["w_ad_rigid"] < 5, doc["w_ad_rigid"]


def test_adhesion_converged_with_slab_thickness(tmp_path, monkeypatch):
    """Rigid W_ad of Li(100) | Li2S(100) for two slab thicknesses (relaxed values: see the notes)."""
    values = []
    for film_t, sub_t in ((7, 9), (10, 12)):
        maker = AdhesionMaker(engine="chgnet", relax_bulk=False, relax=False,
                              build={**SMALL, "film_thickness": film_t, "substrate_thickness": sub_t, "max_atoms": 140})
        doc = run_adhesion(maker, "Li", "Li2S", tmp_path / f"t{film_t}", monkeypatch)
        values.append((doc["n_atoms"], doc["w_ad_rigid"]))
    print("Li|Li2S W_ad(rigid) vs cell size:", values)
    assert values[0][0] < values[1][0]
    assert abs(values[0][1] - values[1][1]) < 0.05


def test_scans_with_chgnet(tmp_path, monkeypatch):
    maker = AdhesionMaker(engine="chgnet", build=SMALL, relax_bulk=False, relax=False, scan_registry=True,
                          scan_separation=True)
    doc = run_adhesion(maker, "Li", "Li2S", tmp_path, monkeypatch)
    assert len(doc["registry"]["binding_energy"]) == 9
    assert min(doc["registry"]["binding_energy"]) == pytest.approx(-doc["w_ad_rigid"], abs=1e-6)
    assert tuple(doc["registry"]["best"]) == tuple(doc["in_plane_offset"])
    uber_fit = doc["uber"]
    assert len(uber_fit["gaps"]) == 9 and 1.0 < uber_fit["d0"] < 4.0 and uber_fit["w_ad"] > 0
    assert doc["w_ad_relaxed"] is None


def test_first_n_candidates_share_the_bulk_jobs(tmp_path, monkeypatch, memory_store):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    # Li(110) | Li2S(111): the two best candidates are the S- and the Li-terminated Li2S surface
    maker = AdhesionMaker(engine="chgnet", film_miller=(1, 1, 0), substrate_miller=(1, 1, 1),
                          build={**SMALL, "max_atoms": 60}, relax_bulk=False, relax=False, n_candidates=2)
    store = memory_store
    film, substrate = load("Li", "chgnet"), load("Li2S", "chgnet")
    run_flow(maker.make(film, substrate, "Li", "Li2S"), store)
    docs = sorted((d["output"] for d in store.query({"output.kind": "adhesion"}, load=True)),
                  key=lambda d: d["candidate"])
    assert [d["candidate"] for d in docs] == [0, 1]
    assert [d["fingerprint"] for d in docs] == [maker.fingerprint(film, substrate, i) for i in (0, 1)]
    assert docs[0]["fingerprint"] != docs[1]["fingerprint"]
    assert docs[0]["n_atoms"] <= docs[1]["n_atoms"]  # ranked: fewest atoms first
    assert docs[0]["termination"] != docs[1]["termination"]
    assert all(d["w_ad_rigid"] > 0 for d in docs)
    assert store.count({"name": "adhesion static film bulk"}) == 1  # the bulks ran once for both


def test_cp2k_adhesion_from_recordings(cp2k_data, monkeypatch, tmp_path, memory_store):
    """The whole flow on recorded CP2K runs: W_ad equals the hand value from the recorded energies."""
    import atomate2.cp2k.jobs.base as cp2k_base
    from test_cp2k_recorded import recorded_energy

    from ssbi.workflows.testing.cp2k import fake_run_cp2k_by_job, load_reference

    monkeypatch.setattr(cp2k_base, "run_cp2k", fake_run_cp2k_by_job({
        "adhesion static film bulk": "li_bulk", "adhesion static substrate bulk": "li2s_bulk",
        "adhesion static interface": "li_li2s_interface", "adhesion static film slab": "li_slab",
        "adhesion static substrate slab": "li2s_slab", "adhesion static film slab unstrained": "li_slab_unstrained"}))
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store
    # recorded on Li over the S-terminated face of Li2S(100)
    maker = AdhesionMaker(engine="cp2k", build={**SMALL, "substrate_termination": "S2"}, relax_bulk=False, relax=False)
    run_flow(maker.make(load("Li"), load("Li2S"), "Li", "Li2S"), store)
    doc = store.query_one({"output.kind": "adhesion"}, load=True)["output"]
    interface, _ = load_reference("li_li2s_interface")
    area = interface.lattice.volume / interface.lattice.c
    by_hand = (recorded_energy("li_slab") + recorded_energy("li2s_slab")
               - recorded_energy("li_li2s_interface")) / area * 16.021766
    assert doc["w_ad_rigid"] == pytest.approx(by_hand, rel=1e-6)
    assert doc["engine"]["name"] == "cp2k" and doc["engine"]["energy_scale"] == "raw-gga"
    eps_li = recorded_energy("li_bulk") / 1
    sigma_li = (recorded_energy("li_slab") - 20 * eps_li) / (2 * area) * 16.021766
    assert doc["surface_energy"]["film"] == pytest.approx(sigma_li, rel=1e-6)
    assert 0 < sigma_li < 1.0  # Li(100) surface energy, about 0.45 J/m² in PBE
    # the Li film carries the strain (about 3 % biaxial); Li2S keeps its own cell
    strain = (recorded_energy("li_slab") - recorded_energy("li_slab_unstrained")) / area * 16.021766
    assert doc["strain_energy"]["film"] == pytest.approx(strain, rel=1e-6)
    assert doc["strain_energy"]["substrate"] == 0.0 and strain > 0


def test_failed_job_leaves_no_adhesion_doc(cp2k_data, monkeypatch, tmp_path, memory_store):
    import atomate2.cp2k.jobs.base as cp2k_base

    from ssbi.workflows.testing.cp2k import fake_run_cp2k_by_job

    # recordings for the bulks only: the interface single point fails
    monkeypatch.setattr(cp2k_base, "run_cp2k", fake_run_cp2k_by_job({
        "adhesion static film bulk": "li_bulk", "adhesion static substrate bulk": "li2s_bulk"}))
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store
    maker = AdhesionMaker(engine="cp2k", build=SMALL, relax_bulk=False, relax=False)
    with pytest.raises(RunFailedError, match="no CP2K recording"):
        run_flow(maker.make(load("Li"), load("Li2S"), "Li", "Li2S"), store)
    assert store.count({"output.kind": "adhesion"}) == 0


def test_no_match_fails_before_any_job():
    maker = AdhesionMaker(build=dict(max_strain=0.001, max_area=30))
    with pytest.raises(NoMatchError):
        maker.check_build(load("Li"), load("Li6PS5Cl"))


def test_a_study_remembers_a_pair_with_no_cell_and_force_builds_it_again(tmp_path, monkeypatch):
    """A no-match inside the flow (relaxed bulks given) is remembered per fingerprint in the data folder: the next
    run fails with the same line without building, --force builds again; nothing is stored either way."""
    import ssbi.workflows.flows.adhesion as flows_adhesion
    from ssbi.workflows.run.analyses import AdhesionAnalysis
    from ssbi.workflows.run.executor import Executor

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    builds = []
    real = flows_adhesion.build_interfaces
    monkeypatch.setattr(flows_adhesion, "build_interfaces", lambda *a, **k: builds.append(1) or real(*a, **k))
    li, argyrodite = load("Li"), load("Li6PS5Cl")

    def analysis(max_strain):
        maker = AdhesionMaker(build=dict(max_strain=max_strain, max_area=30), relax=False)
        return AdhesionAnalysis("Li", "Li6PS5Cl", li, argyrodite, maker,
                                bulks=({"structure": li, "energy_per_atom": -1.9},
                                       {"structure": argyrodite, "energy_per_atom": -4.0}))

    store = memory_jobstore()
    first = Executor(store).run_one(analysis(0.001))
    assert first.status == "failed" and "No lattice match for Li(1, 0, 0) on Li6PS5Cl" in first.message
    assert len(builds) == 1
    again = Executor(store).run_one(analysis(0.001))
    assert again.status == "failed" and "No lattice match" in again.message and "--force" in again.message
    assert len(builds) == 1  # not rebuilt
    other = Executor(store).run_one(analysis(0.002))  # another limit is another pair: built
    assert other.status == "failed" and len(builds) == 2
    forced = Executor(store, force=True).run_one(analysis(0.001))
    assert forced.status == "failed" and "as found" not in forced.message and len(builds) == 3
    retried = Executor(store, retry_no_match=True).run_one(analysis(0.001))  # a study's --force
    assert retried.status == "failed" and "as found" not in retried.message and len(builds) == 4
    assert store.count({"output.kind": "adhesion"}) == 0


def test_overlapping_atoms_fail_before_any_job():
    maker = AdhesionMaker(build={**SMALL, "gap": 0.3})
    with pytest.raises(SSBIError, match="closer than"):
        maker.check_build(load("Li"), load("Li2S"))


def test_cli_adhesion_table_plots_and_reuse(tmp_path):
    args = ["adhesion", "Li", "Li2S", "--no-relax", "--scan-separation", "--max-atoms", "80", "--max-area", "80",
            "--max-strain", "0.08", "--film-thickness", "4", "--substrate-thickness", "5", "--vacuum", "10",
            "-o", str(tmp_path / "plots")]
    first = ssbi(*args, data_dir=tmp_path, check=True)
    assert "W_ad rigid" in first.stdout and "UBER fit" in first.stdout
    assert (tmp_path / "plots" / "uber.png").stat().st_size > 10_000
    words = " ".join(first.stdout.split())
    # the bulks are the hull's: the shipped CHGNet relaxations of the library cells, nothing relaxed again
    assert "reusing the chgnet bulk relaxation of Li (shipped" in words, words
    assert "reusing the chgnet bulk relaxation of Li2S (shipped" in words
    rows = json.loads(ssbi("query", "tasks", "--format", "json", data_dir=tmp_path, check=True).stdout)
    assert rows == []
    second = ssbi(*args, data_dir=tmp_path, check=True)
    assert "already stored" in second.stdout
    bad = ssbi("adhesion", "Li", "Li2S", "--engine", "cp2k", data_dir=tmp_path,
               env={"PATH": "/nonexistent", "ATOMATE2_CP2K_CMD": ""})
    assert bad.returncode != 0 and "apt-get install cp2k" in bad.stderr


def test_cli_adhesion_submit_through_fireworks(tmp_path):
    args = ["adhesion", "Li", "Li2S", "--no-relax", "--max-atoms", "80", "--max-area", "80", "--max-strain", "0.08",
            "--film-thickness", "4", "--substrate-thickness", "5", "--vacuum", "10", "-o", str(tmp_path / "plots")]
    sub = ssbi(*args, "--submit", data_dir=tmp_path, check=True)
    assert "submitted adhesion" in sub.stdout
    assert "already queued" in ssbi(*args, "--submit", data_dir=tmp_path, check=True).stdout
    ssbi("worker", data_dir=tmp_path, check=True)
    status = ssbi("status", data_dir=tmp_path, check=True).stdout
    assert "COMPLETED" in status and "FIZZLED" not in status
    local = ssbi(*args, data_dir=tmp_path, check=True)  # the result FireWorks stored is found
    assert "already stored" in local.stdout and "W_ad rigid" in local.stdout
