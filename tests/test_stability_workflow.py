"""Entry sources, the stability builder in the store, the CLI, and CHGNet sanity on the library."""

import json
from pathlib import Path

import pytest
from conftest import ssbi
from pymatgen.core import Composition
from pymatgen.entries.computed_entries import ComputedEntry
from test_stability_analysis import E

from ssbi.interfaces.errors import InputError
from ssbi.workflows.engines.registry import get_engine
from ssbi.workflows.store.entries import entries_from_file


def write_entries(path, energies=E, scale=None):
    rows = []
    for formula, energy in energies.items():
        params = {"energy_scale": scale} if scale else {}
        rows.append(ComputedEntry(formula, energy, parameters=params, entry_id=f"syn-{formula}").as_dict())
    path.write_text(json.dumps(rows))
    return path


def analysis_count(tmp_path) -> int:
    import os

    from ssbi.workflows.store.derived import analysis_store
    from ssbi.workflows.store.jobstore import open_store

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


def test_builder_is_incremental_and_replaces_stale_documents(tmp_path, monkeypatch, memory_store):
    """Li-S with the shipped CHGNet phase set: first run computes, second skips, a new lower entry recomputes
    only what used it."""
    from ssbi.workflows.flows.phase_set import PhaseSetMaker
    from ssbi.workflows.run.local import run_flow
    from ssbi.workflows.stability.builder import StabilityBuilder, StabilityTarget
    from ssbi.workflows.store.derived import analysis_store
    from ssbi.workflows.testing.synthetic import calc_envelope

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store
    maker = PhaseSetMaker(engine="chgnet")
    assert maker.plan("Li-S", store).complete  # everything shipped: nothing to compute
    run_flow(maker.make("Li-S", store), store)
    summary = store.query_one({"output.kind": "phase_diagram"}, load=True)["output"]
    analysis = analysis_store(store)
    assert analysis.count() == 0  # the builder computes what it is asked for, not a study of its own
    targets = [StabilityTarget("window", "Li2S"), StabilityTarget("reaction", "Li2S", "Li"),
               StabilityTarget("reaction", "Li2S", "S8"), StabilityTarget("window", "beta-Li3PS4"),
               StabilityTarget("window", "LiF")]
    first = StabilityBuilder(store.docs_store, analysis, engine="chgnet", targets=targets).run_all()
    assert first["computed"] == len(targets) and first["failed"] == 0
    # LiS4 (mp-1546006) is on the engine's MP2020-scale hull (the sulfide correction applied to every S of a
    # polysulfide), a hypothetical phase that the default hull of known phases leaves out
    assert summary["stable"] == ["Li", "Li2S", "LiS4", "S"] and summary["energy_scale"] == "mp2020"
    assert summary["n_shipped_entries"] == summary["n_entries"] > 20  # every Li, S and Li-S polymorph relaxed
    keys = {d["key"] for d in analysis.query({})}
    assert {"reaction|Li|Li2S|closed|store|chgnet|mp2020", "reaction|S|Li2S|closed|store|chgnet|mp2020",
            "window|Li2S|store|chgnet|mp2020"} <= keys
    assert "window|beta-Li3PS4|store|chgnet|mp2020" in keys and "window|LiF|store|chgnet|mp2020" in keys
    window = analysis.query_one({"key": "window|Li2S|store|chgnet|mp2020"})
    assert {"Li", "Li2S", "S"} <= {e["formula"] for e in window["entries"]}
    assert window["reduction_limit"] == 0.0 and window["interphase_vs_li"]["type"] == "stable"
    assert window["oxidation_limit"] == pytest.approx(2.21, abs=0.02)  # Li2S -> S (2.32 V from experiment's ΔHf)
    assert window["oxidation_sources"] == ["S: mp-666931"] and "LiS4" not in {e["formula"] for e in window["entries"]}
    # with the hypothetical phases: a document of its own (never overwriting the default one), Li2S -> LiS4
    every = StabilityBuilder(store.docs_store, analysis, engine="chgnet", targets=targets[:1], known_only=False)
    assert every.run_all()["computed"] == 1
    hypo = analysis.query_one({"key": "window|Li2S|store+hypothetical|chgnet|mp2020"})
    assert hypo["oxidation_sources"] == ["LiS4: mp-1546006"] and hypo["oxidation_limit"] == pytest.approx(2.12,
                                                                                                      abs=0.02)
    assert analysis.query_one({"key": window["key"]})["oxidation_sources"] == ["S: mp-666931"]
    keys.add(hypo["key"])

    again = StabilityBuilder(store.docs_store, analysis).run_all()
    assert again["computed"] == 0 and again["unchanged"] == len(keys) - 1  # the default hull's documents

    # a new, lower Li2S relaxation (as if re-relaxed here) changes every document that used Li2S, only those
    lif = analysis.query_one({"key": "window|LiF|store|chgnet|mp2020"})["entries_hash"]
    store.docs_store.update([calc_envelope("Li2S", "new-li2s", energy_per_atom=-4.5)], key="uuid")
    third = StabilityBuilder(store.docs_store, analysis).run_all()
    assert third["computed"] == 4 and analysis.count() == len(keys)  # Li2S's window and reactions, beta's window
    assert "new-li2s" in {e["entry_id"] for e in analysis.query_one({"key": window["key"]})["entries"]}
    assert analysis.query_one({"key": "window|LiF|store|chgnet|mp2020"})["entries_hash"] == lif


