"""Entry sources, the stability builder in the store, the CLI, and CHGNet sanity on the library."""

import json

import pytest
from pymatgen.entries.computed_entries import ComputedEntry

from conftest import ssbi
from interfaces.errors import InputError
from test_stability_analysis import E
from workflows.entries import entries_from_file


def write_entries(path, energies=E, scale=None):
    rows = []
    for formula, energy in energies.items():
        params = {"energy_scale": scale} if scale else {}
        rows.append(ComputedEntry(formula, energy, parameters=params, entry_id=f"syn-{formula}").as_dict())
    path.write_text(json.dumps(rows))
    return path


def analysis_count(tmp_path) -> int:
    from workflows.stability import analysis_store
    from workflows.store import open_store

    import os

    os.environ["SSBI_DATA_DIR"] = str(tmp_path)
    return analysis_store(open_store("embedded")).count()


def test_file_source_window_and_reaction_from_the_cli(tmp_path):
    path = write_entries(tmp_path / "entries.json", scale="raw-gga")
    out = ssbi("window", "Li3PS4", "--entries", str(path), "-o", str(tmp_path / "plots"), data_dir=tmp_path,
               check=True).stdout
    assert "1.28 – 1.52 V" in out and "Li2S + P" in out and "raw-gga" in out
    assert (tmp_path / "plots" / "window_profile.png").stat().st_size > 10_000
    react = ssbi("react", "Li", "Li3PS4", "--entries", str(path), "-o", str(tmp_path / "plots"), data_dir=tmp_path,
                 check=True).stdout
    assert "-0.550 eV/atom of mixture" in react and "passivating" in react
    assert analysis_count(tmp_path) == 2
    # the same question again replaces its document instead of adding one
    ssbi("window", "Li3PS4", "--entries", str(path), "-o", str(tmp_path / "plots"), data_dir=tmp_path, check=True)
    assert analysis_count(tmp_path) == 2


