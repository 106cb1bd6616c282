"""Three-layer stacks (interlayers, coatings) in studies: validation, the plan, and a small real study whose stack
documents, query and report are checked."""

import json

import pytest
import yaml
from helpers import ssbi

from ssbi.interfaces.errors import InputError
from ssbi.workflows.study.spec import load_study, plan

BASE = {"name": "stacks", "anodes": ["Li"], "cathodes": ["Li2S"], "electrolytes": ["Li3PS4"], "engine": "chgnet",
        "interlayers": ["LiI"], "coatings": ["LiCl"], "analyses": {"stacks": {}}}
MILLER = {"miller": {"Li": [1, 0, 0], "Li2S": [1, 1, 1], "Li3PS4": [0, 1, 0]}}


def write(tmp_path, **changes):
    data = {**BASE, **changes}
    path = tmp_path / "stacks.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("changes, message", [
    ({"analyses": {"window": {}}}, "interlayers and coatings go with analyses.stacks"),
    ({"interlayers": [], "coatings": []}, "analyses.stacks needs interlayers"),
    ({"cathodes": []}, "coatings sit between the electrolyte and a cathode: add cathodes"),
    ({"interlayers": ["LiII"]}, "unknown material 'LiII' in interlayers"),
    ({"analyses": {"stacks": {"md": ["Li3N"]}}}, "'Li3N' in analyses.stacks.md is not an interlayer or coating"),
    ({"analyses": {"stacks": {}, "adsorption": {}}}, "analyses.adsorption needs carbon_host"),
    ({"carbon_host": "nanotube"}, "carbon_host: Input should be 'graphene' or 'pyridinic-N-graphene'"),
    ({"interlayers": ["LiPON"], "analyses": {"stacks": {"md": ["LiPON"]}}},
     "LiPON is a glass given by composition only"),
    ({"analyses": {"stacks": {"rigid": ["Li6PS5Cl"]}}}, "'Li6PS5Cl' in analyses.stacks.rigid is not a material of"),
])
def test_bad_stack_study_is_one_line(tmp_path, changes, message):
    with pytest.raises(InputError) as err:
        load_study(write(tmp_path, **changes))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_plan_of_a_stack_study(tmp_path):
    """The hull of every layer with each neighbour, the layers' windows, σ of Li's face (wetting), W_ad of each
    layer with both neighbours, the layers' bulk MD where asked, one stack task per stack."""
    spec = load_study(write(tmp_path, analyses={"stacks": {"md": ["LiI"]}}))
    tasks = plan(spec)
    labels = [t.label for t in tasks]
    assert labels[0].startswith("hull ") and "I-Li-P-S" in labels[0] and "Cl-Li-P-S" in labels[0]
    assert {t.materials for t in tasks if t.analysis == "window"} == {("LiI",), ("LiCl",)}
    assert [t.label for t in tasks if t.analysis == "surface"] == ["surface Li(1 0 0)"]
    assert [(t.materials, t.options["relax"]) for t in tasks if t.analysis == "adhesion"] == [
        (("Li", "LiI"), True), (("LiI", "Li3PS4"), True), (("Li2S", "LiCl"), False), (("LiCl", "Li3PS4"), False)]
    assert [t.materials for t in tasks if t.analysis == "diffusion"] == [("LiI",)]
    assert [t.materials for t in tasks if t.analysis == "stack"] == [("LiI", "Li", "Li3PS4"),
                                                                     ("LiCl", "Li2S", "Li3PS4")]
    assert labels.index("stack LiI|Li|Li3PS4") > labels.index("adhesion Li|LiI")  # assembled last
    # pairs with a material in stacks.rigid stay rigid whatever relax says; the others keep theirs
    spec = load_study(write(tmp_path, analyses={"stacks": {"relax": "all", "rigid": ["Li3PS4"]}}))
    assert [(t.materials, t.options["relax"]) for t in plan(spec) if t.analysis == "adhesion"] == [
        (("Li", "LiI"), True), (("LiI", "Li3PS4"), False), (("Li2S", "LiCl"), True), (("LiCl", "Li3PS4"), False)]


def test_a_glass_layer_gets_its_hull_readings_and_no_interface_tasks(tmp_path):
    """A layer known by composition only (75Li2S-25P2S5, a glass): its window, reactions and interphase types come
    from the hull; it gets no adhesion or MD tasks (they need atoms), and its stack document says so."""
    spec = load_study(write(tmp_path, interlayers=["LiI", "75Li2S-25P2S5"], analyses={"stacks": {"md": True}}))
    tasks = plan(spec)
    assert ("75Li2S-25P2S5",) in {t.materials for t in tasks if t.analysis == "window"}
    assert not [t for t in tasks if t.analysis == "adhesion" and "75Li2S-25P2S5" in t.materials]
    assert [t.materials for t in tasks if t.analysis == "diffusion"] == [("LiI",), ("LiCl",)]  # not the glass
    assert ("75Li2S-25P2S5", "Li", "Li3PS4") in {t.materials for t in tasks if t.analysis == "stack"}

    study = write(tmp_path, interlayers=["75Li2S-25P2S5"], coatings=[], cathodes=[],
                  analyses={"stacks": {"adhesion": False}})
    data = tmp_path / "data"
    run = ssbi("run", study, "-o", tmp_path / "out", data_dir=data)
    assert run.returncode == 0, run.stdout + run.stderr
    (row,) = json.loads(ssbi("query", "stacks", "--format", "json", data_dir=data, check=True).stdout)
    assert row["layer"] == "75Li2S-25P2S5" and row["electrode"] == "Li"
    assert row["verdict_electrode"] == "passivating" and row["rxn_electrode_eV_atom"] < -0.5  # Li reduces it
    assert set(row["products_electrode"].split(" + ")) >= {"Li2S", "Li3P"}
    assert row["verdict_electrolyte"] == "stable"  # the glass has the crystal's composition
    assert row["W_ad_electrode_J_m2"] is None and row["W_ad_electrolyte_J_m2"] is None
    assert "composition only" in row["notes"]


