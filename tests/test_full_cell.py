"""The whole cell in a study (issue 18): adhesion at both sides with the strain energy of each slab, an MD of the
anode | electrolyte interface in the summary, and build overrides per electrode and per pair."""

import json

import pytest
import yaml
from helpers import ssbi

from ssbi.workflows.study.spec import AdhesionSpec, build_options


def test_build_overrides_per_electrolyte_electrode_and_pair_in_that_order():
    spec = AdhesionSpec(build={"max_atoms": 200, "max_strain": 0.08},
                        overrides={"Li6PS5Cl": {"max_strain": 0.06, "max_atoms": 250}, "S8": {"max_atoms": 500},
                                   "S8|Li6PS5Cl": {"max_strain": 0.08}})
    assert build_options(spec, "Li", "Li6PS5Cl") == {"max_atoms": 250, "max_strain": 0.06}
    assert build_options(spec, "S8", "Li3PS4") == {"max_atoms": 500, "max_strain": 0.08}
    assert build_options(spec, "S8", "Li6PS5Cl") == {"max_atoms": 500, "max_strain": 0.08}


def _run(args, tmp_path):
    return ssbi(*args, data_dir=tmp_path / "data", env={"COLUMNS": "100"})


@pytest.mark.slow
def test_a_study_with_cathode_adhesion_and_md_fills_both_sides_and_the_md_columns(tmp_path):
    """Li | Li3PS4 | Li2S: the reactions at both sides, rigid W_ad at both sides (the Li2S(111) cell needs the electrode's override), each side's
    strain energy in `ssbi query adhesion`, and a 0.3 ps CHGNet MD whose reacted zone, intact PS4 and Li
    diffusivities reach the summary."""
    study = tmp_path / "cell.yaml"
    study.write_text(yaml.safe_dump({
        "name": "cell", "anodes": ["Li"], "cathodes": ["Li2S"], "electrolytes": ["Li3PS4"], "engine": "chgnet",
        "analyses": {"window": {}, "reactions": {},
                     "adhesion": {"pairs": "all", "miller": {"Li": [1, 0, 0], "Li2S": [1, 1, 1], "Li3PS4": [0, 1, 0]},
                                  "overrides": {"Li2S": {"max_atoms": 400}}},
                     "md": {"temperatures": [700], "ps": 0.3, "equilibration_ps": 0.05, "max_atoms": 120}}}))
    run = _run(["run", str(study), "-o", str(tmp_path / "out"), "--format", "json"], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    (row,) = json.loads(run.stdout)
    assert 0.1 < row["W_ad_anode_J_m2"] < 2.0 and 0.05 < row["W_ad_cathode_J_m2"] < 2.0
    assert row["W_ad_by_electrode"].startswith("Li ") and ", Li2S " in row["W_ad_by_electrode"]
    assert row["md_temperature_K"] == 700.0
    assert row["md_intact_PS4"] is not None and 0.0 <= row["md_intact_PS4"] <= 1.0
    assert row["md_D_interface_over_bulk"] is None or row["md_D_interface_over_bulk"] > 0
    ad = json.loads(_run(["query", "adhesion", "--format", "json"], tmp_path).stdout)
    sides = {r["film"]: r for r in ad}
    assert set(sides) == {"Li", "Li2S"}
    # the strained side (Li, the metal, where it is there) carries the strain energy; the electrolyte none
    for r in ad:
        assert r["strain_substrate_J_m2"] == 0.0 and abs(r["strain_film_J_m2"]) < 0.5
    assert sides["Li"]["strain_film_J_m2"] > 0
    # the report names both sides' W_ad
    md = (tmp_path / "out" / "summary.md").read_text()
    assert "W_ad_cathode_J_m2" in md and "md_intact_PS4" in md
    # the cell: Li reduces Li3PS4 to Li2S + Li3P (passivating), Li2S does not react with it
    assert {"Li2S", "Li3P"} <= set(row["products_anode"].split(" + ")) and row["interphase_anode"] == "passivating (Li)"
    assert row["interphase_cathode"] == "stable (Li2S)"
    assert "## The cell" in md and "| passivating (Li): " in md and (tmp_path / "out" / "cells.png").stat().st_size > 10_000
    # every number's engine and energy scale: CHGNet on the MP2020 scale, elastic tensors not computed here
    assert "| window_V, E_hull_meV" in md and "chgnet (CHGNet 0.3.0 (MPtrj)) | total energies on the mp2020 scale" in md
    assert "md_growth_rate, md_growth_law" in md


def test_cell_diagram_names_each_products_electronic_character(tmp_path):
    """Li15Ge4 is a metal (mixed conducting), Li2S and LiCl insulators with their gaps; one strip per row."""
    from matplotlib.image import imread

    from ssbi.workflows.report.plots import electronic_character, plot_cells

    lines = electronic_character("Li2S + Li15Ge4 + Li3P")
    assert lines[0].startswith("Li2S: insulator ") and lines[0].endswith(" eV")
    assert lines[1] == "Li15Ge4: metal" and lines[2].startswith("Li3P: insulator")
    assert electronic_character("LiXx9") == ["LiXx9: no gap known"]
    rows = [{"rank": 1, "electrolyte": "Li7La3Zr2O12", "window_V": "0.05–2.91",
             "interphase_anode": "stable at 0.51 V (LiIn)", "products_anode": "Li7La3Zr2O12",
             "interphase_cathode": "stable (Li2S)", "products_cathode": "Li2S + Li7La3Zr2O12",
             "oxidation_at_cathode": "stable at 2.21 V (S/Li2S)"},
            {"rank": 2, "electrolyte": "Li10GeP2S12", "window_V": "1.71–2.14",
             "interphase_anode": "mixed-conducting (Li)", "products_anode": "Li2S + Li15Ge4 + Li3P",
             "interphase_cathode": "passivating (S8)", "products_cathode": "P2S7 + S",
             "oxidation_at_cathode": "oxidised at 2.21 V (S/Li2S) to GeS2 + Li3PS4 + S"}]
    one = imread(plot_cells(rows[:1], tmp_path / "one.png"))
    two = imread(plot_cells(rows, tmp_path / "two.png"))
    assert two.shape[0] > 1.6 * one.shape[0]  # a strip per electrolyte