@pytest.mark.parametrize("content, message", [
    ("[]", "holds no entries"),
    ("{not json", "is not valid JSON"),
    ('[{"@module": "x", "energy": 1}]', "entry 0 of"),
])
def test_bad_entry_files_are_one_line_and_store_nothing(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    proc = ssbi("window", "Li3PS4", "--entries", str(path), "--file-scale", "mp2020", data_dir=tmp_path)
    assert proc.returncode != 0 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert analysis_count(tmp_path) == 0


def test_bad_formulas_are_one_line(tmp_path):
    path = write_entries(tmp_path / "entries.json", scale="raw-gga")
    for args, message in ((["window", "Li6PS5Cl"], "no entries contain Cl"),
                          (["window", "Li3Xq4"], "unknown element 'Xq'"),
                          (["window", "Li3((PS4"], "cannot read the formula"),
                          (["react", "Li", "LiGe"], "no entries contain Ge")):
        proc = ssbi(*args, "--entries", str(path), data_dir=tmp_path)
        assert proc.returncode != 0 and message in proc.stderr, proc.stderr
    assert analysis_count(tmp_path) == 0


def test_file_entries_must_say_their_scale(tmp_path):
    path = write_entries(tmp_path / "entries.json")
    with pytest.raises(InputError, match="has no energy_scale"):
        entries_from_file(path)
    assert {e.parameters["energy_scale"] for e in entries_from_file(path, "mp2020")} == {"mp2020"}


def memory_store():
    from jobflow import JobStore
    from maggma.stores import MemoryStore

    store = JobStore(MemoryStore(), additional_stores={"data": MemoryStore()})
    store.connect()
    return store


def test_builder_is_incremental_and_replaces_stale_documents(tmp_path, monkeypatch):
    """Li-S with CHGNet: first run computes, second skips, a changed entry recomputes only what used it."""
    from workflows.builders import StabilityBuilder
    from workflows.execution import run_flow
    from workflows.flows.phase_diagram import PhaseDiagramMaker
    from workflows.stability import analysis_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store()
    run_flow(PhaseDiagramMaker(engine="chgnet", variant="chgnet").make("Li-S"), store)
    summary = store.query_one({"output.kind": "phase_diagram"}, load=True)["output"]
    assert summary["stable"] == ["Li", "Li2S", "S"] and summary["energy_scale"] == "mp2020"
    analysis = analysis_store(store)
    keys = sorted(d["key"] for d in analysis.query({}))
    # Li2S: its window, its reaction with Li and with S
    assert keys == ["reaction|Li|Li2S|closed|store|chgnet|mp2020", "reaction|S|Li2S|closed|store|chgnet|mp2020",
                    "window|Li2S|store|chgnet|mp2020"]
    window = analysis.query_one({"kind": "window"})
    assert {e["formula"] for e in window["entries"]} == {"Li", "Li2S", "S"}
    assert window["reduction_limit"] == 0.0 and window["interphase_vs_li"]["type"] == "stable"
    assert 1.8 < window["oxidation_limit"] < 2.6  # Li2S -> S + 2 Li on the MP2020 scale (2.2 V measured)

    again = StabilityBuilder(store.docs_store, analysis).run_all()
    assert again["computed"] == 0 and again["unchanged"] == 3

    # a new, lower Li2S entry (as if re-relaxed) changes every document that used Li2S
    doc = store.query_one({"output.kind": "relax", "output.formula": "Li2S"}, load=True)
    doc.pop("_id", None)
    doc["uuid"], doc["output"]["fingerprint"] = "new-li2s", "new-fingerprint"
    doc["output"]["energy"] -= 0.3
    doc["completed_at"] = "9999-01-01T00:00:00"
    store.docs_store.update([doc], key="uuid")
    third = StabilityBuilder(store.docs_store, analysis).run_all()
    assert third["computed"] == 3 and analysis.count() == 3
    assert "new-li2s" in {e["entry_id"] for e in analysis.query_one({"kind": "window"})["entries"]}


@pytest.mark.slow
def test_chgnet_library_sanity(tmp_path, monkeypatch):
    """Library phases relaxed with CHGNet: the known chemistry at Li metal (not exact numbers)."""
    from interfaces.analysis.hull import PhaseDiagramCache
    from interfaces.analysis.interphase import classify_interphase
    from interfaces.analysis.window import stability_window
    from workflows.entries import entries_from_store
    from workflows.execution import run_flow
    from workflows.flows.phase_diagram import PhaseDiagramMaker

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store()
    maker = PhaseDiagramMaker(engine="chgnet", variant="chgnet")
    done: list[str] = []
    for chemsys in ("Li-P-S-Cl", "Li-Ge-P-S", "Li-La-Zr-O"):
        from workflows.flows.phase_diagram import library_phases

        run_flow(maker.make(chemsys, skip=done), store)
        done += library_phases(chemsys)
    entries = entries_from_store(store, ["Li", "P", "S", "Cl", "Ge", "La", "Zr", "O"], "chgnet")
    cache = PhaseDiagramCache(entries)
    at0 = {}
    for formula, system in (("Li6PS5Cl", "Li-P-S-Cl"), ("Li3PS4", "Li-P-S"), ("Li10GeP2S12", "Li-Ge-P-S"),
                            ("Li2S", "Li-S"), ("Li7La3Zr2O12", "Li-La-Zr-O")):
        w = stability_window(cache.get(system.split("-")), formula)
        at0[formula] = (w.decomposition_products["0"], w.decomposition_energy["0"], w)
    assert {"Li2S", "Li3P", "LiCl"} <= set(at0["Li6PS5Cl"][0])
    assert {"Li2S", "Li3P"} <= set(at0["Li3PS4"][0])
    lgps_products = at0["Li10GeP2S12"][0]
    assert "Li15Ge4" in lgps_products
    verdict = classify_interphase(lgps_products, ["Li", "Li10GeP2S12"], at0["Li10GeP2S12"][1])
    assert verdict.type == "mixed-conducting" and verdict.decided_by == "Li15Ge4"
    assert at0["Li2S"][2].stable_against_metal and at0["Li2S"][1] == 0.0
    # LLZO: nearly stable against Li (a small driving force at most, far from the sulfides')
    assert at0["Li7La3Zr2O12"][1] > -0.1
    assert at0["Li6PS5Cl"][1] < -0.5 and at0["Li3PS4"][1] < -0.5


def test_every_bulk_relaxation_refreshes_the_analyses(tmp_path, monkeypatch):
    """No `ssbi analyze` needed: the relaxation flow's last job runs the builder on its store."""
    from interfaces.materials import load
    from workflows.execution import run_flow
    from workflows.flows.calc import CalcMaker
    from workflows.stability import analysis_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store()
    maker = CalcMaker(engine="chgnet", kind="relax", target="bulk")
    for name in ("Li", "S8"):
        run_flow(maker.make(load(name, "chgnet").get_primitive_structure(), material=name), store)
    assert analysis_store(store).count() == 0  # no Li compound yet
    run_flow(maker.make(load("Li2S", "chgnet").get_primitive_structure(), material="Li2S"), store)
    assert analysis_store(store).count({"kind": "window", "formula": "Li2S"}) == 1


def test_raw_gga_scale_removes_the_sulfide_correction(tmp_path):
    """Li2S -> S + 2 Li: removing MP2020's S correction (-0.503 eV per S) lowers the limit by 0.503/2 V."""
    from pymatgen.entries.compatibility import MaterialsProject2020Compatibility

    from interfaces.analysis.hull import phase_diagram
    from interfaces.analysis.scales import convert
    from interfaces.analysis.window import stability_window

    entries = entries_from_file(write_entries(tmp_path / "e.json", {"Li": -1.9, "S": -4.1, "Li2S": -12.5}),
                                "mp2020")
    probe = ComputedEntry("Li2S", 0.0, parameters={"run_type": "GGA", "hubbards": {}})
    correction = sum(a.value for a in MaterialsProject2020Compatibility(check_potcar=False).get_adjustments(probe))
    mp = stability_window(phase_diagram(entries), "Li2S").oxidation_limit
    raw = stability_window(phase_diagram(convert(entries, "raw-gga")), "Li2S").oxidation_limit
    assert correction < 0 and raw == pytest.approx(mp + correction / 2)
    out = ssbi("window", "Li2S", "--entries", str(tmp_path / "e.json"), "--file-scale", "mp2020", "--scale", "raw-gga",
               "-o", str(tmp_path / "p"), data_dir=tmp_path, check=True).stdout
    assert f"{raw:.2f}" in out and "raw-gga scale" in out


def test_materials_project_source_without_key_is_one_line(tmp_path):
    proc = ssbi("window", "Li2S", "--entries", "mp", data_dir=tmp_path, env={"MP_API_KEY": "", "PMG_MAPI_KEY": ""})
    assert proc.returncode != 0 and ("mp-api" in proc.stderr or "API key" in proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1