def test_shipped_hull_gives_the_published_chemistry(memory_store):
    """The shipped CHGNet phase set: limiting products and interphase types (not exact numbers)."""
    from ssbi.interfaces.analysis.hull import PhaseDiagramCache
    from ssbi.interfaces.analysis.interphase import classify_interphase
    from ssbi.interfaces.analysis.scales import convert
    from ssbi.interfaces.analysis.window import stability_window
    from ssbi.workflows.store.entries import entries_from_store

    # GGA literature carries no sulfide correction: the sulfides' oxidation side is compared on raw-gga
    entries = convert(entries_from_store(memory_store, ["Li", "P", "S", "Cl", "Ge", "La", "Zr", "O"], get_engine("chgnet")),
                      "raw-gga")
    cache = PhaseDiagramCache(entries)
    w = {f: stability_window(cache.get(s.split("-")), f)
         for f, s in (("Li6PS5Cl", "Li-P-S-Cl"), ("Li3PS4", "Li-P-S"), ("Li10GeP2S12", "Li-Ge-P-S"),
                      ("Li2S", "Li-S"), ("Li7La3Zr2O12", "Li-La-Zr-O"), ("Li4GeS4", "Li-Ge-S"))}
    assert {"Li2S", "Li3P", "LiCl"} <= set(w["Li6PS5Cl"].decomposition_products["0"])
    assert set(w["Li6PS5Cl"].oxidation_products) == {"Li3PS4", "LiCl", "S"}
    assert set(w["Li3PS4"].decomposition_products["0"]) == {"Li2S", "Li3P"}
    assert set(w["Li3PS4"].reduction_products) == {"Li2S", "P"}
    # with the P-S binaries: a P-S molecular solid and S (P4S7 under CHGNet, P4S10 in PBE), not Li4P2S6
    ox = w["Li3PS4"].oxidation_products
    assert "S" in ox and len(ox) == 2 and {el.symbol for el in Composition(next(p for p in ox if p != "S")).elements} \
        == {"P", "S"}
    assert set(w["Li10GeP2S12"].oxidation_products) == {"GeS2", "Li3PS4", "S"}
    assert w["Li2S"].oxidation_products == ["S"]
    lgps = w["Li10GeP2S12"].decomposition_products["0"]
    verdict = classify_interphase(lgps, ["Li", "Li10GeP2S12"], w["Li10GeP2S12"].decomposition_energy["0"])
    assert verdict.type == "mixed-conducting" and verdict.decided_by.startswith("Li")  # a Li-Ge alloy
    assert set(w["Li10GeP2S12"].reduction_products) == {"Li2S", "Li4GeS4", "P"}
    assert "GeS2" in w["Li4GeS4"].oxidation_products
    assert w["Li2S"].stable_against_metal and w["Li2S"].decomposition_energy["0"] == 0.0
    # LLZO: reduced by Li, but only slightly (published: near 0.05 V, small ΔE)
    llzo = w["Li7La3Zr2O12"]
    assert -0.1 < llzo.decomposition_energy["0"] < 0 and 0 < llzo.reduction_limit < 0.5
    assert w["Li6PS5Cl"].decomposition_energy["0"] < -0.5 and w["Li3PS4"].decomposition_energy["0"] < -0.5


