"""Checkpointed MD: kill and resume, and a short CHGNet interface MD into the store."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from ssbi.interfaces.materials import load

RUN = """
import sys
from pymatgen.io.ase import AseAtomsAdaptor
from ssbi.interfaces.materials import load
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.engines.md import run_md
atoms = AseAtomsAdaptor.get_atoms(load("Li2S", "chgnet"))
run_md(atoms, get_engine("chgnet").calculator(), sys.argv[1], 600, 160, save_every=10, chunk_steps=40)
"""


def test_killed_md_resumes_without_gaps_or_duplicates(tmp_path):
    from pymatgen.io.ase import AseAtomsAdaptor

    from ssbi.workflows.engines.md import run_md
    from ssbi.workflows.engines.registry import get_engine

    folder = tmp_path / "md"
    proc = subprocess.Popen([sys.executable, "-c", RUN, str(folder)], start_new_session=True)
    deadline = time.time() + 300
    while not (folder / "chunk_00000.npz").exists():
        assert proc.poll() is None and time.time() < deadline, "the MD process ended before its first checkpoint"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = len(list(folder.glob("chunk_*.npz")))
    assert 1 <= written < 4  # killed part-way
    atoms = AseAtomsAdaptor.get_atoms(load("Li2S", "chgnet"))
    traj = run_md(atoms, get_engine("chgnet").calculator(), folder, 600, 160, save_every=10, chunk_steps=40)
    assert traj["steps"].tolist() == list(range(0, 161, 10))  # every saved step exactly once
    assert traj["positions"].shape == (17, len(atoms), 3)
    # continuous across the restart: no frame jumps more than a thermal step
    jumps = np.linalg.norm(np.diff(traj["positions"], axis=0), axis=2).max(axis=1)
    assert jumps.max() < 1.0


def test_changed_settings_refuse_old_checkpoints(tmp_path):
    from pymatgen.io.ase import AseAtomsAdaptor

    from ssbi.workflows.engines.md import run_md
    from ssbi.workflows.engines.registry import get_engine

    atoms = AseAtomsAdaptor.get_atoms(load("Li2S", "chgnet"))
    calc = get_engine("chgnet").calculator()
    run_md(atoms, calc, tmp_path, 600, 20, save_every=10, chunk_steps=20)
    with pytest.raises(ValueError, match="other settings"):
        run_md(atoms, calc, tmp_path, 900, 20, save_every=10, chunk_steps=20)


@pytest.mark.slow
def test_chgnet_interface_md_into_the_store(tmp_path, monkeypatch, memory_store):
    """Li(110) | Li3PS4(010), 54 atoms, 0.6 ps at 800 K: the AIMDDoc is complete, the trajectory is in data."""

    from ssbi.interfaces.builder import build_interfaces
    from ssbi.workflows.flows.md import AIMDMaker
    from ssbi.workflows.run.local import run_flow

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    cand = build_interfaces(load("Li", "chgnet"), load("Li3PS4", "chgnet"), (1, 1, 0), (0, 1, 0), film_thickness=4,
                            substrate_thickness=6, max_atoms=160, vacuum=10)[0]
    store = memory_store
    maker = AIMDMaker(temperatures=(800.0,), ps=0.6, equilibration_ps=0.1, save_every=10, chunk_steps=200)
    run_flow(maker.make(cand.interface, label="Li|Li3PS4"), store)
    doc = store.query_one({"output.kind": "aimd"}, load=True)["output"]
    t = doc["temperatures"][0]
    assert t["n_frames"] == 31 - 5 and doc["boundary"] is not None  # 300 steps saved every 10, 0.1 ps left out
    regions = {x["region"]: x for x in t["transport"]}
    assert set(regions) >= {"cell", "electrolyte", "interface", "electrode"}
    assert all(x["diffusivity"] >= 0 and np.isfinite(x["conductivity"]) for x in regions.values())
    assert len(t["intact_ps4_fraction"]) == len(t["times_ps"]) and 0 <= min(t["intact_ps4_fraction"]) <= 1
    assert t["intact_ps4_fraction"][0] == 1.0  # the builder keeps every PS4 whole at t = 0
    assert len(t["reacted_thickness"]) == len(t["times_ps"]) and "Li-S" in t["rdf"]
    # the trajectory is in the data store, not in the document
    run = store.query_one({"name": "md Li|Li3PS4 800 K"}, load=True)
    assert len(run["output"]["trajectory"]["positions"]) == 31
    raw = store.docs_store.query_one({"name": "md Li|Li3PS4 800 K"})
    assert raw["output"]["trajectory"]["store"] == "data" and "blob_uuid" in raw["output"]["trajectory"]


def test_md_through_fireworks_then_found_locally(tmp_path):
    from conftest import ssbi

    args = ["md", "Li", "Li2S", "--temps", "600", "--ps", "0.1", "--equilibration-ps", "0.02", "--max-atoms", "80",
            "--max-strain", "0.08", "--film-thickness", "4", "--substrate-thickness", "5", "-o", str(tmp_path / "p")]
    sub = ssbi(*args, "--submit", data_dir=tmp_path, check=True)
    assert "submitted as workflow" in sub.stdout
    ssbi("worker", data_dir=tmp_path, check=True)
    status = ssbi("status", data_dir=tmp_path, check=True).stdout
    assert "COMPLETED" in status and "FIZZLED" not in status
    again = ssbi(*args, data_dir=tmp_path, check=True).stdout
    assert "already stored: MD of Li|Li2S" in again
    # the stored trajectory can be analysed again, with another interface width
    result_id = again.split("is result ")[1].split()[0]
    redo = ssbi("md-analyze", result_id, "--width", "6", "-o", str(tmp_path / "md"), data_dir=tmp_path, check=True)
    assert "Li|Li2S at 600 K" in redo.stdout and (tmp_path / "md" / "md.png").stat().st_size > 10_000
    missing = ssbi("md-analyze", "no-such-id", data_dir=tmp_path)
    assert missing.returncode != 0 and "no stored MD result" in missing.stderr


@pytest.mark.slow
def test_killed_md_worker_then_rerun_continues_from_its_checkpoint(tmp_path):
    """`ssbi md --submit`, a worker killed after the first MD chunk, `ssbi rerun`: the first chunk is kept
    (not recomputed) and the stored trajectory has every saved step once."""
    from conftest import ssbi

    args = ["md", "Li", "Li2S", "--temps", "600", "--ps", "0.8", "--equilibration-ps", "0.1", "--max-atoms", "80",
            "--max-strain", "0.08", "--film-thickness", "4", "--substrate-thickness", "5"]
    ssbi(*args, "--submit", data_dir=tmp_path, check=True)
    env = {**os.environ, "SSBI_DATA_DIR": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-m", "ssbi.workflows.cli", "worker"], env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 400
    while not list((tmp_path / "md").glob("*/T600/chunk_00000.npz")):
        assert worker.poll() is None and time.time() < deadline, "the worker ended before the first checkpoint"
        time.sleep(0.2)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    (first,) = list((tmp_path / "md").glob("*/T600/chunk_00000.npz"))
    kept = first.stat().st_mtime_ns
    assert not (first.parent / "chunk_00001.npz").exists()  # killed inside the second chunk
    rerun = ssbi("rerun", data_dir=tmp_path, check=True)
    assert "firework(s) run" in rerun.stdout
    assert first.stat().st_mtime_ns == kept  # continued, not restarted
    again = ssbi(*args, data_dir=tmp_path, check=True).stdout
    result_id = again.split("is result ")[1].split()[0]
    from ssbi.workflows.store.jobstore import open_store

    os.environ["SSBI_DATA_DIR"] = str(tmp_path)
    try:
        store = open_store(None)
        doc = store.query_one({"uuid": result_id}, load=False)["output"]
        run = store.query_one({"uuid": next(iter(doc["trajectory_jobs"].values()))}, load=True)["output"]
    finally:
        del os.environ["SSBI_DATA_DIR"]
    assert run["steps"] == list(range(0, 401, 10))
    jumps = np.linalg.norm(np.diff(np.array(run["trajectory"]["positions"]), axis=0), axis=2).max()
    assert jumps < 1.0


def test_vasp_md_inputs_for_hpc(tmp_path):
    """`ssbi md --engine vasp` writes atomate2 VASP MD inputs per temperature (NVT Langevin, Gamma only,
    bottom layers fixed) and runs nothing here."""
    from conftest import ssbi
    from pymatgen.io.vasp import Incar, Kpoints, Poscar

    out = tmp_path / "inputs"
    res = ssbi("md", "Li", "Li2S", "--engine", "vasp", "--temps", "600", "--temps", "900", "--ps", "0.1",
               "--max-atoms", "80", "--max-strain", "0.08", "--film-thickness", "4", "--substrate-thickness", "5",
               "-o", str(out), data_dir=tmp_path, check=True)
    assert "add --submit" in res.stdout
    for t in (600, 900):
        incar = Incar.from_file(out / f"vasp-md-{t}K" / "INCAR")
        assert incar["IBRION"] == 0 and incar["MDALGO"] == 3 and incar["TEBEG"] == incar["TEEND"] == t
        assert incar["NSW"] == 50 and incar["POTIM"] == 2.0 and incar["ISYM"] == 0
        assert len(incar["LANGEVIN_GAMMA"]) == 2  # one per species
        assert Kpoints.from_file(out / f"vasp-md-{t}K" / "KPOINTS").kpts == [(1, 1, 1)]
        poscar = Poscar.from_file(out / f"vasp-md-{t}K" / "POSCAR")
        flags = poscar.structure.site_properties["selective_dynamics"]
        assert any(not any(f) for f in flags) and any(all(f) for f in flags)  # fixed bottom, free top
