"""Products a chemist recognises (issue 35, part 5): the hull of known phases leaves the curated hypothetical phases
(LiS4, Li2S2, P2S7 ...) out by default; --all-phases keeps them; every product comes with its MP id."""

import json

import pytest
from pymatgen.core import Composition
from pymatgen.entries.computed_entries import ComputedEntry
from typer.testing import CliRunner

from ssbi.interfaces.phase_status import curated, is_hypothetical, known_phases, phase_status
from ssbi.interfaces.reference import reference_index
from ssbi.workflows.cli import app


def test_every_curated_id_is_a_reference_phase_of_that_formula():
    formulas, ids = curated()
    index = reference_index()
    assert {"LiS4", "LiS", "P2S7"} <= set(formulas)  # LiS4 (Li2S8), Li2S2, P2S7: never made
    for ref, formula in ids.items():
        assert ref in index, ref
        assert Composition(index[ref].formula).reduced_formula == formula
    # every reference polymorph of a hypothetical formula is flagged, not only the listed ids
    for phase in index.values():
        if Composition(phase.formula).reduced_formula in formulas:
            assert phase_status(phase.id, phase.formula).status == "hypothetical", phase.id


def test_entries_are_recognised_by_reference_id_mp_entry_id_or_formula_and_library_phases_are_kept():
    def entry(formula, material=None, entry_id=None):
        return ComputedEntry(formula, -1.0, entry_id=entry_id, data={"material": material} if material else {})

    assert is_hypothetical(entry("LiS4", material="mp-1546006"))  # shipped/stored: data.material
    assert is_hypothetical(entry("Li2S8", entry_id="mp-995393-GGA"))  # mp-api's entry ids
    assert is_hypothetical(entry("Li2S2", entry_id="file.json:3"))  # an imported entry without an id: its formula
    assert not is_hypothetical(entry("Li2S", material="mp-1153"))
    assert not is_hypothetical(entry("LiS4", material="my-polysulfide"))  # the user's own library phase
    kept = known_phases([entry("LiS4", material="mp-1546006"), entry("S", material="mp-666931")])
    assert [e.composition.reduced_formula for e in kept] == ["S"]


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBI_DATA_DIR", str(tmp_path))
    return tmp_path


def _windows(tmp_path, *flags):
    out = tmp_path / ("all" if flags else "known")
    res = CliRunner().invoke(app, ["windows", "Li3PS4", "Li6PS5Cl", "-o", str(out), *flags], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    return res.output


def test_default_windows_oxidise_li3ps4_and_li6ps5cl_without_lis4_and_name_each_product_by_id(cli_env):
    from ssbi.workflows.report.results import Results
    from ssbi.workflows.store.jobstore import open_store

    text = _windows(cli_env)
    assert "LiS4" not in text and "P2S7" not in text
    assert "P2S5: mp-541788; S: mp-666931" in text  # Li3PS4 -> P2S5 (P4S10) + S, the published products
    assert "Li3PS4: Li3PS4; LiCl: mp-1185319; S: mp-666931" in text  # Li6PS5Cl -> Li3PS4 + LiCl + S
    every = _windows(cli_env, "--all-phases")
    assert "LiS4: mp-1546006; P2S7: mp-1006118" in every  # the engine's own hull, asked for
    rows = Results(open_store(None)).windows_rows()
    assert {r["electrolyte"] for r in rows} == {"Li3PS4", "Li6PS5Cl"}  # the default hull's documents only
    ox = {r["electrolyte"]: r["oxidised_to"] for r in rows}
    assert ox == {"Li3PS4": "P2S5 + S", "Li6PS5Cl": "Li3PS4 + LiCl + S"}
    hypo = {r["electrolyte"]: r["oxidised_to"] for r in Results(open_store(None)).windows_rows(hypothetical=True)}
    assert hypo == {"Li3PS4": "LiS4 + P2S7", "Li6PS5Cl": "Li3PS4 + LiCl + LiS4"}


def test_a_hypothetical_phase_asked_for_by_name_says_how_to_keep_it(cli_env):
    res = CliRunner().invoke(app, ["window", "LiS4", "-o", str(cli_env)])
    assert res.exit_code == 2
    assert "hypothetical phase" in res.output and "--all-phases" in res.output
    res = CliRunner().invoke(app, ["window", "LiS4", "--all-phases", "-o", str(cli_env)])
    assert res.exit_code == 0, res.output


def test_reference_list_marks_hypothetical_phases():
    res = CliRunner().invoke(app, ["reference", "list", "Li-S", "--full"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if "mp-1546006" in ln)
    assert "hypothetical" in line
    assert "hypothetical" not in next(ln for ln in res.output.splitlines() if "mp-1153 " in ln)


def test_study_key_known_phases_only(tmp_path):
    from ssbi.workflows.study.spec import load_study

    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"name": "t", "anodes": ["Li"], "electrolytes": ["Li3PS4"],
                                "analyses": {"window": {}}, "known_phases_only": False}))
    assert load_study(path).known_phases_only is False
    path.write_text(json.dumps({"name": "t", "anodes": ["Li"], "electrolytes": ["Li3PS4"],
                                "analyses": {"window": {}}}))
    assert load_study(path).known_phases_only is True