@pytest.mark.slow
def test_phase_set_of_an_unshipped_system_is_computed_then_reused(tmp_path, monkeypatch, memory_store):
    """Br-Li without shipped entries: single points of every reference structure, the lowest relaxed, the hull;
    a second plan finds everything stored."""
    from ssbi.interfaces.reference import reference_index
    from ssbi.workflows.flows.phase_set import PhaseSetMaker
    from ssbi.workflows.run.local import run_flow

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSBI_REFERENCE_ENTRIES_DIR", str(tmp_path / "none"))
    store = memory_store
    maker = PhaseSetMaker(engine="chgnet", n_lowest=1, window=0.005)
    plan = maker.plan("Br-Li", store)
    assert len(plan.to_screen) == len(plan.reference) >= 3 and plan.to_relax is None
    run_flow(maker.make("Br-Li", store, plan=plan), store)
    doc = store.query_one({"output.kind": "phase_diagram"}, load=True)["output"]
    assert doc["stable"] == ["Br", "Li", "LiBr"] and doc["n_shipped_entries"] == 0
    selection = doc["phase_set"]["selection"]
    assert selection["screened"] == len(plan.reference) and selection["relaxed_here"]
    index = reference_index()
    chosen = sorted(index[i].formula for i in selection["selected"] if index[i].formula in ("LiBr", "Br"))
    assert chosen == ["Br", "LiBr"]  # LiBr and Br2: the one lowest polymorph each (n_lowest=1)
    assert store.docs_store.count({"output.kind": "static"}) == len(plan.reference)
    again = maker.plan("Br-Li", store)
    assert again.complete and again.summary()["screened_stored"] == len(plan.reference)


def test_a_relaxation_writes_no_analyses_and_the_next_builder_run_uses_it(tmp_path, monkeypatch, memory_store):
    """A bulk relaxation stores its result only (the builder is not run after each relaxation); the next builder
    run, asked for Li2S's window, uses it in place of the shipped entry of the same phase."""
    from ssbi.interfaces.materials import load
    from ssbi.workflows.flows.calc import CalcMaker
    from ssbi.workflows.run.local import run_flow
    from ssbi.workflows.stability.builder import StabilityBuilder, StabilityTarget
    from ssbi.workflows.store.derived import analysis_store

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    store = memory_store
    maker = CalcMaker(engine="chgnet", kind="relax", target="bulk")
    flow = maker.make(load("Li2S", "experimental").get_primitive_structure(), material="Li2S")
    run_flow(flow, store)
    assert analysis_store(store).count() == 0
    builder = StabilityBuilder(store.docs_store, analysis_store(store), engine="chgnet",
                               targets=[StabilityTarget("window", "Li2S")])
    assert builder.run_all()["computed"] == 1
    window = analysis_store(store).query_one({"kind": "window", "formula": "Li2S"})
    assert window is not None and window["oxidation_limit"] > 1.8
    ids = {e["entry_id"] for e in window["entries"]}
    assert flow.output.uuid in ids and "shipped:chgnet:Li2S" not in ids  # the stored one replaces the shipped one
    assert any(i.startswith("shipped:chgnet:mp-") for i in ids)  # the other Li-S phases come from the shipped set