@pytest.mark.slow
def test_a_stack_study_stores_one_document_per_stack(tmp_path):
    """Li | LiI | Li3PS4 and Li3PS4 | LiCl | Li2S with CHGNet (all their phase sets ship): LiI is stable against Li
    and an insulator; every requirement is a column of `ssbi query stacks`; the report has the ranked table and
    the three-layer diagram; running again replaces the documents, never adds to them."""
    study = write(tmp_path, analyses={"stacks": {"md": ["LiI"], "md_temperatures": [900, 1100], "md_ps": 0.3,
                                                 "md_equilibration_ps": 0.1, "md_max_atoms": 64},
                                      "adhesion": {**MILLER, "pairs": "anode|electrolyte"}})
    data = tmp_path / "data"
    run = ssbi("run", study, "-o", tmp_path / "out", data_dir=data)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Rule (--rank-by weakest-side)" in run.stdout
    rows = json.loads(ssbi("query", "stacks", "--format", "json", data_dir=data, check=True).stdout)
    assert len(rows) == 2
    li_i = next(r for r in rows if r["layer"] == "LiI")
    assert li_i["side"] == "anode" and li_i["potential_V"] == 0.0
    assert li_i["verdict_electrode"] == "stable"  # LiI does not react with Li
    assert li_i["blocks_electrons"] is True and li_i["stable_with_electrode"] is True
    assert li_i["W_ad_electrode_J_m2"] > 0 and li_i["W_ad_electrolyte_J_m2"] > 0
    assert 0.0 <= li_i["theta_Li_deg"] <= 180.0 and li_i["wets"] is (li_i["theta_Li_deg"] < 90)
    assert li_i["D_Li_cm2_s"] is not None and li_i["conducts_li"] is not None
    li_cl = next(r for r in rows if r["layer"] == "LiCl")
    assert li_cl["side"] == "cathode" and 2.0 < li_cl["potential_V"] < 2.4  # the S/Li2S couple
    assert li_cl["theta_Li_deg"] is None and li_cl["wets"] is None  # wetting is an anode-side question
    assert "Li diffusivity in the layer: not computed" in li_cl["notes"] and li_cl["D_Li_cm2_s"] is None
    assert li_cl["W_ad_electrode_J_m2"] > 0 and li_cl["W_ad_electrolyte_J_m2"] > 0  # rigid on the cathode side
    # LiI insulates: the Li3PS4 behind it is judged by its closed reaction, not reduced at 0 V
    assert li_i["blocks_electrons"] and "judged closed" in li_i["notes"]
    for r in rows:  # a negative W_ad (slabs that repel) is named, never silently ranked
        negative = min(r["W_ad_electrode_J_m2"], r["W_ad_electrolyte_J_m2"]) < 0
        assert ("is negative" in r["notes"]) is negative
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "Interlayers and coatings" in summary and "| Li \\| LiI \\| Li3PS4 |" in summary
    assert (tmp_path / "out" / "stacks.png").stat().st_size > 10_000
    again = ssbi("run", study, "-o", tmp_path / "out", data_dir=data)
    assert again.returncode == 0 and "stored adhesion Li|LiI" in " ".join(again.stdout.split())
    assert len(json.loads(ssbi("query", "stacks", "--format", "json", data_dir=data, check=True).stdout)) == 2


def test_a_stack_study_submits_its_jobs_and_assembles_the_stacks_here(tmp_path):
    """--submit --dry-run: the adhesion of each stack pair, the layers' MD and the adsorption searches are
    workflows; the stacks are not (they are put together here by the next `ssbi run`, as windows are)."""
    study = write(tmp_path, carbon_host="graphene",
                  analyses={"stacks": {"md": ["LiI"]}, "adsorption": {"molecules": ["Li2S"]}})
    run = ssbi("run", study, "--submit", "--dry-run", data_dir=tmp_path / "data")
    assert run.returncode == 0, run.stdout + run.stderr
    text = " ".join(run.stdout.split())
    for label in ("adhesion Li|LiI", "adhesion LiCl|Li3PS4", "md LiI bulk", "adsorption Li2S on graphene"):
        assert label in text
    assert "stack LiI" not in text and "diffusion" in text  # core-hours per kind name the MD of the layers
