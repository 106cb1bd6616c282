"""CP2K through the whole pipeline with recorded outputs (atomate2's mock pattern),
and one real run of the binary compared with its recording."""

import gzip
import re

import pytest
from jobflow import JobStore, run_locally
from maggma.stores import MemoryStore

from workflows.execution import RunFailedError, run_flow
from workflows.flows.calc import CalcMaker
from workflows.testing.cp2k import fake_run_cp2k, load_reference, reference_path

HARTREE = 27.211386245988


def recorded_energy(name: str) -> float:
    """Final total energy (eV) read straight from the recorded cp2k.out."""
    with gzip.open(reference_path(name) / "cp2k.out.gz", "rt") as fh:
        text = fh.read()
    return float(re.findall(r"ENERGY\| Total FORCE_EVAL \( QS \) energy \[a\.u\.\]:\s+(\S+)", text)[-1]) * HARTREE


def run_recorded(name, monkeypatch, tmp_path):
    import atomate2.cp2k.jobs.base as cp2k_base

    monkeypatch.setattr(cp2k_base, "run_cp2k", fake_run_cp2k(name))
    structure, target = load_reference(name)
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    flow = CalcMaker(engine="cp2k", kind="static", target=target).make(structure, material=name)
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    run_flow(flow, store)  # raises with the failing job's error
    return store, flow


@pytest.mark.parametrize("name", ["li_bulk", "li2s_bulk", "li_slab", "li2s_slab", "li_li2s_interface"])
def test_recorded_cp2k_through_pipeline(name, cp2k_data, monkeypatch, tmp_path):
    store, flow = run_recorded(name, monkeypatch, tmp_path)
    store.connect()
    assert store.count() == 2  # the atomate2 task document and our summary
    doc = store.query_one({"output.kind": "static"}, load=False)["output"]
    assert doc["energy"] == pytest.approx(recorded_energy(name), abs=1e-4)
    assert doc["engine"]["name"] == "cp2k" and doc["engine"]["energy_scale"] == "raw-gga"
    assert doc["n_atoms"] == len(load_reference(name)[0])
    task = store.query_one({"uuid": doc["task_uuid"]}, load=False)["output"]
    assert task["output"]["energy"] == pytest.approx(doc["energy"])


def test_changed_input_is_caught(cp2k_data, monkeypatch, tmp_path):
    """The replay refuses an input that differs from what was recorded."""
    from workflows.engines import get_engine

    eng = get_engine("cp2k")
    monkeypatch.setitem(eng.config, "dft", {**eng.config["dft"], "cutoff": 300})
    with pytest.raises(RunFailedError, match="CUTOFF"):
        run_recorded("li2s_bulk", monkeypatch, tmp_path)


def test_recorded_dft_adhesion_is_positive():
    """Li(100) | Li2S(100) from the recorded CP2K runs: the slabs bind (W_ad > 0)."""
    interface, _ = load_reference("li_li2s_interface")
    area = interface.lattice.volume / interface.lattice.c
    w_ad = (recorded_energy("li_slab") + recorded_energy("li2s_slab") - recorded_energy("li_li2s_interface")) / area
    w_ad_j = w_ad * 16.0218
    assert 0.05 < w_ad_j < 3.0, w_ad_j


@pytest.mark.cp2k
def test_real_cp2k_matches_recording(cp2k_data, cp2k_binary, tmp_path):
    """Run the Debian binary on the Li2S static and compare with the recording (about 2 min)."""
    structure, target = load_reference("li2s_bulk")
    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    flow = CalcMaker(engine="cp2k", kind="static", target=target).make(structure, material="Li2S")
    run_locally(flow, store=store, root_dir=tmp_path, create_folders=True, ensure_success=True, log=False)
    doc = store.query_one({"output.kind": "static"}, load=False)["output"]
    assert doc["energy"] == pytest.approx(recorded_energy("li2s_bulk"), abs=1e-3)
