"""DFT band gap spot checks (ssbi gap): the gap read from a DOS, a recorded CP2K run through the pipeline, and the
stored gap overriding the shipped table where interphases are classified."""

import gzip
import json

import numpy as np
import pytest
from helpers import memory_jobstore, ssbi

from ssbi.interfaces.analysis.band_gap import band_gap_from_dos, read_cp2k_dos
from ssbi.interfaces.analysis.interphase import classify_interphase, load_band_gaps
from ssbi.workflows.store.band_gaps import band_gaps_with_store, gaps_hash, stored_band_gaps
from ssbi.workflows.testing.cp2k import fake_run_cp2k, reference_path


def test_gap_between_filled_and_empty_bins():
    energy = np.arange(10.0)
    density = np.array([1, 0, 2, 1, 0, 0, 0, 1, 2, 1], float)
    occupation = np.array([2, 0, 4, 2, 0, 0, 0, 0, 0, 0], float)  # two electrons per state up to 3 eV
    gap = band_gap_from_dos(energy, density, occupation)
    assert not gap.metallic and gap.gap == pytest.approx(4.0) and (gap.vbm, gap.cbm) == (3.0, 7.0)
    half = occupation.copy()
    half[3] = 1.0  # the top state half filled: a metal
    assert band_gap_from_dos(energy, density, half).metallic and band_gap_from_dos(energy, density, half).gap == 0.0
    with pytest.raises(ValueError, match="no empty states"):
        band_gap_from_dos(energy[:4], density[:4], occupation[:4])


def test_recorded_alp_dos_gives_the_pbe_gap():
    """Zinc-blende AlP: PBE 1.6 eV (indirect; Materials Project mp-1550 lists 1.63 eV), exp. 2.45 eV."""
    files = list(reference_path("alp_gap").glob("*-1.dos*"))
    assert files, "the AlP recording keeps its DOS file"
    opener = gzip.open if files[0].suffix == ".gz" else open
    with opener(files[0], "rt") as fh:
        gap = read_cp2k_dos(fh.read())
    assert not gap.metallic and 1.5 < gap.gap < 1.8


def _run_alp(monkeypatch, tmp_path, store=None):
    import atomate2.cp2k.jobs.base as cp2k_base

    from ssbi.workflows.engines.cp2k import Cp2kEngine

    monkeypatch.setattr(cp2k_base, "run_cp2k", fake_run_cp2k("alp_gap"))
    monkeypatch.setattr(Cp2kEngine, "check", lambda self: None)  # the recording stands in for the binary
    return ssbi("gap", "mp-1550", "--format", "json", data_dir=tmp_path)


def test_ssbi_gap_stores_the_gap_and_it_overrides_the_table(cp2k_data, monkeypatch, tmp_path):
    """`ssbi gap mp-1550` on the recorded CP2K run: the BandGapDoc is stored once, shown beside the shipped table's
    row (which this very spot check filled), and the stored gap wins: without any AlP gap an interphase of AlP + Li2S
    is undetermined, with the store's it passivates."""
    run = _run_alp(monkeypatch, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    doc = json.loads(run.stdout)
    assert doc["formula"] == "AlP" and 1.5 < doc["gap"] < 1.8 and not doc["conducts"] and doc["n_atoms"] == 2
    assert doc["kmesh"] == "8 irreducible k-points" and "PBE" in doc["source"]
    assert doc["shipped"]["kind"] == "insulator" and abs(doc["shipped"]["gap"] - doc["gap"]) < 0.05
    again = _run_alp(monkeypatch, tmp_path)
    assert json.loads(again.stdout)["fingerprint"] == doc["fingerprint"]
    rows = json.loads(ssbi("query", "gaps", "--format", "json", data_dir=tmp_path, check=True).stdout)
    assert [(r["formula"], r["kmesh"], r["conducts"]) for r in rows] == [("AlP", "8 irreducible k-points", False)]
    assert rows[0]["gap_eV"] == pytest.approx(doc["gap"])

    from ssbi.workflows.store.jobstore import open_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = open_store(None)
    assert store.count({"output.kind": "band_gap"}) == 1
    found = stored_band_gaps(store)
    assert set(found) == {"AlP"}
    table = band_gaps_with_store(store)
    assert table["AlP"].kind == "insulator" and table["AlP"].source.startswith("computed: cp2k PBE")
    no_alp = {k: v for k, v in load_band_gaps().items() if k != "AlP"}
    products = ["AlP", "Li2S"]
    assert classify_interphase(products, ["LiAl", "Li3PS4"], -0.5, gaps=no_alp).type == "undetermined"
    assert classify_interphase(products, ["LiAl", "Li3PS4"], -0.5, gaps=table).type == "passivating"
    # the stability builder's documents that used AlP are out of date once its gap is stored
    assert gaps_hash(table, ["Li2S"]) == gaps_hash(load_band_gaps(), ["Li2S"])
    assert gaps_hash(table, ["AlP", "Li2S"]) != gaps_hash(load_band_gaps(), ["AlP", "Li2S"])


def test_gap_input_errors_are_one_line(tmp_path):
    run = ssbi("gap", "Li2S", "--engine", "chgnet", data_dir=tmp_path)
    assert run.returncode == 2 and "gives no band gap here" in run.stderr
    run = ssbi("gap", "AlP", data_dir=tmp_path)
    assert run.returncode == 2 and "its reference structures: mp-1550" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    run = ssbi("gap", "Xx2O", data_dir=tmp_path)  # no library name, no reference formula: says what else is taken
    assert run.returncode == 2 and "Unknown material 'Xx2O'" in run.stderr and "reference phase id" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    store = memory_jobstore()
    assert stored_band_gaps(store) == {}