def test_raw_gga_scale_removes_the_sulfide_correction(tmp_path):
    """Li2S -> S + 2 Li: removing MP2020's S correction (-0.503 eV per S) lowers the limit by 0.503/2 V."""
    from pymatgen.entries.compatibility import MaterialsProject2020Compatibility

    from ssbi.interfaces.analysis.hull import phase_diagram
    from ssbi.interfaces.analysis.scales import convert
    from ssbi.interfaces.analysis.window import stability_window

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


def test_the_builder_is_the_only_writer_of_windows_and_reactions(tmp_path, monkeypatch, memory_store):
    """A study's windows and reactions come from one builder run after the hull, and the CLI's from the builder
    too: every write of a derived document comes from workflows/stability/builder.py."""
    import inspect

    from typer.testing import CliRunner

    import ssbi.workflows.cli.app as app
    import ssbi.workflows.store.derived as stability
    from ssbi.workflows.stability.builder import StabilityBuilder
    from ssbi.workflows.study.runner import StudyRunner
    from ssbi.workflows.study.spec import StudySpec

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    writers, runs = [], []
    save, run_all = stability.save, StabilityBuilder.run_all

    def recording_save(store, docs):
        writers.append(Path(inspect.stack()[1].filename).name)
        return save(store, docs)

    def counting_run_all(self):
        runs.append(self.wanted)
        return run_all(self)

    monkeypatch.setattr(stability, "save", recording_save)
    monkeypatch.setattr(StabilityBuilder, "run_all", counting_run_all)
    spec = StudySpec(name="w", anodes=["Li"], cathodes=["Li2S"], electrolytes=["Li3PS4", "Li6PS5Cl"],
                     analyses={"window": {}, "reactions": {}})
    store = memory_store
    outcomes = StudyRunner(spec, store).run()
    assert [o.status for o in outcomes] == ["stored"] + ["done"] * 6, [o.message for o in outcomes]
    assert len(runs) == 1 and len(runs[0]) == 6  # one run for the 2 windows and 4 reactions
    assert writers == ["builder.py"]
    result = CliRunner().invoke(app, ["window", "Li3PS4", "-o", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    assert writers == ["builder.py", "builder.py"] and len(runs) == 2


@pytest.mark.slow
def test_a_hull_of_two_systems_computes_their_common_phases_once(tmp_path, monkeypatch, memory_store):
    """F-Li and Br-Li in one hull run, nothing shipped: Li's polymorphs and the library Li are screened and
    relaxed once (not once per system), and both hulls are complete."""
    from collections import Counter

    from ssbi.workflows.flows.phase_set import PhaseSetMaker
    from ssbi.workflows.run.analyses import PhaseSetAnalysis
    from ssbi.workflows.run.executor import Executor

    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSBI_REFERENCE_ENTRIES_DIR", str(tmp_path / "none"))
    store = memory_store
    hull = PhaseSetAnalysis(["F-Li", "Br-Li"], PhaseSetMaker(engine="chgnet"))
    plans = hull.plans(store)
    common = set(plans["F-Li"].to_screen) & set(plans["Br-Li"].to_screen)
    assert common and "Li" in plans["F-Li"].library_to_relax and "Li" in plans["Br-Li"].library_to_relax
    outcome = Executor(store).run_one(hull)
    assert outcome.status == "done", outcome.message
    docs = list(store.query({"output.kind": {"$in": ["static", "relax"]}}, properties=["output.fingerprint"]))
    repeated = [fp for fp, n in Counter(d["output"]["fingerprint"] for d in docs).items() if n > 1]
    assert not repeated  # every calculation once
    assert hull.collect(store) == []  # both phase sets complete
    stable = {d["output"]["chemsys"]: d["output"]["stable"] for d in store.query({"output.kind": "phase_diagram"})}
    assert stable == {"F-Li": ["F", "Li", "LiF"], "Br-Li": ["Br", "Li", "LiBr"]}
