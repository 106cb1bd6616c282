"""Your own references (issue 35, part 2): `ssbi reference import FILE|DIR`. Materials Project entries keep their
scale and ids; a folder of CIFs is relaxed with the chosen engine; a set is the whole phase set of a question."""

import json

import pytest
from monty.serialization import dumpfn
from pymatgen.core import Lattice, Structure
from pymatgen.entries.computed_entries import ComputedStructureEntry
from typer.testing import CliRunner

from ssbi.workflows.cli import app

# per-atom energies of a made-up MP-like Li-S set: Li2S formation -1.5 eV/atom -> Li2S/S at 3 * 1.5 / 2 = 2.25 V
E_LI, E_S, DHF = -1.9, -4.1, -1.5


def _mp_entries() -> list:
    li = Structure(Lattice.cubic(3.44), ["Li", "Li"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    s = Structure(Lattice.cubic(4.0), ["S"], [[0, 0, 0]])
    li2s = Structure(Lattice.cubic(5.7), ["S", "Li", "Li"], [[0, 0, 0], [0.25, 0.25, 0.25], [0.75, 0.75, 0.75]])
    lis4 = Structure(Lattice.cubic(6.0), ["Li", "S", "S", "S", "S"],
                     [[0, 0, 0], [0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5], [0.5, 0.5, 0.5]])
    e_li2s = (2 * E_LI + E_S) / 3 + DHF
    e_lis4 = (E_LI + 4 * E_S) / 5 - 0.6  # below the Li2S-S tie line: on this hull, as MP's LiS4 is on CHGNet's
    return [ComputedStructureEntry(li, 2 * E_LI, entry_id="mp-135-GGA", parameters={"run_type": "GGA"}),
            ComputedStructureEntry(s, E_S, entry_id="mp-77-GGA", parameters={"run_type": "GGA"}),
            ComputedStructureEntry(li2s, 3 * e_li2s, entry_id="mp-1153-GGA", parameters={"run_type": "GGA"}),
            ComputedStructureEntry(lis4, 5 * e_lis4, entry_id="mp-1546006-GGA", parameters={"run_type": "GGA"})]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def _invoke(*args):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250"})


def test_an_mp_entries_file_is_imported_with_its_scale_and_ids_and_is_the_whole_phase_set(env):
    path = env / "Li-S_mp.json"
    dumpfn(_mp_entries(), path)  # as a user saves mp-api's get_entries_in_chemsys
    res = _invoke("reference", "import", str(path))
    assert res.exit_code == 2 and "has no energy_scale" in res.output  # MP's scale must be said, not guessed
    res = _invoke("reference", "import", str(path), "--scale", "mp2020", "--name", "mpLiS")
    assert res.exit_code == 0, res.output
    assert "imported 4 entries of Li-S (imported:mpLiS, mp2020 scale, run types GGA)" in res.output
    saved = json.loads((env / "data" / "imported" / "mpLiS.json").read_text())
    assert saved["provenance"]["source"] == str(path.resolve()) and len(saved["provenance"]["sha256"]) == 64
    assert {e["entry_id"] for e in saved["entries"]} == {"mp-135-GGA", "mp-77-GGA", "mp-1153-GGA", "mp-1546006-GGA"}
    res = _invoke("window", "Li2S", "--entries", "mpLiS", "-o", str(env / "w"))
    assert res.exit_code == 0, res.output
    assert "0.00 – 2.25 V" in res.output  # the file's own energies, no shipped CHGNet entry mixed in
    assert "S: mp-77" in res.output and "LiS4" not in res.output  # MP ids shown; hypothetical LiS4 left out
    every = _invoke("window", "Li2S", "--entries", "mpLiS", "--all-phases", "-o", str(env / "w"))
    assert "LiS4: mp-1546006" in every.output
    assert _invoke("reference", "import", str(path), "--scale", "mp2020", "--name", "mpLiS").exit_code == 2  # exists
    listed = _invoke("reference", "imported")
    assert "mpLiS" in listed.output and "mp2020" in listed.output


def test_an_incomplete_or_unreadable_import_writes_nothing(env):
    entries = _mp_entries()[1:]  # no elemental Li
    dumpfn(entries, env / "noLi.json")
    res = _invoke("reference", "import", str(env / "noLi.json"), "--scale", "mp2020")
    assert res.exit_code == 2 and "no entry of elemental Li" in res.output
    (env / "cifs").mkdir()
    (env / "cifs" / "bad.cif").write_text("data_x\n_cell_length_a 3\n")
    res = _invoke("reference", "import", str(env / "cifs"))
    assert res.exit_code == 2 and "bad.cif" in res.output and len(res.output.strip().splitlines()) == 1
    assert not (env / "data" / "imported").exists() or not list((env / "data" / "imported").glob("*.json"))


def test_a_folder_of_cifs_is_relaxed_with_the_engine_and_gives_the_alloy_profile(env):
    from ssbi.interfaces.reference import reference_structure

    folder = env / "LiIn-cifs"
    folder.mkdir()
    for ref in ("mp-1018134", "mp-85", "mp-22460"):  # Li, In, LiIn
        reference_structure(ref).to(filename=str(folder / f"{ref}.cif"))
    res = _invoke("reference", "import", str(folder), "--engine", "chgnet", "--name", "myLiIn")
    assert res.exit_code == 0, res.output
    assert "imported 3 entries of In-Li (chgnet, mp2020 scale)" in res.output
    rep = json.loads(_invoke("alloy", "Li-In", "--entries", "myLiIn", "--format", "json").output)
    assert rep["engine"] == "file:myLiIn.json"
    assert [(p["li_poor"], p["li_rich"]) for p in rep["profile"]["plateaus"]] == [("In", "LiIn")]
    assert rep["profile"]["plateaus"][0]["voltage"] == pytest.approx(0.57, abs=0.05)  # as from the shipped hull
